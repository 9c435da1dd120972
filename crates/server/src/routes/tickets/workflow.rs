//! Ticket actions of the workflow: route by the rules now, transfer with a reason, submit a
//! plan for approval, and see the follow-up survey.

use super::show::visible;
use super::view;
use crate::auth::Worker;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::workflow::{self, assignment, documents, survey, token::SurveyToken};
use axum::extract::State;
use axum::Json as JsonOut;
use loopdesk_core::access::Permission;
use loopdesk_core::approval::ApprovalReason;
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, DepartmentId, Role, TicketId, UserId};
use serde::Deserialize;
use serde_json::{json, Value};

type Reply = Result<JsonOut<Value>, ApiError>;

async fn detail(state: &AppState, auth: &crate::auth::Auth, id: TicketId) -> Reply {
    let ticket = state.store.ticket(id).await?;
    let timeline = state.store.timeline(id).await?;
    Ok(JsonOut(json!({
        "ticket": view::ticket(&ticket, &auth.0),
        "timeline": timeline.iter().map(view::event).collect::<Vec<_>>(),
    })))
}

/// `POST /tickets/{id}/route`: route a new ticket by the rules now (intake does it through
/// the `route.ticket` job).
pub async fn route(State(state): State<AppState>, Worker(auth): Worker, Path(id): Path<i64>) -> Reply {
    visible(&state, auth.require(Permission::Work)?, id).await?;
    let route = assignment::route(&state, TicketId(id)).await?;
    if route.is_none() {
        return Err(ApiError::Conflict {
            code: "not_routable",
            message: "the ticket is not new, or no routing rule matches it and there is no fallback department".into(),
            field: None,
        });
    }
    detail(&state, &auth, TicketId(id)).await
}

/// Body of `transfer`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferIn {
    department_id: i64,
    #[serde(default)]
    assignee_id: Option<i64>,
    reason: String,
}

/// `POST /tickets/{id}/transfer`: hand the ticket to another department (and agent), with
/// the reason on the timeline. Without an assignee, the department's next agent is chosen.
pub async fn transfer(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<TransferIn>,
) -> Reply {
    let p = auth.require(Permission::Work)?;
    visible(&state, p, id).await?;
    let dept = DepartmentId(b.department_id);
    if !state.store.departments().await?.iter().any(|d| d.id == dept) {
        return Err(ApiError::invalid("department_id", "no such department"));
    }
    if b.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", "say why the ticket is transferred"));
    }
    let assignee = match b.assignee_id {
        Some(u) => {
            let user =
                state.store.user(UserId(u)).await.map_err(|_| ApiError::invalid("assignee_id", "no such user"))?;
            if !user.active || user.role == Role::Viewer || user.department_id != Some(dept) {
                return Err(ApiError::invalid("assignee_id", "not an active member of that department"));
            }
            Some(user.id)
        }
        None => {
            let staffing = documents::staffing(&state).await?;
            let cals = documents::calendars(&state);
            assignment::pick(&state, &staffing, &cals, dept, &[], &[], state.now()).await?
        }
    };
    let actor = Actor::User { id: p.user_id, name: p.name.clone() };
    let reason = format!("transfer: {}", b.reason.trim());
    workflow::change(&state, TicketId(id), actor, |_| {
        Ok(vec![Command::Assign { department_id: Some(dept), assignee_id: assignee, reason: Some(reason.clone()) }])
    })
    .await?;
    detail(&state, &auth, TicketId(id)).await
}

/// Body of `request-approval`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    plan: String,
    /// Why approval is needed: cost, policy_exception, other_departments.
    reasons: Vec<ApprovalReason>,
}

/// `POST /tickets/{id}/request-approval`: the plan involves cost, a policy exception or
/// other departments, so a supervisor must approve it (SLA target `approval`).
pub async fn request_approval(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<ApprovalIn>,
) -> Reply {
    let p = auth.require(Permission::Work)?;
    visible(&state, p, id).await?;
    let actor = Actor::User { id: p.user_id, name: p.name.clone() };
    workflow::change(&state, TicketId(id), actor, |_| {
        Ok(vec![Command::RequestApproval { plan: b.plan.clone(), reasons: b.reasons.clone() }])
    })
    .await?;
    detail(&state, &auth, TicketId(id)).await
}

/// `GET /tickets/{id}/survey`: the latest survey of the ticket, with its link (staff may
/// read it out to a customer on the phone).
pub async fn survey_status(State(state): State<AppState>, Worker(auth): Worker, Path(id): Path<i64>) -> Reply {
    let ticket = visible(&state, auth.require(Permission::Work)?, id).await?;
    let Some(round) = ticket.resolved_at.map(|t| t.timestamp_millis()) else {
        return Err(ApiError::NotFound("this ticket was never resolved".into()));
    };
    let Some(s) = state.store.survey(ticket.id, round).await? else {
        return Err(ApiError::NotFound("no survey was sent for the latest resolution yet".into()));
    };
    let url =
        survey::survey_url(&state, &SurveyToken { ticket_id: ticket.id, round, expires_at: s.expires_at }).await?;
    Ok(JsonOut(json!({ "survey": s, "survey_url": url })))
}
