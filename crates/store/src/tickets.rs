//! Reading tickets and their timelines, and changing them through the domain's commands.

use crate::counts::CountDeltas;
use crate::effects::{Change, Owed};
use crate::sql::{ms, values_rows};
use crate::{Reader, Store, StoreError};
use loopdesk_core::event::{apply, Event};
use loopdesk_core::{DomainError, EventData, Ticket, TicketId};
use sqlx::AnyConnection;

/// Columns of `tickets`, in insert order.
const TICKET_COLS: &str = "id, tracking_no, state, priority_rank, channel, category, department_id, assignee_id, \
     customer_phone, customer_email, subject, content, received_at, recorded_at, updated_at, version, doc, needs_triage";
const TICKET_NCOLS: usize = 18;
const EVENT_COLS: &str = "ticket_id, seq, at, kind, public, doc";
const EVENT_NCOLS: usize = 6;
/// Rows per multi-row INSERT. Small on purpose: SQLite resolves `$n` parameters by name,
/// which grows with the square of a statement's parameter count.
const ROWS_PER_INSERT: usize = 16;
/// How often a change is retried when another writer got there first.
const MAX_ATTEMPTS: usize = 5;

/// 1 while the ticket waits for a person to choose its category.
pub(crate) fn needs_triage(t: &Ticket) -> i64 {
    i64::from(t.triage.as_ref().is_some_and(|x| x.needs_manual_triage))
}

/// Inserts tickets, a few rows per statement.
pub(crate) async fn insert_tickets(conn: &mut AnyConnection, tickets: &[Ticket]) -> Result<(), StoreError> {
    for chunk in tickets.chunks(ROWS_PER_INSERT) {
        insert_ticket_rows(conn, chunk).await?;
    }
    Ok(())
}

async fn insert_ticket_rows(conn: &mut AnyConnection, tickets: &[Ticket]) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO tickets ({TICKET_COLS}) VALUES {}", values_rows(tickets.len(), TICKET_NCOLS));
    let mut q = sqlx::query(&sql);
    for t in tickets {
        q = q
            .bind(t.id.0)
            .bind(t.tracking_no.to_string())
            .bind(t.state.as_str())
            .bind(t.priority.rank())
            .bind(t.channel.as_str())
            .bind(t.category.clone().unwrap_or_default())
            .bind(t.department_id.map(|d| d.0))
            .bind(t.assignee_id.map(|u| u.0))
            .bind(t.customer.phone.as_ref().map(|p| p.as_str().to_string()))
            .bind(t.customer.email.as_ref().map(|e| e.as_str().to_lowercase()))
            .bind(t.subject.clone())
            .bind(t.content.clone())
            .bind(ms(t.received_at))
            .bind(ms(t.recorded_at))
            .bind(ms(t.updated_at))
            .bind(t.version)
            .bind(serde_json::to_string(t)?)
            .bind(needs_triage(t));
    }
    q.execute(&mut *conn).await.map_err(|e| StoreError::on_unique(e, "tracking_no"))?;
    Ok(())
}

/// Appends events, a few rows per statement.
pub(crate) async fn insert_events(conn: &mut AnyConnection, events: &[Event]) -> Result<(), StoreError> {
    for chunk in events.chunks(ROWS_PER_INSERT * 2) {
        insert_event_rows(conn, chunk).await?;
    }
    Ok(())
}

async fn insert_event_rows(conn: &mut AnyConnection, events: &[Event]) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO events ({EVENT_COLS}) VALUES {}", values_rows(events.len(), EVENT_NCOLS));
    let mut q = sqlx::query(&sql);
    for e in events {
        q = q
            .bind(e.ticket_id.0)
            .bind(e.seq)
            .bind(ms(e.at))
            .bind(e.data.kind())
            .bind(i64::from(e.data.is_public()))
            .bind(serde_json::to_string(e)?);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Loads one ticket by id on `conn`.
pub(crate) async fn load(conn: &mut AnyConnection, id: TicketId) -> Result<Ticket, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT doc FROM tickets WHERE id = $1").bind(id.0).fetch_optional(&mut *conn).await?;
    let (doc,) = row.ok_or(StoreError::NotFound { what: "ticket" })?;
    Ok(serde_json::from_str(&doc)?)
}

/// The whole timeline of a ticket on `conn`, oldest first.
async fn timeline_on(conn: &mut AnyConnection, id: TicketId) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT doc FROM events WHERE ticket_id = $1 ORDER BY seq")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|(doc,)| serde_json::from_str(doc).map_err(StoreError::from)).collect()
}

/// What a change appends: events, and what this change owes besides what every change
/// owes (a notification only this use case calls for).
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub events: Vec<Event>,
    pub owed: Owed,
}

impl From<Vec<Event>> for Decision {
    fn from(events: Vec<Event>) -> Decision {
        Decision { events, owed: Owed::default() }
    }
}

