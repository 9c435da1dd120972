//! Problems (issue 17): each problem a row holding its record as JSON with the columns lists
//! filter on, its linked tickets, and its append-only timeline. Every change writes the
//! row, its timeline entries and its links in one transaction, based on the version the
//! change was made from. Improvement actions are in `problem_actions`.

use crate::jobs::{write_ops, JobOp};
use crate::sql::{arguments, from_ms, ms, Conditions, Value};
use crate::{Reader, Store, StoreError};
use loopdesk_core::problem::{Problem, ProblemEvent, ProblemEventKind};
use loopdesk_core::{DepartmentId, ProblemId, TicketId};
use sqlx::AnyConnection;

/// Which problems to list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub state: Option<String>,
    pub department_id: Option<DepartmentId>,
}

/// The tickets a change links to and unlinks from its problem.
#[derive(Debug, Clone, Default)]
pub struct Links<'a> {
    pub add: &'a [TicketId],
    pub remove: &'a [TicketId],
}

/// A stored problem back from its row: the document, with the row's id and version.
fn decode(id: i64, version: i64, doc: &str) -> Result<Problem, StoreError> {
    let mut p: Problem = serde_json::from_str(doc)?;
    p.id = ProblemId(id);
    p.version = version;
    Ok(p)
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Reader {
    /// One problem.
    pub async fn problem(&self, id: ProblemId) -> Result<Problem, StoreError> {
        let row: Option<(i64, i64, String)> = sqlx::query_as("SELECT id, version, doc FROM problems WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        let (id, version, doc) = row.ok_or(StoreError::NotFound { what: "problem" })?;
        decode(id, version, &doc)
    }

    /// Problems matching `filter`, newest first, at most `n`.
    pub async fn problems(&self, filter: &ProblemFilter, n: usize) -> Result<Vec<Problem>, StoreError> {
        let mut c = Conditions::default();
        if let Some(s) = &filter.state {
            let a = c.arg(Value::Text(s.clone()));
            c.push(format!("state = {a}"));
        }
        if let Some(d) = filter.department_id {
            let a = c.arg(Value::Int(d.0));
            c.push(format!("department_id = {a}"));
        }
        let n = c.arg(Value::Int(limit(n)));
        let sql = format!("SELECT id, version, doc FROM problems{} ORDER BY id DESC LIMIT {n}", c.where_sql());
        let rows: Vec<(i64, i64, String)> =
            sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
        rows.iter().map(|(id, v, doc)| decode(*id, *v, doc)).collect()
    }

    /// The problems `ticket` is linked to, newest first.
    pub async fn problems_of_ticket(&self, ticket: TicketId) -> Result<Vec<Problem>, StoreError> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT p.id, p.version, p.doc FROM problem_tickets l JOIN problems p ON p.id = l.problem_id \
             WHERE l.ticket_id = $1 ORDER BY p.id DESC",
        )
        .bind(ticket.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|(id, v, doc)| decode(*id, *v, doc)).collect()
    }

    /// The tickets linked to `problem`, oldest link first, at most `n`.
    pub async fn problem_ticket_ids(&self, problem: ProblemId, n: usize) -> Result<Vec<TicketId>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT ticket_id FROM problem_tickets WHERE problem_id = $1 ORDER BY linked_at, ticket_id LIMIT $2",
        )
        .bind(problem.0)
        .bind(limit(n))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(t,)| TicketId(t)).collect())
    }

    /// The tickets linked to `problem` after ticket `after`, by ticket id, at most `n`: the
    /// chunks a job walks through (a cursor that links made meanwhile cannot shift).
    pub async fn problem_ticket_ids_after(
        &self,
        problem: ProblemId,
        after: TicketId,
        n: usize,
    ) -> Result<Vec<TicketId>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT ticket_id FROM problem_tickets WHERE problem_id = $1 AND ticket_id > $2 ORDER BY ticket_id LIMIT $3",
        )
        .bind(problem.0)
        .bind(after.0)
        .bind(limit(n))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(t,)| TicketId(t)).collect())
    }

    /// Distinct customers among the linked tickets, counted now: the customer key of each
    /// ticket's signature (phone, e-mail, member id across channels); a ticket without one
    /// counts as its own customer.
    pub async fn problem_customers(&self, problem: ProblemId) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT COALESCE(s.customer_key, 'ticket:' || CAST(l.ticket_id AS TEXT))) \
             FROM problem_tickets l LEFT JOIN ticket_signatures s ON s.ticket_id = l.ticket_id WHERE l.problem_id = $1",
        )
        .bind(problem.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// The members of a problem cluster, oldest first, at most `n`.
    pub async fn cluster_ticket_ids(&self, cluster_id: i64, n: usize) -> Result<Vec<TicketId>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT ticket_id FROM ticket_signatures WHERE cluster_id = $1 ORDER BY ticket_id LIMIT $2")
                .bind(cluster_id)
                .bind(limit(n))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(t,)| TicketId(t)).collect())
    }

    /// The timeline of `problem`, oldest first.
    pub async fn problem_events(&self, problem: ProblemId) -> Result<Vec<ProblemEvent>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String)> =
            sqlx::query_as("SELECT at, actor_id, kind, data FROM problem_events WHERE problem_id = $1 ORDER BY id")
                .bind(problem.0)
                .fetch_all(&self.pool)
                .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (at, actor, kind, data) in rows {
            // A kind this build does not know (a newer node's) is left out.
            let Some(kind) = ProblemEventKind::parse(&kind) else { continue };
            out.push(ProblemEvent {
                at: from_ms(at),
                actor_id: actor.map(loopdesk_core::UserId),
                kind,
                data: serde_json::from_str(&data)?,
            });
        }
        Ok(out)
    }
}

