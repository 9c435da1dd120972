//! One target's clock, derived from its episode, the pauses, the calendar and `now`.

use super::episode::{Episode, Phase};
use super::policy::TargetKind;
use crate::calendar::Calendar;
use crate::Timestamp;
use chrono::Duration;
use serde::{Deserialize, Serialize};

crate::named_enum!(
    /// Where a clock stands.
    ClockState {
        /// The target does not concern this ticket (or the ticket left the workflow).
        NotApplicable = "not_applicable",
        /// The event that starts the clock has not happened.
        NotStarted = "not_started",
        /// Counting working time.
        Running = "running",
        /// Stopped while the ticket waits for the customer.
        Paused = "paused",
        /// Stopped in time.
        Met = "met",
        /// The due time passed before the clock stopped (or it is still running past it).
        Breached = "breached",
    }
);

/// A target's clock as of `now`. Durations are serialised as whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub target: TargetKind,
    /// The calendar its working time is counted on.
    pub calendar: String,
    pub state: ClockState,
    pub started_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    /// When it breaches (or breached); unknown while paused short of its budget.
    pub due_at: Option<Timestamp>,
    /// When the warning share of the budget is (or was) reached; unknown while paused.
    pub warn_at: Option<Timestamp>,
    /// Working time allowed, extensions included.
    #[serde(rename = "budget_seconds", with = "seconds")]
    pub budget: Duration,
    /// Working time used so far (until the stop, if stopped).
    #[serde(rename = "used_seconds", with = "seconds")]
    pub used: Duration,
    /// Budget minus used; negative when overdue.
    #[serde(rename = "remaining_seconds", with = "seconds")]
    pub remaining: Duration,
    /// Whether an extension was granted.
    pub extended: bool,
    /// Running (or paused) past the warning share.
    pub warning: bool,
}

mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}

/// A stretch of running time; `None` end = still running.
type Segment = (Timestamp, Option<Timestamp>);

/// What a clock needs besides its episode.
pub(crate) struct Inputs<'a> {
    pub kind: TargetKind,
    pub calendar: &'a Calendar,
    pub budget: Duration,
    pub warn_percent: u8,
    pub pauses: &'a [Segment],
    /// The ticket has left the workflow (rejected or merged).
    pub cancelled: bool,
    pub now: Timestamp,
}

/// The episode's running stretches: `[start, stop or ∞)` minus the pauses.
fn segments(ep: &Episode, pauses: &[Segment]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = Some(ep.start);
    for &(ps, pe) in pauses {
        let Some(c) = cur else { break };
        if pe.is_some_and(|e| e <= c) {
            continue;
        }
        if ep.stop.is_some_and(|s| ps >= s) {
            break;
        }
        if ps > c {
            out.push((c, Some(ps)));
        }
        cur = pe.map(|e| e.max(c));
    }
    if let Some(c) = cur {
        if ep.stop.is_none_or(|s| c < s) {
            out.push((c, ep.stop));
        }
    }
    out
}

/// Working time run up to `until`.
fn used_until(cal: &Calendar, segs: &[Segment], until: Timestamp) -> Duration {
    segs.iter()
        .filter(|(a, _)| *a < until)
        .map(|&(a, b)| cal.working_between(a, b.map_or(until, |b| b.min(until))))
        .fold(Duration::zero(), |acc, d| acc + d)
}

/// The instant `amount` of running time is reached, if the stretches get there.
fn crossing(cal: &Calendar, segs: &[Segment], amount: Duration) -> Option<Timestamp> {
    let mut used = Duration::zero();
    for &(a, b) in segs {
        let here = b.map(|b| cal.working_between(a, b));
        if here.is_none_or(|h| used + h >= amount) {
            return Some(cal.add(a, amount - used));
        }
        used += here.unwrap_or_default();
    }
    None
}

/// The clock of a started episode.
pub(crate) fn started(inp: &Inputs, ep: &Episode) -> Clock {
    let cal = inp.calendar;
    let segs = segments(ep, inp.pauses);
    let stopped = ep.stop.is_some();
    let paused = !stopped && segs.last().is_none_or(|(_, end)| end.is_some());
    let mut budget = inp.budget;
    let mut floor: Option<Timestamp> = None;
    for &(at, until) in &ep.extensions {
        // An extension grants what it takes to reach `until` from when it was granted.
        budget = budget.max(used_until(cal, &segs, at) + cal.working_between(at, until));
        floor = floor.max(Some(until));
    }
    // A stopped clock's due time is where it would have fallen had it kept running.
    let mut run = segs.clone();
    run.extend(ep.stop.map(|s| (s, None)));
    let due = crossing(cal, &run, budget).map(|d| d.max(floor.unwrap_or(d)));
    let warn_at = crossing(cal, &run, budget * i32::from(inp.warn_percent) / 100);
    let used = used_until(cal, &segs, ep.stop.unwrap_or(inp.now).min(inp.now));
    let state = match (ep.stop, due) {
        (Some(s), Some(d)) if s <= d => ClockState::Met,
        (Some(_), _) => ClockState::Breached,
        _ if inp.cancelled => ClockState::NotApplicable,
        (None, Some(d)) if inp.now >= d => ClockState::Breached,
        _ if paused => ClockState::Paused,
        _ => ClockState::Running,
    };
    Clock {
        target: inp.kind,
        calendar: cal.name().to_string(),
        state,
        started_at: Some(ep.start),
        stopped_at: ep.stop,
        due_at: due,
        warn_at,
        budget,
        used,
        remaining: budget - used,
        extended: !ep.extensions.is_empty(),
        warning: !stopped && warn_at.is_some_and(|w| inp.now >= w),
    }
}

/// The clock for any phase.
pub(crate) fn clock(inp: &Inputs, phase: &Phase) -> Clock {
    let idle = |state| Clock {
        target: inp.kind,
        calendar: inp.calendar.name().to_string(),
        state,
        started_at: None,
        stopped_at: None,
        due_at: None,
        warn_at: None,
        budget: inp.budget,
        used: Duration::zero(),
        remaining: inp.budget,
        extended: false,
        warning: false,
    };
    match phase {
        Phase::NotApplicable => idle(ClockState::NotApplicable),
        Phase::NotStarted if inp.cancelled => idle(ClockState::NotApplicable),
        Phase::NotStarted => idle(ClockState::NotStarted),
        Phase::Started(ep) => started(inp, ep),
    }
}
