//! SLA jobs. `sla.check` (one per ticket, key `sla:<id>`) recomputes the ticket's clocks
//! from its timeline and records the alerts owed — a warning at the policy's share, and at
//! the due time an escalation to the department's supervisors — with their staff
//! notifications, all in one ticket change; the change reschedules the timer. A
//! `sla.recompute` walks the open tickets a page at a time after a policy or calendar edit
//! and reschedules each ticket's timer.

use super::{op, Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{supervisors_of, Recipients, StaffAlert, StaffNotice};
use crate::sla::{clocks, schedule, SlaConfig};
use crate::tickets::change::change;
use crate::{App, AppError};
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::sla::{self, Owed as Alerts, SlaAlert};
use loopdesk_core::{Actor, DomainError, Event, EventData, Ticket, TicketId, Timestamp, UserId};
use loopdesk_store::{Decision, JobOp, JobState, SlaDue, StoreError};
use serde::{Deserialize, Serialize};

/// Open tickets rescheduled per sweep job.
const PAGE: usize = 500;

/// A ticket's SLA timer went off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub ticket_id: TicketId,
}

impl Check {
    /// The timer of `ticket`.
    pub fn of(ticket: &Ticket) -> Check {
        Check { ticket_id: ticket.id }
    }
}

impl Job for Check {
    const KIND: JobKind = JobKind::SlaCheck;

    fn key(&self) -> Key {
        Key::sla_timer(self.ticket_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        check(app, self.ticket_id).await
    }
}

/// `sla.check`: records the alerts owed now, or just corrects the timer.
async fn check(app: &App, id: TicketId) -> Result<(), JobError> {
    let ticket = match app.read().ticket(id).await {
        Err(StoreError::NotFound { .. }) => return Ok(()),
        other => other?,
    };
    let cfg = app.sla.get();
    let now = app.now();
    let timeline = app.read().timeline(id).await?;
    let owed = sla::owed(&clocks(&cfg, &ticket, &timeline, now), &timeline, now);
    if owed.is_empty() || !ticket.state.is_open() {
        // Woken early, or the schedule moved: make sure the timer is where it should be.
        let (timer, due) = schedule(&cfg, &ticket, &timeline, now);
        app.store.reschedule_sla(&[(id, timer, due)], &[]).await?;
        return Ok(());
    }
    let supervisors = supervisors_of(app, ticket.department_id).await?;
    let reassign = cfg.policy.reassign_on_breach;
    match change(app, id, |cur| alerts(cur, &owed, &supervisors, reassign, now)).await {
        Ok(_) => Ok(()),
        // The ticket left the workflow meanwhile: nothing is owed any more.
        Err(AppError::Conflict { code: "illegal_transition", .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The events and notifications of the alerts owed.
fn alerts(
    cur: &Ticket,
    owed: &[Alerts],
    supervisors: &[UserId],
    reassign: bool,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    let mut t = cur.clone();
    let mut decision = Decision::default();
    let mut push = |t: &mut Ticket, e: Event| {
        apply(t, &e);
        decision.events.push(e);
    };
    for o in owed {
        let data = EventData::SlaAlerted { target: o.target, alert: o.alert, due: o.due };
        let e = system_event(&t, data, now);
        push(&mut t, e);
        if o.alert == SlaAlert::Breach {
            let reason = format!("SLA breached: {} was due {}", o.target.as_str(), o.due.to_rfc3339());
            let to = supervisors.first().copied();
            let e = decide(&t, Command::Escalate { reason, to }, Actor::System, now)?;
            push(&mut t, e);
            if let Some(e) = unassign(&t, reassign, now) {
                push(&mut t, e);
            }
        }
        decision.owed.jobs.push(notify(&t, o, supervisors, now));
    }
    Ok(decision)
}

/// With `reassign_on_breach`: the ticket back to its department's queue, if the lifecycle
/// allows a reassignment now (not while waiting for the customer or an approval).
fn unassign(t: &Ticket, reassign: bool, now: Timestamp) -> Option<Event> {
    if !reassign || t.assignee_id.is_none() || t.department_id.is_none() {
        return None;
    }
    let reason = Some("SLA breached: returned to the department queue for reassignment".to_string());
    let cmd = Command::Assign { department_id: t.department_id, assignee_id: None, reason };
    decide(t, cmd, Actor::System, now).ok()
}

fn system_event(t: &Ticket, data: EventData, at: Timestamp) -> Event {
    Event {
        ticket_id: t.id,
        seq: t.version,
        at,
        actor: Actor::System,
        state_before: Some(t.state),
        state_after: t.state,
        data,
    }
}

/// The staff notification of one alert: a warning to the assignee (or the department), a
/// breach to the department's supervisors. No customer data in the text.
fn notify(t: &Ticket, o: &Alerts, supervisors: &[UserId], now: Timestamp) -> JobOp {
    let (alert, users) = match o.alert {
        SlaAlert::Warning => (StaffAlert::SlaWarning, t.assignee_id.into_iter().collect()),
        SlaAlert::Breach => (StaffAlert::SlaBreach, supervisors.to_vec()),
    };
    let text = match o.alert {
        SlaAlert::Warning => format!("{}: {} due {}", t.tracking_no, o.target.as_str(), o.due.to_rfc3339()),
        SlaAlert::Breach => format!("{}: {} overdue since {}", t.tracking_no, o.target.as_str(), o.due.to_rfc3339()),
    };
    let key = Key::sla_alert(t.id, alert.as_str(), o.target.as_str(), o.due.timestamp_millis());
    let to = Recipients { users, departments: t.department_id.into_iter().collect(), supervisors: false };
    op(&super::notify::NotifyStaff::keyed(StaffNotice::about(t, alert, to, text), key), now)
}

/// Reschedule every open ticket's timer, a page at a time from `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recompute {
    pub after: TicketId,
}

impl Recompute {
    /// The sweep from the first ticket (replacing one not yet started).
    pub fn from_start() -> Recompute {
        Recompute { after: TicketId(0) }
    }
}

impl Job for Recompute {
    const KIND: JobKind = JobKind::SlaRecompute;

    fn key(&self) -> Key {
        Key::sla_recompute()
    }

    /// Reschedules one page of open tickets, then enqueues the next page.
    async fn run(self, app: &App) -> Result<(), JobError> {
        app.sla.refresh(app.read()).await?;
        let cfg = app.sla.get();
        let now = app.now();
        let ids = app.read().open_ticket_ids(self.after, PAGE).await?;
        let mut timers = Vec::with_capacity(ids.len());
        for id in &ids {
            let (timer, due) = reschedule(app, &cfg, *id, now).await?;
            timers.push((*id, timer, due));
        }
        let mut ops = Vec::with_capacity(1);
        if let (Some(last), true) = (ids.last(), ids.len() == PAGE) {
            // A restart from the first ticket enqueued meanwhile (another edit) wins.
            let restart = app.read().job_by_key(Key::sla_recompute().as_str()).await?;
            if !restart.is_some_and(|j| j.state == JobState::Pending) {
                ops.push(op(&Recompute { after: *last }, now));
            }
        }
        app.store.reschedule_sla(&timers, &ops).await?;
        Ok(())
    }
}

async fn reschedule(app: &App, cfg: &SlaConfig, id: TicketId, now: Timestamp) -> Result<(JobOp, SlaDue), StoreError> {
    let ticket = app.read().ticket(id).await?;
    let timeline = app.read().timeline(id).await?;
    Ok(schedule(cfg, &ticket, &timeline, now))
}
