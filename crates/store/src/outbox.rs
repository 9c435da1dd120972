//! The outbox: one row per outbound message (customer notification, staff alert), claimed
//! before it is sent and marked after, so retries never duplicate and a crash leaves only
//! the in-flight rows to resend (with the same Message-ID / Idempotency-Key). Such a resend
//! is *in doubt* (the receiver may have accepted the first copy just before the crash) and
//! is shown as such on the ticket.

use crate::sql::{from_ms, ms};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use serde::Serialize;
use sqlx::AnyConnection;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryState {
    /// Waiting for its turn (first try or a retry after backoff).
    Queued,
    /// Claimed by a worker; the send may be under way.
    Sending,
    /// The receiving server accepted it.
    Sent,
    /// Given up after the last attempt, or undeliverable.
    Failed,
}

impl DeliveryState {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> DeliveryState {
        match s {
            "sending" => DeliveryState::Sending,
            "sent" => DeliveryState::Sent,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Queued,
        }
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted it.
    Sent,
    /// Another attempt at `at`.
    Retry { error: String, at: Timestamp },
    /// No further attempt.
    Failed { error: String },
}

/// A delivery to record.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// Idempotency key: a second delivery with the same key is not added.
    pub key: String,
    pub ticket_id: Option<TicketId>,
    /// `email` or `http`.
    pub transport: String,
    /// What it is: `acknowledgement`, `alert.sla_breach`, …
    pub kind: String,
    /// Who it goes to, masked for display.
    pub target: String,
    /// What the transport sends (the composed e-mail or the HTTP request).
    pub payload: serde_json::Value,
    /// Set for a delivery that cannot be attempted (no contact): recorded as failed.
    pub failed: Option<String>,
}

/// A delivery as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub key: String,
    pub ticket_id: Option<i64>,
    pub transport: String,
    pub kind: String,
    pub target: String,
    #[serde(skip)]
    pub payload: serde_json::Value,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Times it was claimed again after a worker died mid-send (possible duplicates,
    /// harmless because the resend carries the same message id).
    pub resends: i64,
    /// Sent again after an interrupted send (`resends > 0`): the receiver may have got the
    /// first copy too, and drops it only if it deduplicates by Message-ID /
    /// Idempotency-Key.
    pub in_doubt: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub next_at: Timestamp,
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<Timestamp>,
    /// What the receiving side reported later (a delivery status notification), if anything.
    pub report: Option<crate::DeliveryReport>,
}

/// Columns a new delivery fills.
const DELIVERY_COLS: &str = "key, ticket_id, transport, kind, target, payload, state, next_at, last_error, created_at";
const DELIVERY_NCOLS: usize = 10;

/// Inserts deliveries (each with the instant it is queued at) unless their key exists;
/// returns how many were added.
pub(crate) async fn insert_deliveries(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: &[(&NewDelivery, Timestamp)],
) -> Result<u64, StoreError> {
    let mut added = 0;
    for chunk in rows.chunks(crate::sql::rows_per_statement(backend, DELIVERY_NCOLS)) {
        let values = crate::sql::values_rows_for(backend, chunk.len(), DELIVERY_NCOLS);
        let sql = format!("INSERT INTO deliveries ({DELIVERY_COLS}) VALUES {values} ON CONFLICT (key) DO NOTHING");
        let mut q = sqlx::query(&sql);
        for (d, now) in chunk {
            let state = if d.failed.is_some() { DeliveryState::Failed } else { DeliveryState::Queued };
            q = q
                .bind(d.key.as_str())
                .bind(d.ticket_id.map(|t| t.0))
                .bind(d.transport.as_str())
                .bind(d.kind.as_str())
                .bind(d.target.as_str())
                .bind(d.payload.to_string())
                .bind(state.as_str())
                .bind(ms(*now))
                .bind(d.failed.clone())
                .bind(ms(*now));
        }
        added += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(added)
}

type Row =
    (i64, String, Option<i64>, String, String, String, String, String, i64, i64, i64, Option<String>, i64, Option<i64>);

const COLUMNS: &str = "id, key, ticket_id, transport, kind, target, payload, state, attempts, resends, next_at, \
                       last_error, created_at, sent_at";

fn delivery(r: Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.0,
        key: r.1,
        ticket_id: r.2,
        transport: r.3,
        kind: r.4,
        target: r.5,
        payload: serde_json::from_str(&r.6)?,
        state: DeliveryState::parse(&r.7),
        attempts: r.8,
        resends: r.9,
        in_doubt: r.9 > 0,
        next_at: from_ms(r.10),
        last_error: r.11,
        created_at: from_ms(r.12),
        sent_at: r.13.map(from_ms),
        report: None,
    })
}

impl Store {
    /// Records deliveries; those whose key exists already are skipped. Returns how many
    /// were added. Group-committed with other channel writes.
    pub async fn add_deliveries(&self, list: &[NewDelivery], now: Timestamp) -> Result<u64, StoreError> {
        let writes = list.iter().cloned().map(crate::group::ChannelWrite::Delivery).collect();
        let added = self.channel_writes(writes, now).await?;
        Ok(added.into_iter().filter(|a| *a).count() as u64)
    }

