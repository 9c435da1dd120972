//! Which SLA alerts are owed: a clock that passed its warning share or its due time while
//! running, and whose current cycle has no such alert on the timeline yet. Recording the
//! alert as an event ([`crate::EventData::SlaAlerted`]) is what makes it fire once.

use super::{Clock, ClockState, TargetKind};
use crate::{Event, EventData, Timestamp};

crate::named_enum!(
    /// The two alerts a clock raises.
    SlaAlert {
        /// The warning share of the budget is used.
        Warning = "warning",
        /// The due time passed with the clock still running.
        Breach = "breach",
    }
);

/// One alert owed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub target: TargetKind,
    pub alert: SlaAlert,
    pub due: Timestamp,
}

/// Whether the timeline already has `alert` for `target` since `since` (the cycle's start).
fn recorded(timeline: &[Event], target: TargetKind, alert: SlaAlert, since: Timestamp) -> bool {
    timeline
        .iter()
        .rev()
        .take_while(|e| e.at >= since)
        .any(|e| matches!(&e.data, EventData::SlaAlerted { target: t, alert: a, .. } if *t == target && *a == alert))
}

/// The alerts owed as of `now`, from clocks computed at `now` on the same timeline. A clock
/// still running past its due time owes a breach (and its warning, if that never fired);
/// a running clock past its warning share owes a warning. Stopped clocks owe nothing.
pub fn owed(clocks: &[Clock], timeline: &[Event], now: Timestamp) -> Vec<Owed> {
    let mut out = Vec::new();
    for c in clocks {
        let (Some(start), None, Some(due)) = (c.started_at, c.stopped_at, c.due_at) else {
            continue;
        };
        if !matches!(c.state, ClockState::Running | ClockState::Breached) {
            continue;
        }
        let mut want = |alert, reached: bool| {
            if reached && !recorded(timeline, c.target, alert, start) {
                out.push(Owed { target: c.target, alert, due });
            }
        };
        want(SlaAlert::Warning, c.warn_at.is_some_and(|w| now >= w));
        want(SlaAlert::Breach, c.state == ClockState::Breached && now >= due);
    }
    out
}

/// When the next alert not yet on the timeline falls due (possibly already past): the
/// instant a ticket's timer should wake. `None` when no running clock owes one.
pub fn next_alert(clocks: &[Clock], timeline: &[Event]) -> Option<Timestamp> {
    clocks
        .iter()
        .filter(|c| c.stopped_at.is_none() && matches!(c.state, ClockState::Running | ClockState::Breached))
        .flat_map(|c| {
            let start = c.started_at;
            [(SlaAlert::Warning, c.warn_at), (SlaAlert::Breach, c.due_at)].into_iter().filter_map(move |(alert, at)| {
                match (start, at) {
                    (Some(s), Some(at)) if !recorded(timeline, c.target, alert, s) => Some(at),
                    _ => None,
                }
            })
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendars;
    use crate::sla::{clocks, SlaPolicy};
    use crate::{Actor, Channel, Customer, Ticket, TicketId};
    use chrono::{Duration, TimeZone, Utc};

    fn t0() -> Timestamp {
        // Monday 2026-11-02 09:30 in Shanghai.
        Utc.with_ymd_and_hms(2026, 11, 2, 1, 30, 0).unwrap()
    }

    fn created() -> (Ticket, Vec<Event>) {
        let mut t = Ticket::draft(Channel::Web, "x".into(), Customer::default(), t0(), t0());
        t.id = TicketId(7);
        let mut initial = t.clone();
        initial.version = 0;
        let e = Event {
            ticket_id: t.id,
            seq: 0,
            at: t0(),
            actor: Actor::Customer,
            state_before: None,
            state_after: t.state,
            data: EventData::Created { ticket: Box::new(initial) },
        };
        t.version = 1;
        (t, vec![e])
    }

    #[test]
    fn a_warning_then_a_breach_are_owed_once_each() {
        let (mut t, mut timeline) = created();
        let (p, cals) = (SlaPolicy::default(), Calendars::default());
        let at = |t: &Ticket, tl: &[Event], now| clocks(t, tl, &p, &cals, now).unwrap();
        // Medium: first response within 2 working days (18 h), warning at 80% (14.4 h).
        let warn = t0() + Duration::days(1) + Duration::hours(5) + Duration::minutes(24);
        assert_eq!(next_alert(&at(&t, &timeline, t0()), &timeline), Some(warn));
        assert!(
            owed(&at(&t, &timeline, warn - Duration::minutes(1)), &timeline, warn - Duration::minutes(1)).is_empty()
        );
        let due = owed(&at(&t, &timeline, warn), &timeline, warn);
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].target, due[0].alert), (TargetKind::FirstResponse, SlaAlert::Warning));
        let e = Event {
            ticket_id: t.id,
            seq: 1,
            at: warn,
            actor: Actor::System,
            state_before: Some(t.state),
            state_after: t.state,
            data: EventData::SlaAlerted { target: due[0].target, alert: SlaAlert::Warning, due: due[0].due },
        };
        crate::event::apply(&mut t, &e);
        timeline.push(e);
        assert!(owed(&at(&t, &timeline, warn), &timeline, warn).is_empty(), "recorded, so not owed again");
        assert_eq!(next_alert(&at(&t, &timeline, warn), &timeline), Some(t0() + Duration::days(2)), "next: the breach");
        let breach = owed(&at(&t, &timeline, t0() + Duration::days(2)), &timeline, t0() + Duration::days(2));
        assert_eq!(breach.iter().map(|o| o.alert).collect::<Vec<_>>(), vec![SlaAlert::Breach]);
    }
}
