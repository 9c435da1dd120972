//! The workflow around the ticket commands: routing and assignment, the acknowledgement
//! timer, approvals, resolution and the satisfaction loop. Handlers and jobs change tickets
//! through [`change`], which writes the jobs each change owes ([`effects`]) in the same
//! transaction as its events.

pub mod assignment;
pub mod config;
pub mod documents;
pub mod effects;
pub mod survey;
pub mod token;

use crate::error::ApiError;
use crate::state::AppState;
use effects::Effects;
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::{Actor, DomainError, Event, Role, Ticket, TicketId, UserId};
use loopdesk_store::{Decision, JobOp};

/// Every active supervisor.
pub async fn supervisors(state: &AppState) -> Result<Vec<UserId>, ApiError> {
    let users = state.store.users().await?;
    Ok(users.into_iter().filter(|u| u.active && u.role == Role::Supervisor).map(|u| u.id).collect())
}

/// Applies the commands `build` derives from the current ticket as `actor`, with the jobs
/// they owe plus those `extra` adds.
pub async fn change_with<B, X>(
    state: &AppState,
    id: TicketId,
    actor: Actor,
    build: B,
    extra: X,
) -> Result<(Ticket, Vec<Event>), ApiError>
where
    B: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
    X: Fn(&Effects<'_>, &Ticket, &[Event]) -> Vec<JobOp>,
{
    let staffing = documents::staffing(state).await?;
    let supervisors = supervisors(state).await?;
    let w = &state.config.workflow;
    let fx = Effects {
        now: state.now(),
        ack_timeout: chrono::Duration::minutes(w.ack_timeout_minutes),
        survey_delay: chrono::Duration::minutes(w.survey_delay_minutes),
        staffing: &staffing,
        supervisors: &supervisors,
    };
    let out = state
        .store
        .change_with(id, |current| {
            let mut t = current.clone();
            let mut events = Vec::new();
            for cmd in build(&t)? {
                let e = decide(&t, cmd, actor.clone(), fx.now)?;
                apply(&mut t, &e);
                events.push(e);
            }
            let mut jobs = fx.jobs_for(&t, &events);
            jobs.extend(extra(&fx, &t, &events));
            Ok(Decision { events, jobs })
        })
        .await?;
    // Replies, information requests and extensions are told to the customer.
    crate::channels::notify::after_change(state, &out.1).await;
    Ok(out)
}

/// [`change_with`] without extra jobs.
pub async fn change<B>(state: &AppState, id: TicketId, actor: Actor, build: B) -> Result<(Ticket, Vec<Event>), ApiError>
where
    B: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
{
    change_with(state, id, actor, build, |_, _, _| Vec::new()).await
}

/// The job that routes a newly recorded ticket, due now: written by the store's intake in
/// the ticket's own transaction (see [`crate::sla::hook::Scheduler`]).
pub fn route_job(ticket: &Ticket, now: loopdesk_core::Timestamp) -> loopdesk_store::NewJob {
    loopdesk_store::NewJob::keyed(
        effects::ROUTE_TICKET,
        format!("route:{}", ticket.id),
        serde_json::json!({ "ticket_id": ticket.id.0 }),
        now,
    )
}