    /// Claims up to `limit` due deliveries for `lease`: queued ones whose time has come,
    /// and ones whose previous claim expired (the worker died). Exactly one worker gets
    /// each row, across processes.
    pub async fn claim_deliveries(
        &self,
        now: Timestamp,
        limit: i64,
        lease: chrono::Duration,
    ) -> Result<Vec<Delivery>, StoreError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, lease_until = $1, \
             resends = resends + CASE WHEN state = 'sending' THEN 1 ELSE 0 END \
             WHERE id IN (SELECT id FROM deliveries WHERE (state = 'queued' AND next_at <= $2) \
             OR (state = 'sending' AND lease_until <= $2) ORDER BY next_at, id LIMIT $3{lock}) \
             RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> =
            sqlx::query_as(&sql).bind(ms(now + lease)).bind(ms(now)).bind(limit).fetch_all(&self.pool).await?;
        let mut out: Vec<Delivery> = rows.into_iter().map(delivery).collect::<Result<_, _>>()?;
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Records what became of sent deliveries, all in one transaction (group commit: the
    /// outbox's recorder takes every outcome waiting at that moment, so a busy outbox
    /// shares one commit among many sends without holding any back).
    pub async fn record_outcomes(&self, outcomes: &[(i64, Outcome)], now: Timestamp) -> Result<(), StoreError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let sent: Vec<String> =
            outcomes.iter().filter(|(_, o)| matches!(o, Outcome::Sent)).map(|(id, _)| id.to_string()).collect();
        if !sent.is_empty() {
            let sql = format!(
                "UPDATE deliveries SET state = 'sent', sent_at = $1, last_error = NULL WHERE id IN ({})",
                sent.join(",")
            );
            sqlx::query(&sql).bind(ms(now)).execute(&mut *tx).await?;
        }
        // Put back or failed: one statement per distinct error and retry time. Under load a
        // group is mostly one error (a gateway down, none configured), and a statement per
        // delivery held the one SQLite writer for each.
        let mut unsent_groups: Vec<(String, Option<Timestamp>, Vec<i64>)> = Vec::new();
        for (id, outcome) in outcomes {
            let (error, at) = match outcome {
                Outcome::Sent => continue,
                Outcome::Retry { error, at } => (error, Some(*at)),
                Outcome::Failed { error } => (error, None),
            };
            let error: String = error.chars().take(500).collect();
            match unsent_groups.iter_mut().find(|(e, a, _)| *e == error && *a == at) {
                Some((_, _, ids)) => ids.push(*id),
                None => unsent_groups.push((error, at, vec![*id])),
            }
        }
        for (error, at, ids) in &unsent_groups {
            unsent(&mut tx, ids, error, *at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks deliveries sent.
    pub async fn mark_sent(&self, ids: &[i64], now: Timestamp) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let sql = format!(
            "UPDATE deliveries SET state = 'sent', sent_at = $1, last_error = NULL WHERE id IN ({})",
            list.join(",")
        );
        sqlx::query(&sql).bind(ms(now)).execute(&self.pool).await?;
        Ok(())
    }

    /// Puts a delivery back for another attempt at `at`, or fails it when `at` is `None`.
    pub async fn mark_unsent(&self, id: i64, error: &str, at: Option<Timestamp>) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let error: String = error.chars().take(500).collect();
        unsent(&mut conn, &[id], &error, at).await
    }
}

/// Puts deliveries `ids` back for another attempt at `at`, or fails them when `at` is
/// `None`, with `error`.
async fn unsent(conn: &mut AnyConnection, ids: &[i64], error: &str, at: Option<Timestamp>) -> Result<(), StoreError> {
    // Ids are numbers from the database, written into the statement like `record_outcomes`'
    // sent list; chunked to stay well inside any statement length limit.
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
        let list = list.join(",");
        match at {
            Some(at) => {
                sqlx::query(&format!(
                    "UPDATE deliveries SET state = 'queued', next_at = $1, last_error = $2 WHERE id IN ({list})"
                ))
                .bind(ms(at))
                .bind(error.to_string())
                .execute(&mut *conn)
                .await?
            }
            None => {
                sqlx::query(&format!("UPDATE deliveries SET state = 'failed', last_error = $1 WHERE id IN ({list})"))
                    .bind(error.to_string())
                    .execute(&mut *conn)
                    .await?
            }
        };
    }
    Ok(())
}

impl Reader {
    /// The deliveries of a ticket, oldest first.
    pub async fn ticket_deliveries(&self, ticket: TicketId) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE ticket_id = $1 ORDER BY id");
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(ticket.0).fetch_all(&self.pool).await?;
        let mut reports = self.ticket_delivery_reports(ticket).await?;
        rows.into_iter()
            .map(|r| {
                let mut d = delivery(r)?;
                d.report = reports.remove(&d.id);
                Ok(d)
            })
            .collect()
    }

    /// When the next queued delivery or expiring lease falls due.
    pub async fn next_delivery_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let (queued,): (Option<i64>,) =
            sqlx::query_as("SELECT MIN(next_at) FROM deliveries WHERE state = 'queued'").fetch_one(&self.pool).await?;
        let (leased,): (Option<i64>,) =
            sqlx::query_as("SELECT MIN(lease_until) FROM deliveries WHERE state = 'sending'")
                .fetch_one(&self.pool)
                .await?;
        Ok([queued, leased].into_iter().flatten().min().map(from_ms))
    }

    /// Deliveries per state, for tests, benchmarks and metrics.
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Total resends after expired claims (possible duplicates), for the crash test.
    pub async fn delivery_resends(&self) -> Result<i64, StoreError> {
        let (n,): (Option<i64>,) =
            sqlx::query_as("SELECT CAST(SUM(resends) AS BIGINT) FROM deliveries").fetch_one(&self.pool).await?;
        Ok(n.unwrap_or(0))
    }

    /// Deliveries resent after an interrupted send (in doubt), for the crash test and metrics.
    pub async fn deliveries_in_doubt(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE resends > 0").fetch_one(&self.pool).await?;
        Ok(n)
    }
}
