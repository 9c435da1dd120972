//! Retention: finding finished tickets whose personal data has been kept long enough, and
//! anonymising them in place, one chunk per transaction; legal holds that stop it; and the
//! record of each run.
//!
//! A chunk reads its tickets and timelines and rewrites them inside one write transaction,
//! so nothing changes a ticket between the read and the write, and a run that dies part way
//! has either done a chunk whole or not at all: the next run finds what is left by
//! `anonymised_at IS NULL`, and each chunk adds its counts to the run's row in the same
//! transaction, so nothing is done or counted twice.
//!
//! Everything that holds the person goes in the chunk's transaction: the ticket's contact
//! columns and document, every event, the attachments' bytes, the outbox's addresses and
//! rendered messages, the search index's words, channel thread keys (a WeChat OpenID, a
//! Message-ID), idempotency keys, and the customer key of duplicate detection (renamed per
//! cluster so each cluster still counts the same number of customers). SQLite zeroes what
//! it frees (`secure_delete`, set on every connection that writes). Its full-text index
//! marks a rewritten ticket's old words deleted and drops them only when the segments
//! holding them are merged, so after a run the index is merged whole, a few pages per
//! transaction ([`Store::merge_search_index_step`]); FTS5's own `secure-delete` option
//! would do it per ticket, but costs a scan of every common word's list per delete.

use crate::sql::{from_ms, ms, rows_per_statement, values_rows_for};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::event::Event;
use loopdesk_core::retention::{anonymise_event, anonymise_ticket, Known};
use loopdesk_core::{Ticket, TicketId, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The states a ticket ends in; only these are ever anonymised.
const ENDED: &str = "('closed', 'rejected', 'merged')";

/// Where a run has got to, in the order of the `tickets_retention` index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCursor {
    pub updated_at: i64,
    pub id: i64,
}

/// What one chunk (or a whole run) did, or would do in a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionCounts {
    /// Finished tickets old enough for the shortest period, not on hold.
    pub looked_at: u64,
    /// Anonymised.
    pub tickets: u64,
    /// Events rewritten.
    pub events: u64,
    /// Attachments deleted.
    pub attachments: u64,
    /// Outbox deliveries cleared.
    pub deliveries: u64,
}

impl std::ops::AddAssign for RetentionCounts {
    fn add_assign(&mut self, o: RetentionCounts) {
        self.looked_at += o.looked_at;
        self.tickets += o.tickets;
        self.events += o.events;
        self.attachments += o.attachments;
        self.deliveries += o.deliveries;
    }
}

/// One chunk's outcome: its counts, and where the next chunk starts (`None`: nothing left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionChunk {
    pub counts: RetentionCounts,
    pub next: Option<RetentionCursor>,
}

/// One run, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRun {
    pub id: i64,
    /// The time the run judged by (a `--now` run's chosen time).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub as_of: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub started_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub finished_at: Option<Timestamp>,
    pub tickets: u64,
    pub events: u64,
    pub attachments: u64,
    pub deliveries: u64,
}

/// A legal hold: while active, the ticket (or every ticket of the customer) keeps its
/// personal data whatever the policy says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalHold {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub ticket_id: Option<TicketId>,
    /// The customer's phone (E.164) or e-mail (lower case).
    pub customer: Option<String>,
    pub reason: String,
    pub created_by: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub released_by: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub released_at: Option<Timestamp>,
    pub release_reason: Option<String>,
}

/// What a hold covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldTarget {
    Ticket(TicketId),
    /// A phone in E.164 or an e-mail in lower case, as the contact columns hold them.
    Customer(String),
}

type HoldRow = (i64, Option<i64>, Option<String>, String, i64, i64, Option<i64>, Option<i64>, Option<String>);

fn hold_of(r: HoldRow) -> LegalHold {
    LegalHold {
        id: r.0,
        ticket_id: r.1.map(TicketId),
        customer: r.2,
        reason: r.3,
        created_by: r.4,
        created_at: from_ms(r.5),
        released_by: r.6,
        released_at: r.7.map(from_ms),
        release_reason: r.8,
    }
}

const HOLD_COLS: &str =
    "id, ticket_id, customer, reason, created_by, created_at, released_by, released_at, release_reason";

