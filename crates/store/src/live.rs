//! The live feed: a row per ticket change, written in the change's own transaction, that
//! every node tails to push updates to open console pages (several nodes on one
//! PostgreSQL all hear every change). Rows carry the ticket id, the event kind and what
//! access checks need (department, assignee, collaborators), nothing personal.

use crate::sql::{from_ms, ms, rows_per_statement, values_rows_for};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::{DepartmentId, Event, Ticket, TicketId, Timestamp, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

/// One change to a ticket, as the live feed tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveChange {
    /// Position in the feed.
    pub id: i64,
    pub ticket_id: TicketId,
    /// The event kind (`created`, `replied`, `assigned` …).
    pub kind: String,
    /// The ticket's version after the change.
    pub version: i64,
    #[serde(skip)]
    pub department_id: Option<DepartmentId>,
    #[serde(skip)]
    pub assignee_id: Option<UserId>,
    #[serde(skip)]
    pub collaborators: Vec<UserId>,
    #[serde(skip)]
    pub at: Timestamp,
}

type Row = (i64, i64, String, i64, Option<i64>, Option<i64>, String, i64);

impl From<Row> for LiveChange {
    fn from((id, ticket_id, kind, version, dept, assignee, collaborators, at): Row) -> LiveChange {
        LiveChange {
            id,
            ticket_id: TicketId(ticket_id),
            kind,
            version,
            department_id: dept.map(DepartmentId),
            assignee_id: assignee.map(UserId),
            collaborators: collaborators.split(',').filter_map(|s| s.parse().ok()).map(UserId).collect(),
            at: from_ms(at),
        }
    }
}

/// Appends one feed row per (ticket after the change, event), many rows per statement.
pub(crate) async fn record_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(&Ticket, &Event)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(rows_per_statement(backend, 7)) {
        let sql = format!(
            "INSERT INTO live_changes (ticket_id, kind, version, department_id, assignee_id, collaborators, at) \
             VALUES {}",
            values_rows_for(backend, chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (t, e) in chunk {
            let collaborators: Vec<String> = t.collaborators.iter().map(|u| u.0.to_string()).collect();
            q = q
                .bind(t.id.0)
                .bind(e.data.kind())
                .bind(t.version)
                .bind(t.department_id.map(|d| d.0))
                .bind(t.assignee_id.map(|u| u.0))
                .bind(collaborators.join(","))
                .bind(ms(e.at));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// Deletes feed rows of changes before `before`; returns how many.
    pub async fn purge_live_changes(&self, before: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM live_changes WHERE at < $1").bind(ms(before)).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

impl Reader {
    /// The newest position of the live feed (0 when empty).
    pub async fn live_head(&self) -> Result<i64, StoreError> {
        let (head,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM live_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(head)
    }

    /// Feed rows after position `after`, oldest first, at most `limit`.
    pub async fn live_changes_after(&self, after: i64, limit: usize) -> Result<Vec<LiveChange>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, ticket_id, kind, version, department_id, assignee_id, collaborators, at \
             FROM live_changes WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(LiveChange::from).collect())
    }
}
