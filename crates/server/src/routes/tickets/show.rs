//! `GET /tickets/{id}`: the ticket, its timeline and what may be done next.

use super::view;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_core::access::Permission;
use loopdesk_core::{Principal, Ticket, TicketId};
use serde_json::{json, Value};

/// Loads a ticket the caller may see; others' tickets are "not found", not "forbidden".
pub async fn visible(state: &AppState, principal: &Principal, id: i64) -> Result<Ticket, ApiError> {
    let ticket = state.store.ticket(TicketId(id)).await?;
    if principal.can_see(&ticket) {
        Ok(ticket)
    } else {
        Err(ApiError::NotFound("ticket not found".into()))
    }
}

/// `GET /api/v1/tickets/{id}`.
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::Read)?;
    let ticket = visible(&state, &auth.0, id).await?;
    let timeline = state.store.timeline(ticket.id).await?;
    let allowed: Vec<&str> = ticket.state.allowed_actions().iter().map(|a| a.as_str()).collect();
    Ok(Json(json!({
        "ticket": view::ticket(&ticket, &auth.0),
        "timeline": timeline.iter().map(view::event).collect::<Vec<_>>(),
        "allowed_actions": allowed,
        "deliveries": state.store.ticket_deliveries(ticket.id).await?,
        "sla": state.sla_for(&ticket, &timeline),
    })))
}