/// Appends `events` to the timeline of `problem`.
pub(crate) async fn append_events(
    conn: &mut AnyConnection,
    problem: ProblemId,
    events: &[ProblemEvent],
) -> Result<(), StoreError> {
    for e in events {
        sqlx::query("INSERT INTO problem_events (problem_id, at, actor_id, kind, data) VALUES ($1, $2, $3, $4, $5)")
            .bind(problem.0)
            .bind(ms(e.at))
            .bind(e.actor_id.map(|u| u.0))
            .bind(e.kind.as_str())
            .bind(serde_json::to_string(&e.data)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Links and unlinks tickets; returns the tickets newly linked (already linked ones are
/// left as they are).
async fn write_links(
    conn: &mut AnyConnection,
    problem: ProblemId,
    links: &Links<'_>,
    at: i64,
) -> Result<Vec<TicketId>, StoreError> {
    let mut added = Vec::new();
    for t in links.add {
        let new: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO problem_tickets (problem_id, ticket_id, linked_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING RETURNING ticket_id",
        )
        .bind(problem.0)
        .bind(t.0)
        .bind(at)
        .fetch_optional(&mut *conn)
        .await?;
        added.extend(new.map(|(t,)| TicketId(t)));
    }
    for t in links.remove {
        sqlx::query("DELETE FROM problem_tickets WHERE problem_id = $1 AND ticket_id = $2")
            .bind(problem.0)
            .bind(t.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(added)
}

impl Store {
    /// Records a new problem with its first links and timeline entries, and the jobs `owed`
    /// builds from its id (its due timer); returns it as stored.
    pub async fn create_problem(
        &self,
        problem: &Problem,
        links: &[TicketId],
        events: &[ProblemEvent],
        owed: impl FnOnce(ProblemId) -> Vec<JobOp>,
    ) -> Result<Problem, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problems (state, department_id, owner_id, cluster_id, due_at, created_at, updated_at, version, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
        )
        .bind(problem.state.as_str())
        .bind(problem.department_id.map(|d| d.0))
        .bind(problem.owner_id.map(|u| u.0))
        .bind(problem.cluster_id)
        .bind(problem.due.map(ms))
        .bind(ms(problem.created_at))
        .bind(ms(problem.updated_at))
        .bind(serde_json::to_string(problem)?)
        .fetch_one(&mut *tx)
        .await?;
        let id = ProblemId(id);
        write_links(&mut tx, id, &Links { add: links, remove: &[] }, ms(problem.created_at)).await?;
        append_events(&mut tx, id, events).await?;
        let earliest = write_ops(&mut tx, &owed(id)).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        self.problem(id).await
    }

    /// Saves `problem` changed from version `base`, with its link changes and the timeline
    /// entries `events` builds from the tickets newly linked; a problem changed meanwhile is
    /// `StaleVersion`. Returns it as stored.
    pub async fn save_problem(
        &self,
        problem: &Problem,
        base: i64,
        links: Links<'_>,
        events: impl FnOnce(&[TicketId]) -> Vec<ProblemEvent>,
        ops: &[JobOp],
    ) -> Result<Problem, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE problems SET state = $1, department_id = $2, owner_id = $3, due_at = $4, updated_at = $5, \
             version = version + 1, doc = $6 WHERE id = $7 AND version = $8",
        )
        .bind(problem.state.as_str())
        .bind(problem.department_id.map(|d| d.0))
        .bind(problem.owner_id.map(|u| u.0))
        .bind(problem.due.map(ms))
        .bind(ms(problem.updated_at))
        .bind(serde_json::to_string(problem)?)
        .bind(problem.id.0)
        .bind(base)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            let current = self.problem(problem.id).await?.version;
            return Err(StoreError::StaleVersion { current });
        }
        let added = write_links(&mut tx, problem.id, &links, ms(problem.updated_at)).await?;
        append_events(&mut tx, problem.id, &events(&added)).await?;
        let earliest = write_ops(&mut tx, ops).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        self.problem(problem.id).await
    }
}
