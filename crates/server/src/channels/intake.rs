//! Opening tickets from channels (through triage, like the feedback endpoint) and adding
//! a customer's later message to its ticket.

use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{Actor, State as TicketState, Ticket, TicketId};
use loopdesk_store::{IntakeRequest, SignatureRecord};

/// Records a new ticket from a channel: triage, clustering, spam rejection and same-customer
/// merge as for web feedback. `idempotency` makes a redelivered message give back the first
/// ticket (returned with `true`).
pub async fn open_ticket(
    state: &AppState,
    mut ticket: Ticket,
    idempotency: Option<(String, String)>,
) -> Result<(Ticket, bool), ApiError> {
    let now = state.now();
    let engine = state.triage.current();
    let analysis = crate::triage::analyze(&engine, &ticket, None);
    let key = crate::triage::customer_key(&ticket);
    let plan = crate::triage::plan_cluster(&state.store, &engine, &analysis, key.as_deref()).await?;
    let rejection = crate::triage::write(&engine, &mut ticket, &analysis, &plan);
    let signature = match rejection {
        Some(_) => None,
        None => Some(SignatureRecord {
            cluster_id: plan.cluster_id,
            customer_key: key,
            signature: serde_json::to_string(&analysis.signature).map_err(|e| ApiError::Internal(e.to_string()))?,
            band_keys: analysis.band_keys.clone(),
        }),
    };
    let request = IntakeRequest { ticket, actor: Actor::Customer, idempotency, signature };
    let intake = state.store.intake(request).await?;
    let mut t = intake.ticket;
    let follow_up = match (rejection, plan.duplicate_of) {
        _ if intake.replayed => None,
        (Some(reason), _) => Some(Command::Reject { reason }),
        (None, Some(into)) => Some(Command::Merge { into }),
        (None, None) => None,
    };
    if let Some(cmd) = follow_up {
        let follow = |cur: &Ticket| Ok(vec![decide(cur, cmd.clone(), Actor::System, now)?]);
        t = state.store.change(t.id, follow).await?.0;
    }
    // Channel tickets are routed like web feedback.
    if t.state == TicketState::New && !intake.replayed {
        crate::workflow::after_intake(state, &t).await?;
    }
    Ok((t, intake.replayed))
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
