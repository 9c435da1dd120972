//! Reading a timeline: when each clock started and stopped, when the ticket was paused,
//! and which extensions were granted. Only the latest cycle of a clock counts (a
//! reassignment restarts acknowledgement, a reopening restarts the result).

use super::policy::{Anchor, TargetKind};
use crate::ticket::Rating;
use crate::{Event, EventData, State, Ticket, Timestamp};

/// One run of a clock.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Episode {
    pub start: Timestamp,
    pub stop: Option<Timestamp>,
    /// Granted extensions: (when granted, new due time).
    pub extensions: Vec<(Timestamp, Timestamp)>,
}

/// Where a clock stands according to the timeline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Phase {
    /// The target does not concern this ticket (e.g. no approval was ever requested).
    NotApplicable,
    /// The event that starts it has not happened yet.
    NotStarted,
    Started(Episode),
}

/// States in which no clock runs: waiting for the customer, or out of the workflow.
fn pauses_clocks(state: State) -> bool {
    matches!(state, State::AwaitingCustomer | State::Rejected | State::Merged)
}

/// Stretches during which clocks are paused, in order; the last may still be open.
pub(crate) fn pauses(timeline: &[Event]) -> Vec<(Timestamp, Option<Timestamp>)> {
    let mut out: Vec<(Timestamp, Option<Timestamp>)> = Vec::new();
    for ev in timeline {
        let open = out.last().is_some_and(|(_, end)| end.is_none());
        match (pauses_clocks(ev.state_after), open) {
            (true, false) => out.push((ev.at, None)),
            (false, true) => out.last_mut().expect("an open pause").1 = Some(ev.at),
            _ => {}
        }
    }
    out
}

fn is_response(data: &EventData) -> bool {
    matches!(data, EventData::Replied { .. } | EventData::Resolved { .. })
}

/// Index of the first event at or after `from` that satisfies `f`.
fn find(timeline: &[Event], from: usize, f: impl Fn(&EventData) -> bool) -> Option<usize> {
    (from..timeline.len()).find(|&i| f(&timeline[i].data))
}

/// Index of the last event that satisfies `f`.
fn rfind(timeline: &[Event], f: impl Fn(&EventData) -> bool) -> Option<usize> {
    timeline.iter().rposition(|e| f(&e.data))
}

/// The clock from event `start` (exclusive) to the first event satisfying `stop`.
fn from_event(timeline: &[Event], start: usize, stop: impl Fn(&EventData) -> bool) -> (Timestamp, Option<Timestamp>) {
    let stop = find(timeline, start + 1, stop).map(|i| timeline[i].at);
    (timeline[start].at, stop)
}

/// Start and stop of `kind`'s latest cycle, or why there is none.
fn bounds(
    kind: TargetKind,
    ticket: &Ticket,
    timeline: &[Event],
    result_from: Anchor,
) -> Result<(Timestamp, Option<Timestamp>), Phase> {
    let first_response = find(timeline, 0, is_response);
    match kind {
        TargetKind::Intake => Ok((ticket.received_at, Some(ticket.recorded_at.max(ticket.received_at)))),
        TargetKind::FirstResponse => Ok(from_event(timeline, 0, is_response)),
        TargetKind::Plan => {
            let after = first_response.unwrap_or(timeline.len());
            let stop = timeline.iter().enumerate().skip(1).find(|(i, e)| match &e.data {
                EventData::ApprovalRequested { .. } | EventData::Resolved { .. } => true,
                EventData::Replied { .. } => *i > after,
                _ => false,
            });
            Ok((timeline[0].at, stop.map(|(_, e)| e.at)))
        }
        TargetKind::Acknowledge => {
            let i = rfind(timeline, |d| matches!(d, EventData::Assigned { .. }));
            let i = i.ok_or(Phase::NotStarted)?;
            Ok(from_event(timeline, i, |d| matches!(d, EventData::Acknowledged)))
        }
        TargetKind::Result => {
            let anchor = match result_from {
                Anchor::Created => 0,
                Anchor::FirstResponse => first_response.ok_or(Phase::NotStarted)?,
            };
            // Reopened by hand or by an unsatisfied survey answer (which reopens too).
            let reopened = timeline
                .iter()
                .rposition(|e| e.state_after == State::Reopened && e.state_before != Some(State::Reopened));
            let start = reopened.filter(|&r| r > anchor).unwrap_or(anchor);
            Ok(from_event(timeline, start, |d| matches!(d, EventData::Resolved { .. })))
        }
        TargetKind::Recontact => {
            // The latest unsatisfied answer, until staff next reply to the customer.
            let i = rfind(
                timeline,
                |d| matches!(d, EventData::SurveyAnswered { satisfaction } if satisfaction.rating == Rating::Unsatisfied),
            );
            let i = i.ok_or(Phase::NotApplicable)?;
            Ok(from_event(timeline, i, |d| matches!(d, EventData::Replied { .. })))
        }
        TargetKind::Approval => {
            let i = rfind(timeline, |d| matches!(d, EventData::ApprovalRequested { .. }));
            let i = i.ok_or(Phase::NotApplicable)?;
            Ok(from_event(timeline, i, |d| matches!(d, EventData::ApprovalDecided { .. })))
        }
    }
}

/// The latest cycle of `kind` for a ticket whose timeline (up to now) is `timeline`.
pub(crate) fn phase(kind: TargetKind, ticket: &Ticket, timeline: &[Event], result_from: Anchor) -> Phase {
    if timeline.is_empty() && kind != TargetKind::Intake {
        return Phase::NotStarted;
    }
    let (start, stop) = match bounds(kind, ticket, timeline, result_from) {
        Ok(b) => b,
        Err(phase) => return phase,
    };
    let extensions = timeline
        .iter()
        .filter(|e| e.at >= start && stop.is_none_or(|s| e.at <= s))
        .filter_map(|e| match &e.data {
            EventData::Extended { target, until, .. } if target == kind.as_str() => Some((e.at, *until)),
            _ => None,
        })
        .collect();
    Phase::Started(Episode { start, stop, extensions })
}
