//! Reading tickets and their timelines, and changing them through the domain's commands.

use crate::counts::CountDeltas;
use crate::effects::{Change, Owed};
use crate::sql::{ms, rows_per_statement, values_rows_for};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::event::{apply, Event};
use loopdesk_core::{DomainError, EventData, Ticket, TicketId};
use sqlx::AnyConnection;

/// Columns of `tickets`, in insert order.
const TICKET_COLS: &str = "id, tracking_no, state, priority_rank, channel, category, department_id, assignee_id, \
     customer_phone, customer_email, subject, content, received_at, recorded_at, updated_at, version, doc, needs_triage";
const TICKET_NCOLS: usize = 18;
const EVENT_COLS: &str = "ticket_id, seq, at, kind, public, doc";
const EVENT_NCOLS: usize = 6;
/// How often a change is retried when another writer got there first.
const MAX_ATTEMPTS: usize = 5;

/// 1 while the ticket waits for a person to choose its category.
pub(crate) fn needs_triage(t: &Ticket) -> i64 {
    i64::from(t.triage.as_ref().is_some_and(|x| x.needs_manual_triage))
}

/// A ticket and its stored JSON document, serialised before the write (in the caller's
/// task, for intake, so the single writer only writes).
pub(crate) struct TicketRow<'a> {
    pub ticket: &'a Ticket,
    pub doc: String,
}

impl<'a> TicketRow<'a> {
    pub(crate) fn of(ticket: &'a Ticket) -> Result<TicketRow<'a>, StoreError> {
        Ok(TicketRow { ticket, doc: serde_json::to_string(ticket)? })
    }
}

/// An event and its stored JSON document.
pub(crate) struct EventRow<'a> {
    pub event: &'a Event,
    pub doc: String,
}

impl<'a> EventRow<'a> {
    pub(crate) fn of(event: &'a Event) -> Result<EventRow<'a>, StoreError> {
        Ok(EventRow { event, doc: serde_json::to_string(event)? })
    }
}

/// Inserts tickets, many rows per statement.
pub(crate) async fn insert_tickets(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[TicketRow<'_>],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(rows_per_statement(backend, TICKET_NCOLS)) {
        let values = values_rows_for(backend, chunk.len(), TICKET_NCOLS);
        let sql = format!("INSERT INTO tickets ({TICKET_COLS}) VALUES {values}");
        let mut q = sqlx::query(&sql);
        for TicketRow { ticket: t, doc } in chunk {
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
                .bind(doc.as_str())
                .bind(needs_triage(t));
        }
        q.execute(&mut *conn).await.map_err(|e| StoreError::on_unique(e, "tracking_no"))?;
    }
    Ok(())
}

/// Appends events, many rows per statement.
pub(crate) async fn insert_events(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[EventRow<'_>],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(rows_per_statement(backend, EVENT_NCOLS)) {
        let sql =
            format!("INSERT INTO events ({EVENT_COLS}) VALUES {}", values_rows_for(backend, chunk.len(), EVENT_NCOLS));
        let mut q = sqlx::query(&sql);
        for EventRow { event: e, doc } in chunk {
            q = q
                .bind(e.ticket_id.0)
                .bind(e.seq)
                .bind(ms(e.at))
                .bind(e.data.kind())
                .bind(i64::from(e.data.is_public()))
                .bind(doc.as_str());
        }
        q.execute(&mut *conn).await?;
    }
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
        let rows = events.iter().map(EventRow::of).collect::<Result<Vec<_>, _>>()?;
        insert_events(&mut tx, self.backend, &rows).await?;
        crate::search::index_change(&mut tx, self.backend, after, events).await?;
        crate::live::record(&mut tx, self.backend, after, events).await?;
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
        let earliest = write_owed(&mut tx, self.backend, after, &owed).await?;
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
    backend: Backend,
    ticket: &Ticket,
    owed: &Owed,
) -> Result<Option<i64>, StoreError> {
    write_owed_many(conn, backend, &[(ticket, owed)]).await
}

/// Writes what several changes owe, a few multi-row statements for all of them.
pub(crate) async fn write_owed_many(
    conn: &mut AnyConnection,
    backend: Backend,
    owed: &[(&Ticket, &Owed)],
) -> Result<Option<i64>, StoreError> {
    let jobs: Vec<crate::JobOp> = owed.iter().flat_map(|(_, o)| o.jobs.iter().cloned()).collect();
    let earliest = crate::jobs::write_ops(conn, &jobs).await?;
    let deliveries: Vec<(&crate::NewDelivery, loopdesk_core::Timestamp)> =
        owed.iter().flat_map(|(t, o)| o.deliveries.iter().map(|d| (d, t.updated_at))).collect();
    crate::outbox::insert_deliveries(conn, backend, &deliveries).await?;
    let keys: Vec<crate::group::KeyRow<'_>> = owed
        .iter()
        .flat_map(|(t, o)| {
            o.keys.iter().map(|k| crate::group::KeyRow {
                key: &k.key,
                ticket: t.id,
                value: k.value.as_deref(),
                at: t.updated_at,
            })
        })
        .collect();
    crate::group::set_keys(conn, backend, &keys).await?;
    let results: Vec<(&Ticket, &crate::CompletedTarget)> =
        owed.iter().flat_map(|(t, o)| o.sla_results.iter().map(move |r| (*t, r))).collect();
    crate::rollup::record_sla_results(conn, backend, &results).await?;
    Ok(earliest)
}
