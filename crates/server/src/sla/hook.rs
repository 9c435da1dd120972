//! The store's change hook: every ticket change and intake rewrites the ticket's SLA timer
//! in its own transaction, so the schedule can never disagree with the timeline.

use super::SlaHandle;
use crate::clock::Clock;
use loopdesk_core::{Event, Ticket};
use loopdesk_store::{ChangeHook, JobOp};
use std::sync::Arc;

/// Reschedules `sla:<id>` from the ticket's new timeline.
pub struct Scheduler {
    pub sla: Arc<SlaHandle>,
    pub clock: Arc<dyn Clock>,
}

impl ChangeHook for Scheduler {
    fn jobs_for(&self, ticket: &Ticket, timeline: &[Event]) -> Vec<JobOp> {
        vec![super::schedule(&self.sla.get(), ticket, timeline, self.clock.now())]
    }
}
