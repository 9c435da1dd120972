//! `GET /tickets/{id}`: the ticket, its timeline and what may be done next.

use super::view;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_app::tickets::detail;
use loopdesk_core::TicketId;
use serde_json::{json, Value};

/// `GET /api/v1/tickets/{id}`.
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let d = detail(&state, &auth.0, TicketId(id)).await?;
    let allowed: Vec<&str> = d.ticket.state.allowed_actions().iter().map(|a| a.as_str()).collect();
    Ok(Json(json!({
        "ticket": view::ticket(&d.ticket, &auth.0),
        "timeline": d.timeline.iter().map(view::event).collect::<Vec<_>>(),
        "allowed_actions": allowed,
        "deliveries": d.deliveries,
        "sla": d.sla,
    })))
}
