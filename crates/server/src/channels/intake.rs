//! Opening tickets from channels (through triage, like the feedback endpoint) and adding
//! a customer's later message to its ticket.

use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{Actor, State as TicketState, Ticket, TicketId};

/// Records a new ticket from a channel as the customer, like the feedback endpoint does.
/// `idempotency` makes a redelivered message give back the first ticket (returned with `true`).
pub async fn open_ticket(
    state: &AppState,
    ticket: Ticket,
    idempotency: Option<(String, String)>,
) -> Result<(Ticket, bool), ApiError> {
    crate::intake::record(state, ticket, Actor::Customer, None, idempotency).await
}

/// Whether a ticket still takes the customer's messages as part of the same case.
pub fn is_open(t: &Ticket) -> bool {
    !matches!(t.state, TicketState::Closed | TicketState::Rejected | TicketState::Merged)
}

/// Adds the customer's message to a ticket (following merges): it answers an information
/// request when one is open, else it is recorded on the timeline as the customer's words.
pub async fn append_customer_message(state: &AppState, ticket: TicketId, body: &str) -> Result<Ticket, ApiError> {
    let mut id = ticket;
    for _ in 0..8 {
        match state.store.ticket(id).await?.merged_into {
            Some(into) => id = into,
            None => break,
        }
    }
    let now = state.now();
    let body = if body.trim().is_empty() { "(empty message)".to_string() } else { body.to_string() };
    let (t, _) = state
        .store
        .change(id, |cur| {
            let cmd = if cur.state == TicketState::AwaitingCustomer {
                Command::ProvideInfo { body: body.clone() }
            } else {
                Command::Note { body: format!("客户来信 / message from the customer:\n{body}") }
            };
            Ok(vec![decide(cur, cmd, Actor::Customer, now)?])
        })
        .await?;
    Ok(t)
}

/// Records a system note (bounce, automatic reply, rejected attachments) on a ticket.
pub async fn system_note(state: &AppState, ticket: TicketId, body: String) -> Result<(), ApiError> {
    let now = state.now();
    state
        .store
        .change(ticket, |cur| Ok(vec![decide(cur, Command::Note { body: body.clone() }, Actor::System, now)?]))
        .await?;
    Ok(())
}
