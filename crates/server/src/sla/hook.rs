//! The store's change hook: every ticket change and intake rewrites the ticket's SLA timer
//! in its own transaction, so the schedule can never disagree with the timeline; an intake
//! also writes the new ticket's `route.ticket` job there, so no crash loses its routing.

use super::SlaHandle;
use crate::clock::Clock;
use loopdesk_core::sla::ClockState;
use loopdesk_core::{Event, Ticket};
use loopdesk_store::{ChangeHook, CompletedTarget, JobOp, Store, StoreError};
use std::sync::Arc;

/// Loads the SLA configuration and installs the scheduler on `store`, so that intakes,
/// changes and imports (e.g. `loopdesk demo` on a bare store) write the timers they owe.
pub async fn install(store: &Store, clock: Arc<dyn Clock>) -> Result<Arc<SlaHandle>, StoreError> {
    let sla = Arc::new(SlaHandle::default());
    sla.refresh(store).await?;
    store.set_change_hook(Arc::new(Scheduler { sla: sla.clone(), clock }));
    Ok(sla)
}

/// Reschedules `sla:<id>` from the ticket's new timeline.
pub struct Scheduler {
    pub sla: Arc<SlaHandle>,
    pub clock: Arc<dyn Clock>,
}

impl ChangeHook for Scheduler {
    fn jobs_for(&self, ticket: &Ticket, timeline: &[Event]) -> Vec<JobOp> {
        vec![super::schedule(&self.sla.get(), ticket, timeline, self.clock.now())]
    }

    fn intake_jobs(&self, ticket: &Ticket) -> Vec<JobOp> {
        vec![JobOp::Enqueue(crate::workflow::route_job(ticket, self.clock.now()))]
    }

    fn completed_targets(
        &self,
        before: &Ticket,
        after: &Ticket,
        timeline: &[Event],
        before_len: usize,
    ) -> Vec<CompletedTarget> {
        completed_targets(&self.sla.get(), before, after, timeline, before_len, self.clock.now())
    }
}

/// Target clocks stopped (met or breached) with `after` and `timeline` that were not
/// stopped at the same instant with `before` and `timeline[..before_len]`.
pub fn completed_targets(
    cfg: &super::SlaConfig,
    before: &Ticket,
    after: &Ticket,
    timeline: &[Event],
    before_len: usize,
    now: loopdesk_core::Timestamp,
) -> Vec<CompletedTarget> {
    let now = timeline.last().map(|e| e.at.max(now)).unwrap_or(now);
    let old = match before_len {
        0 => Vec::new(),
        n => super::clocks(cfg, before, &timeline[..n.min(timeline.len())], now),
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
