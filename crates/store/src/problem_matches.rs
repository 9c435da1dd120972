//! Feedback matching a problem, counted by the hour (issue 17: the effect of a fix and
//! recurrence after it was verified). Matching is either the members of its problem
//! cluster (counted from the tickets, to the millisecond) or the tickets of its category
//! and products (counted from the report rollups, by whole hours).

use crate::sql::{arguments, Conditions, Value};
use crate::{Reader, StoreError};

/// Milliseconds in an hour (the rollups' hour is unix ms / this).
const HOUR_MS: i64 = 3_600_000;

impl Reader {
    /// Members of `cluster` recorded in `[from_ms, to_ms)`, as (unix hour, count).
    pub async fn cluster_hourly(&self, cluster: i64, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT t.recorded_at / 3600000 AS hour, COUNT(*) FROM ticket_signatures s \
             JOIN tickets t ON t.id = s.ticket_id \
             WHERE s.cluster_id = $1 AND t.recorded_at >= $2 AND t.recorded_at < $3 \
             GROUP BY t.recorded_at / 3600000",
        )
        .bind(cluster)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Tickets of `category` (and of one of `products`, when any) recorded in the hours
    /// that `[from_ms, to_ms)` starts and ends in, as (unix hour, count).
    pub async fn category_hourly(
        &self,
        category: &str,
        products: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut c = Conditions::default();
        let a = c.arg(Value::Text(category.to_string()));
        c.push(format!("category = {a}"));
        if !products.is_empty() {
            let list: Vec<String> = products.iter().map(|p| c.arg(Value::Text(p.clone()))).collect();
            c.push(format!("product IN ({})", list.join(", ")));
        }
        let from = c.arg(Value::Int(from_ms.div_euclid(HOUR_MS)));
        c.push(format!("hour >= {from}"));
        let to = c.arg(Value::Int((to_ms + HOUR_MS - 1).div_euclid(HOUR_MS)));
        c.push(format!("hour < {to}"));
        let sql = format!(
            "SELECT hour, CAST(SUM(recorded) AS BIGINT) FROM report_facts{} GROUP BY hour HAVING SUM(recorded) > 0",
            c.where_sql()
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
        Ok(rows)
    }
}
