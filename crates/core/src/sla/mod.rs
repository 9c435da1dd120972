//! SLA clocks, derived — never stored. From a ticket, its timeline, the policy, the
//! calendars and `now`, [`clocks`] computes every target's start, due time, working time
//! used and left, state and warning instant. Nothing here is persisted except what the
//! server chooses to cache, such as [`next_due`] to wake its timer: after a policy or
//! calendar edit the same call recounts every open ticket (use
//! [`crate::calendar::Calendar::revised`] so working time already spent keeps its count).
//!
//! Rules: clocks pause while the ticket awaits the customer (and while rejected or
//! merged); an extension (`EventData::Extended { target }`, target named as in
//! [`TargetKind`]) moves that target's due time to at least its `until`, counted as
//! working time so later pauses still push it; a (re)assignment restarts the acknowledge
//! clock; a reopening restarts the result clock. A running clock is breached from the
//! instant its due time is reached; a stopped one is met if it stopped at or before it.
//! The ticket's current priority, category, tier and channel choose the targets, so a
//! reprioritised ticket is measured against its new targets from each clock's start.

mod alerts;
mod clock;
mod episode;
mod policy;

pub use alerts::{next_alert, owed, Owed, SlaAlert};
pub use clock::{Clock, ClockState};
pub use policy::{
    Anchor, Budget, ByPriority, IntakeTargets, PolicyOverride, PriorityTargets, SlaPolicy, Target, TargetKind,
};

use crate::calendar::Calendars;
use crate::{Event, State, Ticket, Timestamp};
use clock::Inputs;

/// The policy names a calendar that is not there, or is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// A target names a calendar that does not exist.
    #[error("unknown calendar {0:?}")]
    UnknownCalendar(String),
    /// The warning share is not between 1 and 100 percent.
    #[error("warn_percent must be between 1 and 100, not {0}")]
    BadWarnPercent(u8),
}

/// Every target's clock for `ticket` as of `now`, from its timeline in order (oldest first;
/// events after `now` are ignored), in [`TargetKind::ALL`] order.
pub fn clocks(
    ticket: &Ticket,
    timeline: &[Event],
    policy: &SlaPolicy,
    calendars: &Calendars,
    now: Timestamp,
) -> Result<Vec<Clock>, SlaError> {
    let seen = timeline.partition_point(|e| e.at <= now);
    let timeline = &timeline[..seen];
    let state = timeline.last().map_or(ticket.state, |e| e.state_after);
    let pauses = episode::pauses(timeline);
    let targets = policy.targets_for(ticket);
    // The promise to an unsatisfied customer runs on the calendar of the ticket's result.
    let recontact = policy.recontact.map(|budget| Target { budget, calendar: targets.result.calendar.clone() });
    let all = [
        (TargetKind::Intake, policy.intake_for(ticket.channel)),
        (TargetKind::Acknowledge, &targets.acknowledge),
        (TargetKind::FirstResponse, &targets.first_response),
        (TargetKind::Plan, &targets.plan),
        (TargetKind::Result, &targets.result),
        (TargetKind::Approval, &targets.approval),
        (TargetKind::Recontact, recontact.as_ref().unwrap_or(&targets.result)),
    ];
    all.into_iter()
        .map(|(kind, target)| {
            let calendar =
                calendars.get(&target.calendar).ok_or_else(|| SlaError::UnknownCalendar(target.calendar.clone()))?;
            let inputs = Inputs {
                kind,
                calendar,
                budget: target.budget.on(calendar),
                warn_percent: policy.warn_percent,
                pauses: if kind == TargetKind::Intake { &[] } else { &pauses },
                cancelled: matches!(state, State::Rejected | State::Merged),
                now,
            };
            let phase = match kind {
                TargetKind::Recontact if recontact.is_none() => episode::Phase::NotApplicable,
                _ => episode::phase(kind, ticket, timeline, targets.result_from),
            };
            Ok(clock::clock(&inputs, &phase))
        })
        .collect()
}

/// The ticket's SLA due time as queues show and sort it: the earliest due time of a clock
/// still counting, in the past once it is overdue (a breached clock keeps counting until it
/// stops). `None` when no clock counts: all met, not started, or paused while the ticket
/// waits for the customer (its due time is then unknown, and nobody owes it work).
pub fn due_at(clocks: &[Clock]) -> Option<Timestamp> {
    clocks
        .iter()
        .filter(|c| c.stopped_at.is_none() && matches!(c.state, ClockState::Running | ClockState::Breached))
        .filter_map(|c| c.due_at)
        .min()
}

/// The earliest instant after `now` at which a running clock warns or breaches: the one
/// value per ticket the server persists to wake its timer. `None` when nothing is due.
pub fn next_due(clocks: &[Clock], now: Timestamp) -> Option<Timestamp> {
    clocks
        .iter()
        .filter(|c| c.state == ClockState::Running)
        .flat_map(|c| [c.warn_at, c.due_at])
        .flatten()
        .filter(|t| *t > now)
        .min()
}
