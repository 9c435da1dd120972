//! Improvement actions of problems (issue 17): a row per action holding its record as JSON
//! with the columns the lists filter on (problem, owner, department, state, due minute).
//! Creating or changing one writes its problem's timeline entry and the jobs it owes (the
//! overdue timer) in the same transaction.

use crate::jobs::{write_ops, JobOp};
use crate::problems::append_events;
use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Reader, Store, StoreError};
use loopdesk_core::problem::{ImprovementAction, ProblemEvent};
use loopdesk_core::{ActionId, DepartmentId, ProblemId, Timestamp, UserId};

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub problem_id: Option<ProblemId>,
    pub owner_id: Option<UserId>,
    pub department_id: Option<DepartmentId>,
    pub state: Option<String>,
    /// Only open actions whose due minute is at or before this instant.
    pub overdue_at: Option<Timestamp>,
}

fn decode(id: i64, version: i64, doc: &str) -> Result<ImprovementAction, StoreError> {
    let mut a: ImprovementAction = serde_json::from_str(doc)?;
    a.id = ActionId(id);
    a.version = version;
    Ok(a)
}

impl Reader {
    /// One action.
    pub async fn action(&self, id: ActionId) -> Result<ImprovementAction, StoreError> {
        let row: Option<(i64, i64, String)> =
            sqlx::query_as("SELECT id, version, doc FROM problem_actions WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        let (id, version, doc) = row.ok_or(StoreError::NotFound { what: "action" })?;
        decode(id, version, &doc)
    }

    /// Actions matching `filter`, soonest due first, at most `n`.
    pub async fn actions(&self, filter: &ActionFilter, n: usize) -> Result<Vec<ImprovementAction>, StoreError> {
        let mut c = Conditions::default();
        let int = |c: &mut Conditions, col: &str, v: Option<i64>| {
            if let Some(v) = v {
                let a = c.arg(Value::Int(v));
                c.push(format!("{col} = {a}"));
            }
        };
        int(&mut c, "problem_id", filter.problem_id.map(|p| p.0));
        int(&mut c, "owner_id", filter.owner_id.map(|u| u.0));
        int(&mut c, "department_id", filter.department_id.map(|d| d.0));
        if let Some(s) = &filter.state {
            let a = c.arg(Value::Text(s.clone()));
            c.push(format!("state = {a}"));
        }
        if let Some(at) = filter.overdue_at {
            let a = c.arg(Value::Int(ms(at)));
            c.push(format!("state = 'open' AND due_at <= {a}"));
        }
        let n = c.arg(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)));
        let sql =
            format!("SELECT id, version, doc FROM problem_actions{} ORDER BY due_at, id LIMIT {n}", c.where_sql());
        let rows: Vec<(i64, i64, String)> =
            sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
        rows.iter().map(|(id, v, doc)| decode(*id, *v, doc)).collect()
    }
}

impl Store {
    /// Records a new action; `owed` builds, from its id, the timeline entry and jobs it
    /// owes, written in the same transaction. Returns it as stored.
    pub async fn create_action(
        &self,
        action: &ImprovementAction,
        owed: impl FnOnce(ActionId) -> (ProblemEvent, Vec<JobOp>),
    ) -> Result<ImprovementAction, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problem_actions (problem_id, state, department_id, owner_id, due_at, created_at, updated_at, \
             version, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
        )
        .bind(action.problem_id.0)
        .bind(action.state.as_str())
        .bind(action.department_id.map(|d| d.0))
        .bind(action.owner_id.map(|u| u.0))
        .bind(ms(action.due))
        .bind(ms(action.created_at))
        .bind(ms(action.updated_at))
        .bind(serde_json::to_string(action)?)
        .fetch_one(&mut *tx)
        .await?;
        let (event, ops) = owed(ActionId(id));
        append_events(&mut tx, action.problem_id, &[event]).await?;
        let earliest = write_ops(&mut tx, &ops).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        self.action(ActionId(id)).await
    }

    /// Saves `action` changed from version `base`, with its timeline entries and jobs; an
    /// action changed meanwhile is `StaleVersion`. Returns it as stored.
    pub async fn save_action(
        &self,
        action: &ImprovementAction,
        base: i64,
        events: &[ProblemEvent],
        ops: &[JobOp],
    ) -> Result<ImprovementAction, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE problem_actions SET state = $1, department_id = $2, owner_id = $3, due_at = $4, updated_at = $5, \
             version = version + 1, doc = $6 WHERE id = $7 AND version = $8",
        )
        .bind(action.state.as_str())
        .bind(action.department_id.map(|d| d.0))
        .bind(action.owner_id.map(|u| u.0))
        .bind(ms(action.due))
        .bind(ms(action.updated_at))
        .bind(serde_json::to_string(action)?)
        .bind(action.id.0)
        .bind(base)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            let current = self.action(action.id).await?.version;
            return Err(StoreError::StaleVersion { current });
        }
        append_events(&mut tx, action.problem_id, events).await?;
        let earliest = write_ops(&mut tx, ops).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        self.action(action.id).await
    }
}
