//! `GET /approvals`: plans waiting for a supervisor, oldest first, each with its approval
//! due time (one working day by default) and clock state.

use crate::auth::Supervisor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use loopdesk_core::sla::TargetKind;
use loopdesk_core::{EventData, State as TicketState};
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/approvals", get(pending))
}

/// Most approvals listed at once.
const LIMIT: i64 = 500;

/// Plans waiting for approval.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Pending {
    /// `{ticket_id, tracking_no, priority, department_id, requested_by, requested_at, plan,
    /// reasons, due_at, sla}` each.
    #[schema(value_type = Vec<Object>)]
    items: Vec<Value>,
}

/// `GET /api/v1/approvals`: plans waiting for a supervisor, oldest first, with due times.
#[utoipa::path(get, path = "/approvals", tag = "tickets", responses((status = 200, body = Pending), crate::openapi::Errors))]
pub async fn pending(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<Json<Pending>, ApiError> {
    let mut items = Vec::new();
    for t in state.read().tickets_in_state(TicketState::AwaitingApproval, LIMIT).await? {
        let timeline = state.read().timeline(t.id).await?;
        let request = timeline.iter().rev().find_map(|e| match &e.data {
            EventData::ApprovalRequested { plan, reasons } => Some((e, plan, reasons)),
            _ => None,
        });
        let Some((e, plan, reasons)) = request else { continue };
        let clock = state.sla_for(&t, &timeline).into_iter().find(|c| c.target == TargetKind::Approval);
        items.push(json!({
            "ticket_id": t.id,
            "tracking_no": t.tracking_no,
            "priority": t.priority,
            "department_id": t.department_id,
            "requested_by": e.actor,
            "requested_at": e.at,
            "plan": plan,
            "reasons": reasons,
            "due_at": clock.as_ref().and_then(|c| c.due),
            "sla": clock,
        }));
    }
    Ok(Json(Pending { items }))
}
