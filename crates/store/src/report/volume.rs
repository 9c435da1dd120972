//! Tickets recorded per rollup hour: what the weekday × hour heatmap counts.

use super::conditions;
use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Reader, StoreError};
use loopdesk_core::report::fact::HOUR_MS;
use loopdesk_core::report::Filter;
use loopdesk_core::Timestamp;

impl Reader {
    /// `(hour, tickets recorded)` for each hour of `[from, to)` (widened to whole hours)
    /// with any, narrowed to `filter`, in hour order.
    pub async fn report_hourly_volume(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &Filter,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut c = Conditions::default();
        let a = c.arg(Value::Int(ms(from).div_euclid(HOUR_MS)));
        let b = c.arg(Value::Int((ms(to) + HOUR_MS - 1).div_euclid(HOUR_MS)));
        c.push(format!("hour >= {a} AND hour < {b}"));
        conditions(filter, &mut c);
        let sql = format!(
            "SELECT hour, CAST(SUM(recorded) AS BIGINT) FROM report_facts{} GROUP BY hour HAVING SUM(recorded) > 0 \
             ORDER BY hour",
            c.where_sql()
        );
        Ok(sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?)
    }
}
