//! SLA jobs. `sla.check` (one per ticket, key `sla:<id>`) recomputes the ticket's clocks
//! from its timeline and records the alerts owed — a warning at the policy's share, and at
//! the due time an escalation to the department's supervisors — with their staff
//! notifications, all in one ticket change; the change reschedules the timer. A
//! `sla.recompute` walks the open tickets a page at a time after a policy or calendar edit
//! and reschedules each ticket's timer.

use super::JobError;
use crate::sla::{clocks, schedule, SlaConfig};
use crate::state::AppState;
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::sla::{self, Owed, SlaAlert};
use loopdesk_core::{Actor, DomainError, Event, EventData, Role, Ticket, TicketId, Timestamp, UserId};
use loopdesk_store::{Decision, Job, JobOp, NewJob, StoreError};
use serde_json::json;

/// Kind of the per-ticket timer.
pub const CHECK: &str = "sla.check";
/// Kind of the sweep after a configuration change.
pub const RECOMPUTE: &str = "sla.recompute";
/// Dedup key of the sweep.
pub const RECOMPUTE_KEY: &str = "sla.recompute";
/// Open tickets rescheduled per sweep job.
const PAGE: usize = 500;

fn ticket_id(job: &Job) -> Result<TicketId, JobError> {
    job.payload["ticket_id"].as_i64().map(TicketId).ok_or_else(|| JobError::Fatal("payload has no ticket_id".into()))
}

/// `sla.check`: records the alerts owed now, or just corrects the timer.
pub async fn check(state: &AppState, job: &Job) -> Result<(), JobError> {
    let id = ticket_id(job)?;
    let ticket = match state.store.ticket(id).await {
        Err(StoreError::NotFound { .. }) => return Ok(()),
        other => other?,
    };
    let cfg = state.sla.get();
    let now = state.now();
    let timeline = state.store.timeline(id).await?;
    let owed = sla::owed(&clocks(&cfg, &ticket, &timeline, now), &timeline, now);
    if owed.is_empty() || !ticket.state.is_open() {
        // Woken early, or the schedule moved: make sure the timer is where it should be.
        state.store.enqueue_all(&[schedule(&cfg, &ticket, &timeline, now)]).await?;
        return Ok(());
    }
    let supervisors = supervisors(state, &ticket).await?;
    let reassign = cfg.policy.reassign_on_breach;
    let decided = state.store.change_with(id, |cur| alerts(cur, &owed, &supervisors, reassign, now)).await;
    match decided {
        Ok(_) => Ok(()),
        // The ticket left the workflow meanwhile: nothing is owed any more.
        Err(StoreError::Domain(DomainError::IllegalTransition { .. })) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Active supervisors of the ticket's department, or every active supervisor if it has none.
async fn supervisors(state: &AppState, ticket: &Ticket) -> Result<Vec<UserId>, StoreError> {
    let sups: Vec<_> =
        state.store.users().await?.into_iter().filter(|u| u.active && u.role == Role::Supervisor).collect();
    let own: Vec<UserId> = sups
        .iter()
        .filter(|u| ticket.department_id.is_some() && u.department_id == ticket.department_id)
        .map(|u| u.id)
        .collect();
    Ok(if own.is_empty() { sups.iter().map(|u| u.id).collect() } else { own })
}

/// The events and notifications of the alerts owed.
fn alerts(
    cur: &Ticket,
    owed: &[Owed],
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
        decision.jobs.push(JobOp::Enqueue(notify(&t, o, supervisors, now)));
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
fn notify(t: &Ticket, o: &Owed, supervisors: &[UserId], now: Timestamp) -> NewJob {
    let (alert, users): (&str, Vec<i64>) = match o.alert {
        SlaAlert::Warning => ("sla_warning", t.assignee_id.iter().map(|u| u.0).collect()),
        SlaAlert::Breach => ("sla_breach", supervisors.iter().map(|u| u.0).collect()),
    };
    let text = match o.alert {
        SlaAlert::Warning => format!("{}: {} due {}", t.tracking_no, o.target.as_str(), o.due.to_rfc3339()),
        SlaAlert::Breach => format!("{}: {} overdue since {}", t.tracking_no, o.target.as_str(), o.due.to_rfc3339()),
    };
    let key = format!("notify:{}:{alert}:{}:{}", t.id.0, o.target.as_str(), o.due.timestamp_millis());
    let payload = json!({
        "ticket_id": t.id.0,
        "alert": alert,
        "user_ids": users,
        "department_ids": t.department_id.iter().map(|d| d.0).collect::<Vec<_>>(),
        "text": text,
    });
    NewJob::keyed("notify.staff", key, payload, now)
}

/// Enqueues the sweep from the first ticket (replacing one not yet started).
pub fn recompute_job(now: Timestamp) -> NewJob {
    NewJob::keyed(RECOMPUTE, RECOMPUTE_KEY, json!({ "after": 0 }), now)
}

/// `sla.recompute`: reschedules one page of open tickets, then enqueues the next page.
pub async fn recompute(state: &AppState, job: &Job) -> Result<(), JobError> {
    state.sla.refresh(&state.store).await?;
    let cfg = state.sla.get();
    let after = TicketId(job.payload["after"].as_i64().unwrap_or(0));
    let now = state.now();
    let ids = state.store.open_ticket_ids(after, PAGE).await?;
    let mut ops = Vec::with_capacity(ids.len() + 1);
    for id in &ids {
        ops.push(reschedule(state, &cfg, *id, now).await?);
    }
    if let (Some(last), true) = (ids.last(), ids.len() == PAGE) {
        // A restart from the first ticket enqueued meanwhile (another edit) wins.
        let restart = state.store.job_by_key(RECOMPUTE_KEY).await?.filter(|j| j.id != job.id);
        if !restart.is_some_and(|j| j.state == loopdesk_store::JobState::Pending) {
            ops.push(JobOp::Enqueue(NewJob::keyed(RECOMPUTE, RECOMPUTE_KEY, json!({ "after": last.0 }), now)));
        }
    }
    state.store.enqueue_all(&ops).await?;
    Ok(())
}

async fn reschedule(state: &AppState, cfg: &SlaConfig, id: TicketId, now: Timestamp) -> Result<JobOp, StoreError> {
    let ticket = state.store.ticket(id).await?;
    let timeline = state.store.timeline(id).await?;
    Ok(schedule(cfg, &ticket, &timeline, now))
}
