//! Reading tickets and their timelines, and changing them through the domain's commands.

use crate::effects::Owed;
use crate::sql::{ms, rows_per_statement, values_rows_for};
use crate::{Backend, Reader, StoreError};
use loopdesk_core::event::Event;
use loopdesk_core::{Ticket, TicketId};
use sqlx::AnyConnection;

/// Columns of `tickets`, in insert order.
const TICKET_COLS: &str = "id, tracking_no, state, priority_rank, channel, category, department_id, assignee_id, \
     customer_phone, customer_email, subject, content, received_at, recorded_at, updated_at, version, doc, needs_triage, \
     sla_due";
const TICKET_NCOLS: usize = 19;
const EVENT_COLS: &str = "ticket_id, seq, at, kind, public, doc";
const EVENT_NCOLS: usize = 6;

/// 1 while the ticket waits for a person to choose its category.
pub(crate) fn needs_triage(t: &Ticket) -> i64 {
    i64::from(t.triage.as_ref().is_some_and(|x| x.needs_manual_triage))
}

/// A ticket and its stored JSON document, serialised before the write (in the caller's
/// task, for intake, so the single writer only writes).
pub(crate) struct TicketRow<'a> {
    pub ticket: &'a Ticket,
    pub doc: String,
    /// Its SLA due time (see [`crate::SlaDue`]), when known at the insert.
    pub sla_due: Option<i64>,
}

impl<'a> TicketRow<'a> {
    pub(crate) fn of(ticket: &'a Ticket) -> Result<TicketRow<'a>, StoreError> {
        Ok(TicketRow { ticket, doc: serde_json::to_string(ticket)?, sla_due: None })
    }
}

/// Sets tickets' SLA due times (`None` clears one), many rows per statement.
pub(crate) async fn set_sla_due(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(TicketId, Option<i64>)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(rows_per_statement(backend, 2)) {
        let sql = format!(
            "WITH v (id, due) AS (VALUES {}) UPDATE tickets SET sla_due = v.due FROM v WHERE tickets.id = v.id",
            values_rows_for(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (id, due) in chunk {
            q = q.bind(id.0).bind(*due);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
        for TicketRow { ticket: t, doc, sla_due } in chunk {
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
                .bind(needs_triage(t))
                .bind(*sla_due);
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

/// Writes what several changes owe, a few multi-row statements for all of them.
pub(crate) async fn write_owed_many(
    conn: &mut AnyConnection,
    backend: Backend,
    zone: chrono_tz::Tz,
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
    crate::rollup::record_sla_results(conn, backend, zone, &results).await?;
    Ok(earliest)
}
