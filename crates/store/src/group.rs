//! Group commit for the small writes channels make around an intake: claiming an inbound
//! message's key, remembering a thread, queueing a notification. Callers hand their writes
//! to one writer task, which commits every request waiting at that moment in a single
//! transaction, then answers each. Durability is unchanged (each answer waits for its
//! commit); concurrent callers share the commit (with SQLite's `synchronous=FULL`, the
//! fsync) instead of queueing for the write lock one by one.

use crate::outbox::NewDelivery;
use crate::sql::ms;
use crate::{Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

/// One write.
#[derive(Debug, Clone)]
pub enum ChannelWrite {
    /// Records `key` → `ticket` unless the key exists; answers whether it was recorded.
    ClaimKey { key: String, ticket: TicketId },
    /// Sets `key` → `ticket` with `value`, replacing what was there; answers true.
    SetKey { key: String, ticket: TicketId, value: Option<String> },
    /// Queues a delivery unless its key exists; answers whether it was added.
    Delivery(NewDelivery),
}

struct Pending {
    writes: Vec<ChannelWrite>,
    now: Timestamp,
    reply: oneshot::Sender<Result<Vec<bool>, StoreError>>,
}

/// Sends requests to the writer task.
#[derive(Clone)]
pub(crate) struct GroupHandle {
    tx: mpsc::Sender<Pending>,
}

/// Requests committed together at most.
const MAX_GROUP: usize = 256;

impl GroupHandle {
    pub(crate) fn spawn(pool: AnyPool) -> GroupHandle {
        let (tx, rx) = mpsc::channel(MAX_GROUP * 4);
        tokio::spawn(writer(pool, rx));
        GroupHandle { tx }
    }
}

impl Store {
    /// Commits `writes` together (and together with other callers' writes waiting at that
    /// moment); answers one flag per write (see [`ChannelWrite`]).
    pub async fn channel_writes(&self, writes: Vec<ChannelWrite>, now: Timestamp) -> Result<Vec<bool>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let queues = writes.iter().any(|w| matches!(w, ChannelWrite::Delivery(_)));
        let (reply, answer) = oneshot::channel();
        self.group.tx.send(Pending { writes, now, reply }).await.map_err(|_| StoreError::WriterGone)?;
        let done = answer.await.map_err(|_| StoreError::WriterGone)??;
        if queues {
            self.hooks.deliveries_queued();
        }
        Ok(done)
    }
}

async fn writer(pool: AnyPool, mut rx: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        let pendings = std::mem::take(&mut batch);
        let requests: Vec<(&[ChannelWrite], Timestamp)> =
            pendings.iter().map(|p| (p.writes.as_slice(), p.now)).collect();
        match commit(&pool, &requests).await {
            Ok(results) => {
                for (p, r) in pendings.into_iter().zip(results) {
                    let _ = p.reply.send(Ok(r));
                }
            }
            // One bad request must not fail the others: each alone.
            Err(_) if pendings.len() > 1 => {
                for p in pendings {
                    let r = commit(&pool, &[(p.writes.as_slice(), p.now)]).await;
                    let _ = p.reply.send(r.map(|mut v| v.pop().unwrap_or_default()));
                }
            }
            Err(e) => {
                for p in pendings {
                    let _ = p.reply.send(Err(clone_error(&e)));
                }
            }
        }
    }
}

fn clone_error(e: &StoreError) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(e.to_string()))
}

async fn commit(pool: &AnyPool, requests: &[(&[ChannelWrite], Timestamp)]) -> Result<Vec<Vec<bool>>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut out = Vec::with_capacity(requests.len());
    for (writes, now) in requests {
        let mut flags = Vec::with_capacity(writes.len());
        for w in writes.iter() {
            flags.push(apply(&mut tx, w, *now).await?);
        }
        out.push(flags);
    }
    tx.commit().await?;
    Ok(out)
}

async fn apply(conn: &mut AnyConnection, w: &ChannelWrite, now: Timestamp) -> Result<bool, StoreError> {
    let r = match w {
        ChannelWrite::ClaimKey { key, ticket } => sqlx::query(
            "INSERT INTO channel_keys (key, ticket_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(ticket.0)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?,
        ChannelWrite::SetKey { key, ticket, value } => set_key(conn, key, *ticket, value.as_deref(), now).await?,
        ChannelWrite::Delivery(d) => {
            // One row: either backend's placeholders do.
            return Ok(crate::outbox::insert_deliveries(conn, crate::Backend::Postgres, &[(d, now)]).await? == 1);
        }
    };
    Ok(r.rows_affected() == 1)
}

/// Points `key` at `ticket` with `value`, replacing what was there.
pub(crate) async fn set_key(
    conn: &mut AnyConnection,
    key: &str,
    ticket: TicketId,
    value: Option<&str>,
    now: Timestamp,
) -> Result<sqlx::any::AnyQueryResult, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO channel_keys (key, ticket_id, value, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET ticket_id = excluded.ticket_id, value = excluded.value, \
         updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(ticket.0)
    .bind(value.map(str::to_string))
    .bind(ms(now))
    .execute(&mut *conn)
    .await?)
}

/// A channel key pointed at a ticket, as a batch writes it.
pub(crate) struct KeyRow<'a> {
    pub key: &'a str,
    pub ticket: TicketId,
    pub value: Option<&'a str>,
    pub at: Timestamp,
}

/// Points each key at its ticket (replacing what was there), many rows per statement. A
/// key named twice keeps its last row (one statement may not touch a row twice).
pub(crate) async fn set_keys(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    rows: &[KeyRow<'_>],
) -> Result<(), StoreError> {
    let mut last: Vec<&KeyRow<'_>> = Vec::with_capacity(rows.len());
    for r in rows {
        last.retain(|x| x.key != r.key);
        last.push(r);
    }
    for chunk in last.chunks(crate::sql::rows_per_statement(backend, 4)) {
        let sql = format!(
            "INSERT INTO channel_keys (key, ticket_id, value, updated_at) VALUES {} \
             ON CONFLICT (key) DO UPDATE SET ticket_id = excluded.ticket_id, value = excluded.value, \
             updated_at = excluded.updated_at",
            crate::sql::values_rows_for(backend, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(r.key).bind(r.ticket.0).bind(r.value.map(str::to_string)).bind(ms(r.at));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
