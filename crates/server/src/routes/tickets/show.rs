//! `GET /tickets/{id}`: the ticket, its timeline and what may be done next.

use super::view;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_app::tickets::detail;
use loopdesk_app::tickets::messages::{customer_messages, MessageState};
use loopdesk_core::TicketId;
use serde::Serialize;
use serde_json::Value;

/// One ticket as its page shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketDetail {
    /// The ticket as the caller may see it (personal data masked for some roles).
    #[schema(value_type = loopdesk_core::Ticket)]
    ticket: Value,
    /// Every event, oldest first; an event that owed a message to the customer carries
    /// `delivery`, what became of it (see `messages`).
    #[schema(value_type = Vec<Object>)]
    timeline: Vec<Value>,
    /// Actions the ticket's state allows next.
    allowed_actions: Vec<&'static str>,
    /// Notifications to the customer and their delivery state.
    deliveries: Vec<loopdesk_app::read::Delivery>,
    /// Each message to the customer, tied to the event that owed it: `queued`, `retrying`,
    /// `sending`, `sent_to_mail_server` (the SMTP server accepted it), `accepted_by_gateway`
    /// or `failed` with the reason; for e-mail, once the receiving side reports (a delivery
    /// status notification), `delivered`, `relayed`, `delayed` or `bounced`, with `report`
    /// (outcome, status, diagnostic, time).
    messages: Vec<MessageState>,
    /// The SLA clocks.
    sla: Vec<loopdesk_app::sla::SlaView>,
}

/// `GET /api/v1/tickets/{id}`.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetail), crate::openapi::Errors))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<TicketDetail>, ApiError> {
    let d = detail(&state, &auth.0, TicketId(id)).await?;
    let messages = customer_messages(&d.deliveries);
    let timeline = d
        .timeline
        .iter()
        .map(|e| {
            let mut v = view::event(e);
            let sent = messages.iter().rev().find(|m| m.owed_by(e));
            if let (Some(m), Some(obj)) = (sent, v.as_object_mut()) {
                obj.insert("delivery".into(), serde_json::to_value(m).unwrap_or(Value::Null));
            }
            v
        })
        .collect();
    Ok(Json(TicketDetail {
        ticket: view::ticket(&d.ticket, &auth.0),
        timeline,
        messages,
        allowed_actions: d.ticket.state.allowed_actions().iter().map(|a| a.as_str()).collect(),
        deliveries: d.deliveries,
        sla: d.sla,
    }))
}
