//! Problem clusters: near-duplicate signatures indexed by band key, and the distinct
//! customers of each cluster (its size, the frequency signal).

use crate::sql::{arguments, rows_per_statement, values_rows_for, Value};
use crate::{Backend, Reader, StoreError};
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
    /// Distinct customers in its cluster so far.
    pub cluster_size: i64,
    /// Whether the asking customer is one of them.
    pub customer_known: bool,
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
    backend: Backend,
    records: &[(TicketId, &SignatureRecord)],
) -> Result<(), StoreError> {
    let keyed: Vec<(TicketId, i64, String, &SignatureRecord)> = records
        .iter()
        .map(|(t, r)| {
            (*t, r.cluster_id.unwrap_or(t.0), r.customer_key.clone().unwrap_or_else(|| format!("anon:{t}")), *r)
        })
        .collect();
    for chunk in keyed.chunks(rows_per_statement(backend, 4)) {
        let sql = format!(
            "INSERT INTO ticket_signatures (ticket_id, cluster_id, customer_key, signature) VALUES {} \
             ON CONFLICT (ticket_id) DO NOTHING",
            values_rows_for(backend, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (t, c, k, r) in chunk {
            q = q.bind(t.0).bind(*c).bind(k.as_str()).bind(r.signature.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    let bands: Vec<(i64, i64)> =
        keyed.iter().flat_map(|(t, _, _, r)| r.band_keys.iter().map(move |k| (*k, t.0))).collect();
    for chunk in bands.chunks(rows_per_statement(backend, 2)) {
        let sql = format!(
            "INSERT INTO ticket_bands (band_key, ticket_id) VALUES {} ON CONFLICT DO NOTHING",
            values_rows_for(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (k, t) in chunk {
            q = q.bind(*k).bind(*t);
        }
        q.execute(&mut *conn).await?;
    }
    // Whether a customer is new to a cluster decides its size: the rows the membership
    // insert answers are the new ones.
    let mut members: Vec<(i64, &str)> = keyed.iter().map(|(_, c, k, _)| (*c, k.as_str())).collect();
    members.sort_unstable();
    members.dedup();
    let mut joined: std::collections::BTreeMap<i64, i64> = Default::default();
    for chunk in members.chunks(rows_per_statement(backend, 2)) {
        let sql = format!(
            "INSERT INTO cluster_customers (cluster_id, customer_key) VALUES {} ON CONFLICT DO NOTHING RETURNING cluster_id",
            values_rows_for(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for (c, k) in chunk {
            q = q.bind(*c).bind(*k);
        }
        for (c,) in q.fetch_all(&mut *conn).await? {
            *joined.entry(c).or_default() += 1;
        }
    }
    let grown: Vec<(i64, i64)> = joined.into_iter().collect();
    for chunk in grown.chunks(rows_per_statement(backend, 2)) {
        let sql = format!(
            "INSERT INTO problem_clusters (id, customers) VALUES {} \
             ON CONFLICT (id) DO UPDATE SET customers = problem_clusters.customers + excluded.customers",
            values_rows_for(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (c, n) in chunk {
            q = q.bind(*c).bind(*n);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Reader {
    /// Tickets sharing at least `min_shared` of `band_keys` (newest few per key), and the
    /// customer's own newest few reports (each counting as one shared key), each with its
    /// cluster's size and whether `customer_key` is in that cluster: one query.
    pub async fn cluster_candidates(
        &self,
        band_keys: &[i64],
        min_shared: usize,
        customer_key: Option<&str>,
    ) -> Result<Vec<Candidate>, StoreError> {
        if band_keys.is_empty() && customer_key.is_none() {
            return Ok(Vec::new());
        }
        let mut parts: Vec<String> = (1..=band_keys.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT ticket_id FROM ticket_bands WHERE band_key = ${i} \
                     ORDER BY ticket_id DESC LIMIT {PER_BAND}) b{i}"
                )
            })
            .collect();
        let customer = band_keys.len() + 1;
        if customer_key.is_some() {
            parts.push(format!(
                "SELECT * FROM (SELECT ticket_id FROM ticket_signatures WHERE customer_key = ${customer} \
                 ORDER BY ticket_id DESC LIMIT {PER_BAND}) own"
            ));
        }
        let sql = format!(
            "SELECT s.ticket_id, s.cluster_id, s.customer_key, s.signature, CAST(COUNT(*) AS BIGINT), \
             CAST(COALESCE(MAX(p.customers), 0) AS BIGINT), \
             CAST(COALESCE(MAX(CASE WHEN m.cluster_id IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) \
             FROM ({}) hits JOIN ticket_signatures s ON s.ticket_id = hits.ticket_id \
             LEFT JOIN problem_clusters p ON p.id = s.cluster_id \
             LEFT JOIN cluster_customers m ON m.cluster_id = s.cluster_id AND m.customer_key = ${customer} \
             GROUP BY s.ticket_id, s.cluster_id, s.customer_key, s.signature \
             HAVING COUNT(*) >= {min_shared}",
            parts.join(" UNION ALL ")
        );
        let mut values: Vec<Value> = band_keys.iter().map(|k| Value::Int(*k)).collect();
        // Anonymous customers never match: a key no customer has (keys are `phone:…`,
        // `email:…` or `anon:<ticket>`).
        values.push(Value::Text(customer_key.unwrap_or("none:").to_string()));
        type Row = (i64, i64, String, String, i64, i64, i64);
        let rows: Vec<Row> = sqlx::query_as_with(&sql, arguments(&values)?).fetch_all(&self.pool).await?;
        // Only tickets sharing enough bands come back: each row crosses to this thread and
        // its signature is parsed, so the filter belongs in the query.
        Ok(rows
            .into_iter()
            .map(|(t, c, k, s, n, size, known)| Candidate {
                ticket_id: TicketId(t),
                cluster_id: c,
                customer_key: k,
                signature: s,
                shared_bands: n as usize,
                cluster_size: size,
                customer_known: known != 0,
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
