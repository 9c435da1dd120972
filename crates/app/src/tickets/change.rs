//! The one way a ticket changes. A use case says what to append — commands for the
//! lifecycle to decide, or events it built itself (an SLA alert) — and the store writes the
//! row, the events and everything the change owes in one transaction: what every change
//! owes comes from [`crate::effects::AppEffects`], what only this change owes from the
//! caller's `extra`.

use crate::{App, AppError};
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::{Actor, DomainError, Event, Ticket, TicketId};
use loopdesk_store::{Decision, Owed};

/// Appends what `decide` derives from the current ticket (retried on a fresh ticket when
/// another writer got there first). Returns the ticket after the change and its events.
pub async fn change<D>(app: &App, id: TicketId, decide: D) -> Result<(Ticket, Vec<Event>), AppError>
where
    D: FnMut(&Ticket) -> Result<Decision, DomainError>,
{
    Ok(app.store.change_with(id, decide).await?)
}

/// Changes several tickets in one transaction, each as `decide` says (see
/// [`loopdesk_store::Store::change_many`]): background work on many tickets at once.
pub async fn change_many<D>(app: &App, ids: &[TicketId], decide: D) -> Result<Vec<loopdesk_store::Changed>, AppError>
where
    D: FnMut(&Ticket) -> Result<Decision, DomainError>,
{
    Ok(app.store.change_many(ids, decide).await?)
}

/// Applies the commands `build` derives from the current ticket as `actor`, with what
/// `extra` adds to what the change owes.
pub async fn commands<B, X>(
    app: &App,
    id: TicketId,
    actor: Actor,
    build: B,
    extra: X,
) -> Result<(Ticket, Vec<Event>), AppError>
where
    B: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
    X: Fn(&Ticket, &[Event]) -> Owed,
{
    let now = app.now();
    change(app, id, |current| {
        let mut t = current.clone();
        let mut events = Vec::new();
        for cmd in build(&t)? {
            let e = decide(&t, cmd, actor.clone(), now)?;
            apply(&mut t, &e);
            events.push(e);
        }
        let owed = extra(&t, &events);
        Ok(Decision { events, owed })
    })
    .await
}

/// [`commands`] owing nothing beyond what every change owes.
pub async fn run<B>(app: &App, id: TicketId, actor: Actor, build: B) -> Result<(Ticket, Vec<Event>), AppError>
where
    B: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
{
    commands(app, id, actor, build, |_, _| Owed::default()).await
}

/// Applies several steps as `actor` in one change, each deriving its commands from the
/// ticket as the steps before it left it (tags added after a recategorisation keep the new
/// category; a resolution after a reply sees the reply).
pub async fn staged<B>(app: &App, id: TicketId, actor: Actor, steps: Vec<B>) -> Result<(Ticket, Vec<Event>), AppError>
where
    B: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
{
    let now = app.now();
    change(app, id, |current| {
        let mut t = current.clone();
        let mut events = Vec::new();
        for step in &steps {
            for cmd in step(&t)? {
                let e = decide(&t, cmd, actor.clone(), now)?;
                apply(&mut t, &e);
                events.push(e);
            }
        }
        Ok(Decision { events, owed: Owed::default() })
    })
    .await
}
