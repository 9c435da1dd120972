//! Problem clusters: near-duplicate signatures indexed by band key, and the distinct
//! customers of each cluster (its size, the frequency signal).

use crate::sql::{arguments, Value};
use crate::{Reader, StoreError};
use loopdesk_core::TicketId;

/// How many of the newest tickets per band key are considered: enough to find the
/// cluster, bounded so a huge cluster does not make look-ups slow.
const PER_BAND: usize = 4;

/// A stored signature that shares band keys with a new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub ticket_id: TicketId,
    pub cluster_id: i64,
    pub customer_key: String,
    /// The signature as stored (JSON).
    pub signature: String,
    /// Band keys shared with the query.
    pub shared_bands: usize,
}

/// A ticket's near-duplicate signature, recorded with the ticket in the intake transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRecord {
    /// The cluster joined; `None` starts a new one, named after the ticket.
    pub cluster_id: Option<i64>,
    /// Who the customer is; `None` (anonymous) never matches anyone.
    pub customer_key: Option<String>,
    /// The signature as JSON.
    pub signature: String,
    pub band_keys: Vec<i64>,
}

/// Writes the signatures, band keys and cluster memberships of a batch of new tickets on
/// `conn`, a few multi-row statements for the whole batch.
pub(crate) async fn insert_signatures(
    conn: &mut sqlx::AnyConnection,
    records: &[(TicketId, &SignatureRecord)],
) -> Result<(), StoreError> {
    let keyed: Vec<(TicketId, i64, String, &SignatureRecord)> = records
        .iter()
        .map(|(t, r)| {
            (*t, r.cluster_id.unwrap_or(t.0), r.customer_key.clone().unwrap_or_else(|| format!("anon:{t}")), *r)
        })
        .collect();
    for chunk in keyed.chunks(16) {
        let sql = format!(
            "INSERT INTO ticket_signatures (ticket_id, cluster_id, customer_key, signature) VALUES {} \
             ON CONFLICT (ticket_id) DO NOTHING",
            crate::sql::values_rows(chunk.len(), 4)
        );
        let values: Vec<Value> = chunk
            .iter()
            .flat_map(|(t, c, k, r)| {
                [Value::Int(t.0), Value::Int(*c), Value::Text(k.clone()), Value::Text(r.signature.clone())]
            })
            .collect();
        sqlx::query_with(&sql, arguments(&values)?).execute(&mut *conn).await?;
    }
    let bands: Vec<(i64, i64)> =
        keyed.iter().flat_map(|(t, _, _, r)| r.band_keys.iter().map(move |k| (*k, t.0))).collect();
    for chunk in bands.chunks(32) {
        let sql = format!(
            "INSERT INTO ticket_bands (band_key, ticket_id) VALUES {} ON CONFLICT DO NOTHING",
            crate::sql::values_rows(chunk.len(), 2)
        );
        let values: Vec<Value> = chunk.iter().flat_map(|(k, t)| [Value::Int(*k), Value::Int(*t)]).collect();
        sqlx::query_with(&sql, arguments(&values)?).execute(&mut *conn).await?;
    }
    // Membership one by one: whether a customer is new to a cluster decides its size.
    for (_, cluster, key, _) in &keyed {
        let joined = sqlx::query(
            "INSERT INTO cluster_customers (cluster_id, customer_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(*cluster)
        .bind(key)
        .execute(&mut *conn)
        .await?;
        if joined.rows_affected() == 1 {
            sqlx::query(
                "INSERT INTO problem_clusters (id, customers) VALUES ($1, 1) \
                 ON CONFLICT (id) DO UPDATE SET customers = problem_clusters.customers + 1",
            )
            .bind(*cluster)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

impl Reader {
    /// Tickets sharing at least `min_shared` of `band_keys`, newest few per key.
    pub async fn cluster_candidates(&self, band_keys: &[i64], min_shared: usize) -> Result<Vec<Candidate>, StoreError> {
        if band_keys.is_empty() {
            return Ok(Vec::new());
        }
        let parts: Vec<String> = (1..=band_keys.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT ticket_id FROM ticket_bands WHERE band_key = ${i} \
                     ORDER BY ticket_id DESC LIMIT {PER_BAND}) b{i}"
                )
            })
            .collect();
        let sql = format!(
            "SELECT s.ticket_id, s.cluster_id, s.customer_key, s.signature, CAST(COUNT(*) AS BIGINT) \
             FROM ({}) hits JOIN ticket_signatures s ON s.ticket_id = hits.ticket_id \
             GROUP BY s.ticket_id, s.cluster_id, s.customer_key, s.signature",
            parts.join(" UNION ALL ")
        );
        let values: Vec<Value> = band_keys.iter().map(|k| Value::Int(*k)).collect();
        let rows: Vec<(i64, i64, String, String, i64)> =
            sqlx::query_as_with(&sql, arguments(&values)?).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .filter(|r| r.4 as usize >= min_shared)
            .map(|(t, c, k, s, n)| Candidate {
                ticket_id: TicketId(t),
                cluster_id: c,
                customer_key: k,
                signature: s,
                shared_bands: n as usize,
            })
            .collect())
    }

    /// Number of distinct customers in a cluster.
    pub async fn cluster_size(&self, cluster_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT customers FROM problem_clusters WHERE id = $1")
            .bind(cluster_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(n,)| n).unwrap_or(0))
    }

    /// Whether a customer already reported in a cluster.
    pub async fn cluster_has_customer(&self, cluster_id: i64, customer_key: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT cluster_id FROM cluster_customers WHERE cluster_id = $1 AND customer_key = $2")
                .bind(cluster_id)
                .bind(customer_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }
}
