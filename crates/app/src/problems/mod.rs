//! Problems (issue 17): tracked work on an issue many customers reported — created by hand
//! or from a problem cluster (its members linked), with a root-cause analysis, a lifecycle
//! whose every step records who and why, linked tickets, improvement actions ([`actions`])
//! whose overdue timers escalate ([`overdue`]), and a timeline of its own. Once fixed, its
//! open tickets are resolved together with one message ([`resolve`]).
//!
//! Everyone who may read tickets reads problems (they hold no customer data); supervisors
//! manage the problems and actions of their department (or all, without one); admins all.

pub mod actions;
pub mod effect;
pub mod overdue;
pub mod resolve;
mod write;

pub use write::{create, edit, link, set_rca, transition, LinkChange, NewProblem, ProblemEdit, Transition};

use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::calendar::{Calendar, DEFAULT_CALENDAR};
use loopdesk_core::problem::{ImprovementAction, Problem, ProblemEvent, ProblemState, TransitionError};
use loopdesk_core::{DepartmentId, Principal, ProblemId, Role, TicketId};
use loopdesk_store::{ActionFilter, ProblemFilter};
use serde::Serialize;

/// Problems listed at most per request.
pub const LIST_LIMIT: usize = 200;
/// Linked tickets shown with a problem (the count of customers covers them all).
pub const TICKETS_SHOWN: usize = 1_000;

/// A problem as the API shows it: the record, its linked tickets and customers affected
/// (counted now), its actions and its timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemView {
    #[serde(flatten)]
    pub problem: Problem,
    pub ticket_ids: Vec<TicketId>,
    /// Distinct customers among the linked tickets.
    pub customers_affected: i64,
    pub actions: Vec<ImprovementAction>,
    pub timeline: Vec<ProblemEvent>,
}

/// Whether `p` may manage work owned by `department`: admins always, supervisors when it is
/// their department, unowned, or they belong to none.
pub fn manages(p: &Principal, department: Option<DepartmentId>) -> bool {
    match p.role {
        Role::Admin => !p.intake_only,
        Role::Supervisor => {
            p.can(Permission::Supervise)
                && (p.department_id.is_none() || department.is_none() || department == p.department_id)
        }
        _ => false,
    }
}

/// `p` if it manages work of `department`, else `Forbidden`.
pub(crate) fn require_manager(p: &Principal, department: Option<DepartmentId>) -> Result<(), AppError> {
    require(p, Permission::Supervise)?;
    if manages(p, department) {
        Ok(())
    } else {
        Err(AppError::Forbidden("supervisors manage the problems and actions of their own department".into()))
    }
}

/// The company's business calendar (the SLA engine's default), that deadlines count on.
pub(crate) fn company_calendar(app: &App) -> Calendar {
    app.sla.get().calendars.get(DEFAULT_CALENDAR).cloned().unwrap_or_else(Calendar::china)
}

/// A refused transition as the API answers it: a conflict naming the field.
pub(crate) fn illegal(field: &str, e: TransitionError) -> AppError {
    AppError::Conflict { code: "illegal_transition", message: e.to_string(), field: Some(field.into()) }
}

/// Problems in `state` and of `department`, newest first.
pub async fn list(
    app: &App,
    principal: &Principal,
    state: Option<ProblemState>,
    department: Option<DepartmentId>,
) -> Result<Vec<Problem>, AppError> {
    require(principal, Permission::Read)?;
    let filter = ProblemFilter { state: state.map(|s| s.as_str().to_string()), department_id: department };
    Ok(app.read().problems(&filter, LIST_LIMIT).await?)
}

/// One problem with its tickets, customers affected, actions and timeline.
pub async fn show(app: &App, principal: &Principal, id: ProblemId) -> Result<ProblemView, AppError> {
    require(principal, Permission::Read)?;
    view(app, app.read().problem(id).await?).await
}

pub(crate) async fn view(app: &App, problem: Problem) -> Result<ProblemView, AppError> {
    let r = app.read();
    let id = problem.id;
    let actions = r.actions(&ActionFilter { problem_id: Some(id), ..Default::default() }, actions::LIST_LIMIT).await?;
    Ok(ProblemView {
        ticket_ids: r.problem_ticket_ids(id, TICKETS_SHOWN).await?,
        customers_affected: r.problem_customers(id).await?,
        actions,
        timeline: r.problem_events(id).await?,
        problem,
    })
}

/// The problems a ticket the caller may see is linked to (for the ticket page).
pub async fn of_ticket(app: &App, principal: &Principal, ticket: TicketId) -> Result<Vec<Problem>, AppError> {
    require(principal, Permission::Read)?;
    crate::access::visible(app, principal, ticket).await?;
    Ok(app.read().problems_of_ticket(ticket).await?)
}
