//! Resolving a fixed problem's open tickets together with one customer message (issue 17).
//!
//! Started by `resolve-tickets` (or by the step to "fixed" when it carries a message): the
//! problem's timeline records who started it and the message, and a `problem.resolve` job
//! is written in the same transaction. The job walks the linked tickets by id in chunks of
//! [`CHUNK`], resolving each chunk in one transaction through the ordinary ticket path
//! ([`loopdesk_core::problem::resolve::commands`] on the current ticket), so every ticket
//! gets its own events, SLA results, resolution notice and survey exactly as a single
//! resolve would; then it enqueues the next chunk, and after the last records the tally.
//!
//! Each customer is told once: a ticket already resolved is left as it is (no events, so no
//! notice), the notice of a resolution is keyed by its event, and a chunk run twice (a
//! lease that ran out, a second node, the operation started again) finds its tickets
//! resolved. A customer with several linked tickets hears once per ticket, as each ticket
//! has its own tracking number and survey.

use super::write::{managed, save_with};
use super::ProblemView;
use crate::jobs::{op, Job, JobError, JobKind};
use crate::keys::Key;
use crate::tickets::change::change_many;
use crate::{App, AppError};
use loopdesk_core::event::{apply, decide};
use loopdesk_core::problem::limits;
use loopdesk_core::problem::resolve::{commands, outcome, Leave};
use loopdesk_core::problem::{Problem, ProblemEvent, ProblemEventKind as Kind, ProblemState};
use loopdesk_core::{Actor, DomainError, Principal, ProblemId, TicketId, UserId};
use loopdesk_store::{Decision, JobOp, Links, Owed, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Tickets resolved per transaction: big enough that 10,000 take 50 rounds, small enough
/// that one round holds the single SQLite writer for a moment only.
pub const CHUNK: usize = 200;

/// The message every customer of the problem's open tickets is told.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveTicketsBody {
    /// The outcome's summary, sent to each customer (solved).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub message: String,
}

/// The checked message, or an error naming `field`.
pub(crate) fn message(field: &'static str, text: &str) -> Result<String, AppError> {
    Ok(limits::required(field, text, limits::TEXT_CHARS)?)
}

/// The timeline entry and the first chunk's job that start resolving `problem`'s tickets.
pub(crate) fn start(p: &Principal, problem: &Problem, message: &str) -> (ProblemEvent, JobOp) {
    let now = problem.updated_at;
    let data = json!({"message": message});
    let event = ProblemEvent::new(now, Some(p.user_id), Kind::TicketsResolving, data);
    let job = ResolveTickets {
        problem_id: problem.id,
        actor_id: p.user_id,
        message: message.to_string(),
        after: TicketId(0),
        tally: Tally::default(),
    };
    (event, op(&job, now))
}

/// `POST /problems/{id}/resolve-tickets`: resolves the open tickets of a fixed (or verified)
/// problem with one message, in the background (supervisors of its department, admins).
pub async fn resolve_tickets(
    app: &App,
    p: &Principal,
    id: ProblemId,
    body: ResolveTicketsBody,
) -> Result<ProblemView, AppError> {
    let mut problem = managed(app, p, id).await?;
    let text = message("message", &body.message)?;
    if !matches!(problem.state, ProblemState::Fixed | ProblemState::Verified) {
        return Err(AppError::Conflict {
            code: "problem_not_fixed",
            message: format!("the problem is {}; its tickets are resolved together once it is fixed", problem.state),
            field: Some("state".into()),
        });
    }
    let base = problem.version;
    problem.updated_at = app.now();
    let (event, job) = start(p, &problem, &text);
    save_with(app, &problem, base, vec![event], vec![job]).await
}

/// What the walk has done so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub resolved: u64,
    /// Resolved, closed, rejected or merged before (nothing sent).
    pub already: u64,
    /// Waiting for a supervisor's decision on a plan.
    pub awaiting_approval: u64,
    /// Refused by the lifecycle for another reason (listed for a person to look at).
    pub failed: Vec<TicketId>,
}

/// One chunk of the walk: the linked tickets after `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolveTickets {
    pub problem_id: ProblemId,
    /// The staff member who started it; the tickets' events name them.
    pub actor_id: UserId,
    pub message: String,
    pub after: TicketId,
    #[serde(default)]
    pub tally: Tally,
}

impl Job for ResolveTickets {
    const KIND: JobKind = JobKind::ProblemResolve;

    fn key(&self) -> Key {
        Key::problem_resolve(self.problem_id)
    }

    async fn run(mut self, app: &App) -> Result<(), JobError> {
        let problem = match app.read().problem(self.problem_id).await {
            Err(StoreError::NotFound { .. }) => return Ok(()),
            other => other?,
        };
        let ids = app.read().problem_ticket_ids_after(problem.id, self.after, CHUNK).await?;
        let Some(last) = ids.last().copied() else {
            return finish(app, problem, &self).await;
        };
        let name = app.read().user(self.actor_id).await.map(|u| u.display_name).unwrap_or_default();
        let actor = Actor::User { id: self.actor_id, name };
        let o = outcome(&self.message);
        let note = format!("问题 #{} 已修复 / problem #{} fixed", problem.id, problem.id);
        let now = app.now();
        let changed = change_many(app, &ids, |t| {
            let cmds = commands(t, self.actor_id, problem.department_id, &o, &note)
                .map_err(|leave| DomainError::Moved(leave.as_str()))?;
            let mut after = t.clone();
            let mut events = Vec::with_capacity(cmds.len());
            for c in cmds {
                let e = decide(&after, c, actor.clone(), now)?;
                apply(&mut after, &e);
                events.push(e);
            }
            Ok(Decision { events, owed: Owed::default() })
        })
        .await?;
        for (id, r) in ids.iter().zip(changed) {
            match r {
                Ok(_) => self.tally.resolved += 1,
                Err(StoreError::Domain(DomainError::Moved(why))) if why == Leave::AwaitingApproval.as_str() => {
                    self.tally.awaiting_approval += 1
                }
                Err(StoreError::Domain(DomainError::Moved(_))) => self.tally.already += 1,
                Err(StoreError::Domain(_)) => self.tally.failed.push(*id),
                // A database hiccup: the chunk runs again; what it resolved stays resolved.
                Err(e) => return Err(e.into()),
            }
        }
        self.after = last;
        app.store.enqueue_all(&[op(&self, now)]).await?;
        Ok(())
    }
}

/// Records the tally on the problem's timeline.
async fn finish(app: &App, mut problem: Problem, job: &ResolveTickets) -> Result<(), JobError> {
    let base = problem.version;
    let now = app.now();
    problem.updated_at = now;
    let data = serde_json::to_value(&job.tally).map_err(|e| JobError::Fatal(e.to_string()))?;
    let event = ProblemEvent::new(now, Some(job.actor_id), Kind::TicketsResolved, data);
    match app.store.save_problem(&problem, base, Links::default(), |_| vec![event], &[]).await {
        Ok(_) => Ok(()),
        Err(StoreError::StaleVersion { .. }) => Err(JobError::Retry("problem changed meanwhile".into())),
        Err(e) => Err(e.into()),
    }
}