impl Store {
    /// Changes a ticket: `decide` sees the current ticket and returns the events to append
    /// (usually one, from `loopdesk_core::event::decide`). The row, the events, the counts
    /// and what the change owes (see [`crate::Effects`]) are written in one
    /// transaction; if another writer changed the ticket in between, the decision is taken
    /// again on the fresh ticket.
    pub async fn change<F>(&self, id: TicketId, mut decide: F) -> Result<(Ticket, Vec<Event>), StoreError>
    where
        F: FnMut(&Ticket) -> Result<Vec<Event>, DomainError>,
    {
        self.change_with(id, |t| decide(t).map(Decision::from)).await
    }

    /// Like [`Store::change`], with what the caller's own change owes (a notification only
    /// it calls for, a follow-up timer) written in the same transaction as the events.
    pub async fn change_with<F>(&self, id: TicketId, mut decide: F) -> Result<(Ticket, Vec<Event>), StoreError>
    where
        F: FnMut(&Ticket) -> Result<Decision, DomainError>,
    {
        // Changes to one ticket from this process take turns; other nodes are caught by the
        // version check below and retried.
        let _turn = self.ticket_locks.lock(id).await;
        for _ in 0..MAX_ATTEMPTS {
            let before = self.ticket(id).await?;
            let decision = decide(&before)?;
            let mut after = before.clone();
            for e in &decision.events {
                apply(&mut after, e);
            }
            if self.try_write_change(&before, &after, &decision).await? {
                return Ok((after, decision.events));
            }
        }
        Err(StoreError::Conflict)
    }

    /// Writes a decided change unless the ticket moved on meanwhile (returns false then).
    async fn try_write_change(&self, before: &Ticket, after: &Ticket, decision: &Decision) -> Result<bool, StoreError> {
        let events = &decision.events;
        let mut tx = self.pool.begin().await?;
        // The version check makes this optimistic: the first statement is the write, so
        // SQLite takes its write lock here and never has to upgrade a read snapshot.
        let updated = sqlx::query(
            "UPDATE tickets SET state = $1, priority_rank = $2, category = $3, department_id = $4, \
             assignee_id = $5, updated_at = $6, version = $7, doc = $8, needs_triage = $9 \
             WHERE id = $10 AND version = $11",
        )
        .bind(after.state.as_str())
        .bind(after.priority.rank())
        .bind(after.category.clone().unwrap_or_default())
        .bind(after.department_id.map(|d| d.0))
        .bind(after.assignee_id.map(|u| u.0))
        .bind(ms(after.updated_at))
        .bind(after.version)
        .bind(serde_json::to_string(after)?)
        .bind(needs_triage(after))
        .bind(after.id.0)
        .bind(before.version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        insert_events(&mut tx, events).await?;
        crate::search::index_change(&mut tx, self.backend, after, events).await?;
        crate::live::record(&mut tx, after, events).await?;
        for e in events {
            if let EventData::CollaboratorAdded { user_id } = e.data {
                sqlx::query(
                    "INSERT INTO ticket_collaborators (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(after.id.0)
                .bind(user_id.0)
                .execute(&mut *tx)
                .await?;
            }
        }
        let mut deltas = CountDeltas::default();
        deltas.moved(before, after);
        deltas.flush(&mut tx).await?;
        let timeline = timeline_on(&mut tx, after.id).await?;
        let before_len = timeline.len().saturating_sub(events.len());
        let change = Change { before: Some(before), after, timeline: &timeline, before_len, reply_to: None };
        // The caller's own first: a later job with the same key wins.
        let mut owed = decision.owed.clone();
        owed.extend(self.hooks.effects.owed(&change));
        let earliest = write_owed(&mut tx, after, &owed).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        if !owed.deliveries.is_empty() {
            self.hooks.deliveries_queued();
        }
        Ok(true)
    }
}

impl Reader {
    /// One ticket by id.
    pub async fn ticket(&self, id: TicketId) -> Result<Ticket, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// The whole timeline of a ticket, oldest first.
    pub async fn timeline(&self, id: TicketId) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        timeline_on(&mut conn, id).await
    }
}

/// Writes what a change of `ticket` owes inside its transaction; returns the earliest run_at
/// of the jobs it enqueued, for the worker signal.
pub(crate) async fn write_owed(
    conn: &mut AnyConnection,
    ticket: &Ticket,
    owed: &Owed,
) -> Result<Option<i64>, StoreError> {
    let earliest = crate::jobs::write_ops(conn, &owed.jobs).await?;
    for d in &owed.deliveries {
        crate::outbox::insert_delivery(conn, d, ticket.updated_at).await?;
    }
    for k in &owed.keys {
        crate::group::set_key(conn, &k.key, ticket.id, k.value.as_deref(), ticket.updated_at).await?;
    }
    crate::rollup::record_sla_results(conn, ticket, &owed.sla_results).await?;
    Ok(earliest)
}
