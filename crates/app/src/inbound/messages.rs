//! A customer's later message on an open ticket, and system notes.

use crate::tickets::change::change;
use crate::{App, AppError};
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{Actor, State as TicketState, Ticket, TicketId};
use loopdesk_store::{Decision, KeyWrite, Owed};

/// Whether a ticket still takes the customer's messages as part of the same case.
pub fn is_open(t: &Ticket) -> bool {
    !matches!(t.state, TicketState::Closed | TicketState::Rejected | TicketState::Merged)
}

/// The ticket a message for `ticket` belongs to, following merges.
async fn target(app: &App, ticket: TicketId) -> Result<TicketId, AppError> {
    let mut id = ticket;
    for _ in 0..8 {
        match app.read().ticket(id).await?.merged_into {
            Some(into) => id = into,
            None => break,
        }
    }
    Ok(id)
}

/// Adds the customer's message to a ticket (following merges): it answers an information
/// request when one is open, else it is recorded on the timeline as the customer's words.
/// What the message owes (its channel keys, a download of its picture) is written with it.
pub async fn append_customer_message(app: &App, ticket: TicketId, body: &str, owed: Owed) -> Result<Ticket, AppError> {
    let id = target(app, ticket).await?;
    let now = app.now();
    let body = if body.trim().is_empty() { "(empty message)".to_string() } else { body.to_string() };
    let (t, _) = change(app, id, |cur| {
        let cmd = if cur.state == TicketState::AwaitingCustomer {
            Command::ProvideInfo { body: body.clone() }
        } else {
            Command::Note { body: format!("{}{body}", crate::tickets::customer::FOLLOW_UP_PREFIX) }
        };
        let e = decide(cur, cmd, Actor::Customer, now)?;
        Ok(Decision { events: vec![e], owed: owed.clone() })
    })
    .await?;
    Ok(t)
}

/// Records a system note (bounce, automatic reply, rejected attachments) on a ticket, with
/// the channel keys of the message that caused it.
pub async fn system_note(app: &App, ticket: TicketId, body: String, keys: Vec<KeyWrite>) -> Result<(), AppError> {
    let now = app.now();
    change(app, ticket, |cur| {
        let e = decide(cur, Command::Note { body: body.clone() }, Actor::System, now)?;
        Ok(Decision { events: vec![e], owed: Owed { keys: keys.clone(), ..Owed::default() } })
    })
    .await?;
    Ok(())
}
