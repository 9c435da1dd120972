//! SLA results: the target clocks a change stopped (met or breached), recorded in the
//! change's own transaction for the dashboard's on-time rates.

use loopdesk_core::sla::ClockState;
use loopdesk_core::{Event, Ticket, Timestamp};
use loopdesk_store::CompletedTarget;

/// Target clocks stopped with `after` and `timeline` that were not stopped at the same
/// instant with `before` and `timeline[..before_len]` (`before` is `None` for a ticket
/// being recorded).
pub fn completed_targets(
    cfg: &super::SlaConfig,
    before: Option<&Ticket>,
    after: &Ticket,
    timeline: &[Event],
    before_len: usize,
    now: Timestamp,
) -> Vec<CompletedTarget> {
    let now = timeline.last().map(|e| e.at.max(now)).unwrap_or(now);
    let old = match (before, before_len) {
        (Some(b), n) if n > 0 => super::clocks(cfg, b, &timeline[..n.min(timeline.len())], now),
        _ => Vec::new(),
    };
    super::clocks(cfg, after, timeline, now)
        .into_iter()
        .filter_map(|c| {
            let stopped_at = c.stopped_at?;
            let met = match c.state {
                ClockState::Met => true,
                ClockState::Breached => false,
                _ => return None,
            };
            let known = old.iter().any(|o| o.target == c.target && o.stopped_at == Some(stopped_at));
            (!known).then(|| CompletedTarget { target: c.target.as_str().to_string(), stopped_at, met })
        })
        .collect()
}
