//! Improvement actions of a problem (corrective and preventive): each with an owner, a
//! department, a due minute on the company calendar and a state. Creating one schedules its
//! overdue timer ([`super::overdue`]) in the same transaction; closing it cancels the timer.

use super::overdue::ActionOverdue;
use super::{company_calendar, illegal, require_manager};
use crate::access::require;
use crate::jobs::op;
use crate::keys::Key;
use crate::{App, AppError};
use chrono::NaiveDate;
use loopdesk_core::access::Permission;
use loopdesk_core::problem::due::{after_working_days, end_of_date};
use loopdesk_core::problem::limits;
use loopdesk_core::problem::{ActionKind, ActionState, ImprovementAction, ProblemEvent, ProblemEventKind as Kind};
use loopdesk_core::{ActionId, DepartmentId, Principal, ProblemId, UserId};
use loopdesk_store::{ActionFilter, JobOp};
use serde::Deserialize;
use serde_json::json;

/// Actions listed at most per request.
pub const LIST_LIMIT: usize = 500;

/// A new action: at least a title and a deadline (`due`, a date, or `due_working_days`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// Corrective when absent.
    #[serde(default)]
    pub kind: Option<ActionKind>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// The problem's department when absent.
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    /// Due at the end of this date's working hours on the company calendar.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<NaiveDate>,
    /// Or due this many working days from now.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub due_working_days: Option<i64>,
}

/// Closing an action, and why.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionTransition {
    pub state: ActionState,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub reason: String,
}

/// Which actions: of an owner, of a department, only the overdue ones.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    pub owner_id: Option<UserId>,
    pub department_id: Option<DepartmentId>,
    pub state: Option<ActionState>,
    pub overdue: bool,
}

/// Adds an action to a problem (supervisors of the action's department, admins).
pub async fn add(app: &App, p: &Principal, problem: ProblemId, body: NewAction) -> Result<ImprovementAction, AppError> {
    require(p, Permission::Supervise)?;
    let owner = app.read().problem(problem).await?;
    let department_id = body.department_id.or(owner.department_id);
    require_manager(p, department_id)?;
    let title = limits::required("title", &body.title, limits::TITLE_CHARS)?;
    let now = app.now();
    let cal = company_calendar(app);
    let (due, due_date) = match (body.due, body.due_working_days) {
        (Some(_), Some(_)) => return Err(AppError::invalid("due", "give due or due_working_days, not both")),
        (Some(date), None) => (end_of_date(&cal, date), date),
        (None, Some(n)) => after_working_days(&cal, now, limits::working_days("due_working_days", n)?),
        (None, None) => return Err(AppError::invalid("due", "a due date (YYYY-MM-DD) is required")),
    };
    if due <= now {
        return Err(AppError::invalid("due", format!("the due minute {} has passed", due.to_rfc3339())));
    }
    if let Some(d) = department_id {
        if !app.read().departments().await?.iter().any(|x| x.id == d) {
            return Err(AppError::invalid("department_id", "no such department"));
        }
    }
    if let Some(o) = body.owner_id {
        match app.read().user(o).await {
            Ok(u) if u.active => {}
            Ok(_) => return Err(AppError::invalid("owner_id", "this user is deactivated")),
            Err(loopdesk_store::StoreError::NotFound { .. }) => {
                return Err(AppError::invalid("owner_id", "no such user"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let action = ImprovementAction {
        id: ActionId(0),
        problem_id: problem,
        title,
        kind: body.kind.unwrap_or(ActionKind::Corrective),
        owner_id: body.owner_id,
        department_id,
        due_date,
        due,
        state: ActionState::Open,
        escalated_at: None,
        created_by: p.user_id,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let actor = p.user_id;
    let owed = |id: ActionId| {
        let data = json!({"action_id": id, "title": action.title, "kind": action.kind, "due": due,
            "owner_id": action.owner_id, "department_id": action.department_id});
        let timer = op(&ActionOverdue::new(id, due), due);
        (ProblemEvent::new(now, Some(actor), Kind::ActionAdded, data), vec![timer])
    };
    Ok(app.store.create_action(&action, owed).await?)
}

/// The actions of one problem, soonest due first.
pub async fn of_problem(app: &App, p: &Principal, problem: ProblemId) -> Result<Vec<ImprovementAction>, AppError> {
    require(p, Permission::Read)?;
    app.read().problem(problem).await?;
    Ok(app.read().actions(&ActionFilter { problem_id: Some(problem), ..Default::default() }, LIST_LIMIT).await?)
}

/// Actions of an owner or a department across problems, soonest due first.
pub async fn list(app: &App, p: &Principal, q: ActionQuery) -> Result<Vec<ImprovementAction>, AppError> {
    require(p, Permission::Read)?;
    let filter = ActionFilter {
        problem_id: None,
        owner_id: q.owner_id,
        department_id: q.department_id,
        state: q.state.map(|s| s.as_str().to_string()),
        overdue_at: q.overdue.then(|| app.now()),
    };
    Ok(app.read().actions(&filter, LIST_LIMIT).await?)
}

/// Marks an action done or cancelled, recording who and why; its timer is cancelled.
pub async fn transition(
    app: &App,
    p: &Principal,
    id: ActionId,
    body: ActionTransition,
) -> Result<ImprovementAction, AppError> {
    require(p, Permission::Supervise)?;
    let mut action = app.read().action(id).await?;
    require_manager(p, action.department_id)?;
    let reason = limits::optional("reason", &body.reason, limits::REASON_CHARS)?;
    let base = action.version;
    let from = action.state;
    action.state = from.to(body.state).map_err(|e| illegal("state", e))?;
    action.updated_at = app.now();
    let data = json!({"action_id": id, "from": from, "to": action.state, "reason": reason});
    let e = ProblemEvent::new(action.updated_at, Some(p.user_id), Kind::ActionStateChanged, data);
    let cancel = JobOp::Cancel { key: Key::action_overdue(id).as_str().to_string() };
    Ok(app.store.save_action(&action, base, &[e], &[cancel]).await?)
}