/// The finished tickets after `after` that ended before `cutoff` and are not held.
async fn candidates(
    conn: &mut AnyConnection,
    backend: Backend,
    cutoff: Timestamp,
    after: RetentionCursor,
    limit: usize,
) -> Result<Vec<(Ticket, i64)>, StoreError> {
    // SQLite's planner, without statistics, picks the state index and sorts every
    // finished ticket for each chunk; the retention index gives them in order.
    let hint = match backend {
        Backend::Sqlite => "INDEXED BY tickets_retention",
        Backend::Postgres => "",
    };
    let sql = format!(
        "SELECT t.doc, t.updated_at FROM tickets t {hint} \
         WHERE t.anonymised_at IS NULL AND t.state IN {ENDED} AND t.updated_at < $1 \
           AND (t.updated_at, t.id) > ($2, $3) \
           AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL \
               AND (h.ticket_id = t.id OR h.customer = t.customer_phone OR h.customer = t.customer_email)) \
         ORDER BY t.updated_at, t.id LIMIT $4"
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
        .bind(ms(cutoff))
        .bind(after.updated_at)
        .bind(after.id)
        .bind(limit as i64)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(|(doc, updated)| Ok((serde_json::from_str(&doc)?, updated))).collect()
}

/// The timelines of `ids`, by ticket, oldest event first.
async fn timelines(conn: &mut AnyConnection, ids: &[i64]) -> Result<BTreeMap<i64, Vec<Event>>, StoreError> {
    let mut out: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT ticket_id, doc FROM events WHERE ticket_id IN ({}) ORDER BY ticket_id, seq",
            placeholders(chunk.len(), 1)
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for (id, doc) in q.fetch_all(&mut *conn).await? {
            out.entry(id).or_default().push(serde_json::from_str(&doc)?);
        }
    }
    Ok(out)
}

/// `$from, $from+1, …`: `n` placeholders.
fn placeholders(n: usize, from: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// One ticket of a chunk, before and after.
struct Planned {
    ticket: Ticket,
    events: Vec<(Event, bool)>,
    /// The version read, so a change that slipped in between is noticed (PostgreSQL).
    version: i64,
}

/// Reads a chunk and works out each due ticket's anonymised form.
async fn plan(
    conn: &mut AnyConnection,
    backend: Backend,
    cutoff: Timestamp,
    after: RetentionCursor,
    limit: usize,
    due: &(dyn Fn(&Ticket) -> bool + Send + Sync),
) -> Result<(Vec<Planned>, RetentionChunk), StoreError> {
    let found = candidates(conn, backend, cutoff, after, limit).await?;
    let next = found.last().map(|(t, updated)| RetentionCursor { updated_at: *updated, id: t.id.0 });
    let mut counts = RetentionCounts { looked_at: found.len() as u64, ..Default::default() };
    let due: Vec<Ticket> = found.into_iter().map(|(t, _)| t).filter(|t| due(t)).collect();
    let ids: Vec<i64> = due.iter().map(|t| t.id.0).collect();
    let mut timelines = timelines(conn, &ids).await?;
    let mut planned = Vec::with_capacity(due.len());
    for mut ticket in due {
        let events = timelines.remove(&ticket.id.0).unwrap_or_default();
        let mut known = Known::of(&ticket.customer);
        for e in &events {
            if let loopdesk_core::EventData::Created { ticket: first } = &e.data {
                known.add(&first.customer);
            }
        }
        let version = ticket.version;
        anonymise_ticket(&mut ticket, &known);
        let events = events
            .into_iter()
            .map(|mut e| {
                let before = e.clone();
                anonymise_event(&mut e, &known);
                let changed = e != before;
                (e, changed)
            })
            .collect::<Vec<_>>();
        counts.tickets += 1;
        counts.events += events.iter().filter(|(_, changed)| *changed).count() as u64;
        planned.push(Planned { ticket, events, version });
    }
    let next = if counts.looked_at < limit as u64 { None } else { next };
    Ok((planned, RetentionChunk { counts, next }))
}

impl Reader {
    /// What [`Store::anonymise_chunk`] would do, changing nothing (attachments and
    /// deliveries are counted as they stand).
    pub async fn retention_dry_chunk(
        &self,
        cutoff: Timestamp,
        after: RetentionCursor,
        limit: usize,
        due: &(dyn Fn(&Ticket) -> bool + Send + Sync),
    ) -> Result<RetentionChunk, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let (planned, mut chunk) = plan(&mut conn, self.backend, cutoff, after, limit, due).await?;
        let ids: Vec<i64> = planned.iter().map(|p| p.ticket.id.0).collect();
        chunk.counts.attachments = count_of(&mut conn, "attachments", &ids).await?;
        chunk.counts.deliveries = count_of(&mut conn, "deliveries", &ids).await?;
        Ok(chunk)
    }

    /// Finished tickets old enough for `cutoff` that a hold keeps.
    pub async fn retention_held(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM tickets t \
             WHERE t.anonymised_at IS NULL AND t.state IN {ENDED} AND t.updated_at < $1 \
               AND EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL \
                   AND (h.ticket_id = t.id OR h.customer = t.customer_phone OR h.customer = t.customer_email))"
        );
        let (n,): (i64,) = sqlx::query_as(&sql).bind(ms(cutoff)).fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Legal holds, newest first; released ones too when `all`.
    pub async fn legal_holds(&self, all: bool) -> Result<Vec<LegalHold>, StoreError> {
        let filter = if all { "" } else { "WHERE released_at IS NULL" };
        let sql = format!("SELECT {HOLD_COLS} FROM legal_holds {filter} ORDER BY id DESC LIMIT 1000");
        let rows: Vec<HoldRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(hold_of).collect())
    }

    /// One legal hold.
    pub async fn legal_hold(&self, id: i64) -> Result<LegalHold, StoreError> {
        let sql = format!("SELECT {HOLD_COLS} FROM legal_holds WHERE id = $1");
        let row: Option<HoldRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(hold_of).ok_or(StoreError::NotFound { what: "legal hold" })
    }

    /// When a ticket was anonymised, if it was.
    pub async fn anonymised_at(&self, ticket: TicketId) -> Result<Option<Timestamp>, StoreError> {
        let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT anonymised_at FROM tickets WHERE id = $1")
            .bind(ticket.0)
            .fetch_optional(&self.pool)
            .await?;
        let (at,) = row.ok_or(StoreError::NotFound { what: "ticket" })?;
        Ok(at.map(from_ms))
    }

    /// The newest run judging by `as_of` that has not finished (one killed part way).
    pub async fn unfinished_retention_run(&self, as_of: Timestamp) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM retention_runs WHERE as_of = $1 AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(ms(as_of))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// The latest runs, newest first.
    pub async fn retention_runs(&self, limit: i64) -> Result<Vec<RetentionRun>, StoreError> {
        let rows: Vec<RunRow> = sqlx::query_as(&format!("{RUN_SELECT} ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(run_of).collect())
    }

    /// One run.
    pub async fn retention_run(&self, id: i64) -> Result<RetentionRun, StoreError> {
        let row: Option<RunRow> =
            sqlx::query_as(&format!("{RUN_SELECT} WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(run_of).ok_or(StoreError::NotFound { what: "retention run" })
    }
}

type RunRow = (i64, i64, i64, Option<i64>, i64, i64, i64, i64);

const RUN_SELECT: &str =
    "SELECT id, as_of, started_at, finished_at, tickets, events, attachments, deliveries FROM retention_runs";

fn run_of(r: RunRow) -> RetentionRun {
    RetentionRun {
        id: r.0,
        as_of: from_ms(r.1),
        started_at: from_ms(r.2),
        finished_at: r.3.map(from_ms),
        tickets: r.4 as u64,
        events: r.5 as u64,
        attachments: r.6 as u64,
        deliveries: r.7 as u64,
    }
}

async fn count_of(conn: &mut AnyConnection, table: &str, ids: &[i64]) -> Result<u64, StoreError> {
    let mut total = 0;
    for chunk in ids.chunks(500) {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE ticket_id IN ({})", placeholders(chunk.len(), 1));
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        total += q.fetch_one(&mut *conn).await?.0 as u64;
    }
    Ok(total)
}

/// `DELETE`/`UPDATE … WHERE ticket_id IN (ids)`, returning the rows it touched.
async fn by_tickets(conn: &mut AnyConnection, statement: &str, ids: &[i64]) -> Result<u64, StoreError> {
    let mut total = 0;
    for chunk in ids.chunks(500) {
        let sql = format!("{statement} WHERE ticket_id IN ({})", placeholders(chunk.len(), 1));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        total += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(total)
}

impl Store {
    /// Records the start of a run judging by `as_of`.
    pub async fn start_retention_run(&self, as_of: Timestamp, started_at: Timestamp) -> Result<i64, StoreError> {
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO retention_runs (as_of, started_at) VALUES ($1, $2) RETURNING id")
                .bind(ms(as_of))
                .bind(ms(started_at))
                .fetch_one(&self.pool)
                .await?;
        Ok(id)
    }

    /// Records the end of a run, and deletes the finished jobs that ran before `cutoff`: their
    /// payloads carry the texts of the notifications they composed. (The weekly purge takes
    /// done jobs long before; this takes the failed ones, which it keeps for inspection.)
    pub async fn finish_retention_run(&self, run: i64, cutoff: Timestamp, at: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM jobs WHERE state IN ('done', 'failed') AND run_at < $1")
            .bind(ms(cutoff))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE retention_runs SET finished_at = $1 WHERE id = $2 AND finished_at IS NULL")
            .bind(ms(at))
            .bind(run)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Anonymises up to `limit` finished, unheld tickets after `after` that ended before
    /// `cutoff` and that `due` says are due, in one transaction, adding the counts to run
    /// `run`.
    pub async fn anonymise_chunk(
        &self,
        run: i64,
        cutoff: Timestamp,
        after: RetentionCursor,
        limit: usize,
        at: Timestamp,
        due: &(dyn Fn(&Ticket) -> bool + Send + Sync),
    ) -> Result<RetentionChunk, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (planned, mut chunk) = plan(&mut tx, self.backend, cutoff, after, limit, due).await?;
        if !planned.is_empty() {
            let backend = self.backend;
            let ids: Vec<i64> = planned.iter().map(|p| p.ticket.id.0).collect();
            write_tickets(&mut tx, backend, &planned, at).await?;
            write_events(&mut tx, backend, &planned).await?;
            chunk.counts.attachments = by_tickets(&mut tx, "DELETE FROM attachments", &ids).await?;
            chunk.counts.deliveries =
                by_tickets(&mut tx, "UPDATE deliveries SET target = '', payload = '{}'", &ids).await?;
            by_tickets(&mut tx, "DELETE FROM channel_keys", &ids).await?;
            by_tickets(&mut tx, "DELETE FROM idempotency_keys", &ids).await?;
            forget_customer_keys(&mut tx, backend, &ids).await?;
            let tickets: Vec<Ticket> = planned.iter().map(|p| p.ticket.clone()).collect();
            let events: Vec<Event> = planned.iter().flat_map(|p| p.events.iter().map(|(e, _)| e.clone())).collect();
            crate::search::index_new(&mut tx, backend, &tickets, &events).await?;
            let c = chunk.counts;
            sqlx::query(
                "UPDATE retention_runs SET tickets = tickets + $1, events = events + $2, \
                 attachments = attachments + $3, deliveries = deliveries + $4 WHERE id = $5",
            )
            .bind(c.tickets as i64)
            .bind(c.events as i64)
            .bind(c.attachments as i64)
            .bind(c.deliveries as i64)
            .bind(run)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(chunk)
    }

    /// SQLite: copies the whole write-ahead log into the database file and empties it, so
    /// page images from before a retention run do not stay readable in the log. Runs on the
    /// writer's connection between write transactions (like the checkpointer's rewind);
    /// false when a long reader kept it from finishing (the next run tries again).
    pub async fn clear_write_ahead_log(&self) -> Result<bool, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(true);
        }
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
        Ok(busy == 0)
    }

    /// SQLite: one step of merging the whole full-text index into one segment, `pages`
    /// pages of work in its own short transaction, which drops every word that rewritten
    /// or deleted rows left behind. True while there was work to do. The number of index
    /// blocks says how many steps a whole pass takes. PostgreSQL: nothing to do (old row
    /// versions are vacuumed).
    pub async fn merge_search_index_step(&self, pages: i64) -> Result<bool, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        let (before,): (i64,) = sqlx::query_as("SELECT total_changes()").fetch_one(&mut *tx).await?;
        // A negative page count merges every segment, not only those of a crowded level:
        // an 'optimize' done in steps.
        sqlx::query("INSERT INTO ticket_search (ticket_search, rank) VALUES ('merge', $1)")
            .bind(-pages.max(1))
            .execute(&mut *tx)
            .await?;
        let (after,): (i64,) = sqlx::query_as("SELECT total_changes()").fetch_one(&mut *tx).await?;
        tx.commit().await?;
        // The INSERT itself counts as one change.
        Ok(after - before > 1)
    }

    /// Blocks of the full-text index (about one page each).
    pub async fn search_index_blocks(&self) -> Result<i64, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ticket_search_data").fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// Places a legal hold.
    pub async fn place_hold(
        &self,
        target: &HoldTarget,
        reason: &str,
        by: i64,
        at: Timestamp,
    ) -> Result<LegalHold, StoreError> {
        let (ticket, customer) = match target {
            HoldTarget::Ticket(t) => (Some(t.0), None),
            HoldTarget::Customer(c) => (None, Some(c.as_str())),
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO legal_holds (ticket_id, customer, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(ticket)
        .bind(customer)
        .bind(reason)
        .bind(by)
        .bind(ms(at))
        .fetch_one(&self.pool)
        .await?;
        self.legal_hold(id).await
    }

    /// Releases an active hold; a released one stays as it was (`Conflict`).
    pub async fn release_hold(&self, id: i64, reason: &str, by: i64, at: Timestamp) -> Result<LegalHold, StoreError> {
        let done = sqlx::query(
            "UPDATE legal_holds SET released_by = $1, released_at = $2, release_reason = $3 \
             WHERE id = $4 AND released_at IS NULL",
        )
        .bind(by)
        .bind(ms(at))
        .bind(reason)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            // Missing, or released already.
            self.legal_hold(id).await?;
            return Err(StoreError::Conflict);
        }
        self.legal_hold(id).await
    }
}

/// Rewrites the tickets' contact columns, texts and documents, and marks them anonymised.
async fn write_tickets(
    conn: &mut AnyConnection,
    backend: Backend,
    planned: &[Planned],
    at: Timestamp,
) -> Result<(), StoreError> {
    const COLS: usize = 5;
    for chunk in planned.chunks(rows_per_statement(backend, COLS)) {
        let sql = format!(
            "WITH v (id, version, subject, content, doc) AS (VALUES {}) \
             UPDATE tickets SET customer_phone = NULL, customer_email = NULL, subject = v.subject, \
                 content = v.content, doc = v.doc, anonymised_at = ${} \
             FROM v WHERE tickets.id = v.id AND tickets.version = v.version AND tickets.anonymised_at IS NULL",
            values_rows_for(backend, chunk.len(), COLS),
            chunk.len() * COLS + 1
        );
        let sql = match backend {
            // SQLite numbers its `?` itself; the last one is the time.
            Backend::Sqlite => sql.replace(&format!("${}", chunk.len() * COLS + 1), "?"),
            Backend::Postgres => sql,
        };
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q
                .bind(p.ticket.id.0)
                .bind(p.version)
                .bind(p.ticket.subject.clone())
                .bind(p.ticket.content.clone())
                .bind(serde_json::to_string(&p.ticket)?);
        }
        let done = q.bind(ms(at)).execute(&mut *conn).await?;
        if done.rows_affected() != chunk.len() as u64 {
            // A ticket changed since it was read (another node): the chunk is rolled back
            // and the job tries again.
            return Err(StoreError::Conflict);
        }
    }
    Ok(())
}

/// Rewrites the events whose text changed.
async fn write_events(conn: &mut AnyConnection, backend: Backend, planned: &[Planned]) -> Result<(), StoreError> {
    const COLS: usize = 3;
    let changed: Vec<&Event> =
        planned.iter().flat_map(|p| p.events.iter().filter(|(_, c)| *c).map(|(e, _)| e)).collect();
    for chunk in changed.chunks(rows_per_statement(backend, COLS)) {
        let sql = format!(
            "WITH v (ticket_id, seq, doc) AS (VALUES {}) UPDATE events SET doc = v.doc \
             FROM v WHERE events.ticket_id = v.ticket_id AND events.seq = v.seq",
            values_rows_for(backend, chunk.len(), COLS)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q.bind(e.ticket_id.0).bind(e.seq).bind(serde_json::to_string(e)?);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replaces the tickets' customer keys in duplicate detection by `anon:<ticket>`. A
/// cluster's row for the customer is renamed the same way once no other ticket of that
/// customer in the cluster keeps the key, so the cluster still counts them once.
async fn forget_customer_keys(conn: &mut AnyConnection, backend: Backend, ids: &[i64]) -> Result<(), StoreError> {
    let mut pairs: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT ticket_id, cluster_id, customer_key FROM ticket_signatures \
             WHERE customer_key NOT LIKE 'anon:%' AND ticket_id IN ({})",
            placeholders(chunk.len(), 1)
        );
        let mut q = sqlx::query_as::<_, (i64, i64, String)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for (ticket, cluster, key) in q.fetch_all(&mut *conn).await? {
            pairs.entry((cluster, key)).or_insert(ticket);
        }
    }
    by_tickets(conn, "UPDATE ticket_signatures SET customer_key = 'anon:' || ticket_id", ids).await?;
    let pairs: Vec<_> = pairs.into_iter().collect();
    for chunk in pairs.chunks(rows_per_statement(backend, 3)) {
        let sql = format!(
            "WITH v (c, k, t) AS (VALUES {}) \
             UPDATE cluster_customers SET customer_key = 'anon:' || v.t FROM v \
             WHERE cluster_customers.cluster_id = v.c AND cluster_customers.customer_key = v.k \
               AND NOT EXISTS (SELECT 1 FROM ticket_signatures s WHERE s.customer_key = v.k AND s.cluster_id = v.c)",
            values_rows_for(backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for ((cluster, key), ticket) in chunk {
            q = q.bind(*cluster).bind(key.as_str()).bind(*ticket);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
