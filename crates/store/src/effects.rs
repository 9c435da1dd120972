//! What a ticket change owes besides its own rows. The store writes a change's ticket row,
//! events, counts, search words and live-feed row; what else the change calls for — timers,
//! routing, notifications, SLA results — is the application's to decide. It hands the store
//! one [`Effects`] when the store is built, and every intake and every change asks it inside
//! the change's own transaction, so no path can write a change without what it owes.

use crate::jobs::JobOp;
use crate::outbox::NewDelivery;
use crate::rollup::CompletedTarget;
use loopdesk_core::{Event, Ticket};
use std::sync::Arc;

/// A change as it is about to be committed.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The ticket before the change; `None` for a ticket being recorded.
    pub before: Option<&'a Ticket>,
    /// The ticket after the change.
    pub after: &'a Ticket,
    /// The whole timeline, oldest first, the change's own events at the end.
    pub timeline: &'a [Event],
    /// How many events of `timeline` were there before the change.
    pub before_len: usize,
    /// For a ticket being recorded: the customer's message our first answer replies to.
    pub reply_to: Option<&'a str>,
    /// For a ticket being recorded: its routing was decided before it was recorded (and is
    /// among its events), so no routing is owed.
    pub routed: bool,
}

impl<'a> Change<'a> {
    /// The events this change appends.
    pub fn events(&self) -> &'a [Event] {
        &self.timeline[self.before_len.min(self.timeline.len())..]
    }

    /// The timeline as it was before the change.
    pub fn earlier(&self) -> &'a [Event] {
        &self.timeline[..self.before_len.min(self.timeline.len())]
    }
}

/// A channel key pointed at the changed ticket (replacing what the key held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWrite {
    pub key: String,
    pub value: Option<String>,
}

/// A ticket's SLA due time as queues show and sort it (`loopdesk_core::sla::due_at`), or
/// none when no clock counts. Kept on the ticket's row, beside its timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDue(pub Option<loopdesk_core::Timestamp>);

impl SlaDue {
    pub(crate) fn ms(self) -> Option<i64> {
        self.0.map(crate::sql::ms)
    }
}

/// Rows a change owes, written in its transaction.
#[derive(Debug, Clone, Default)]
pub struct Owed {
    /// Timers and work to do later (notifications rendered by a job, routing, surveys).
    pub jobs: Vec<JobOp>,
    /// Messages rendered now, queued in the outbox.
    pub deliveries: Vec<NewDelivery>,
    /// Channel keys that now lead to this ticket.
    pub keys: Vec<KeyWrite>,
    /// SLA target clocks the change stopped, for the on-time figures.
    pub sla_results: Vec<CompletedTarget>,
    /// The ticket's SLA due time, when the change computed it (its timer is then owed too).
    pub sla_due: Option<SlaDue>,
}

impl Owed {
    /// Adds everything `other` owes.
    pub fn extend(&mut self, other: Owed) {
        self.jobs.extend(other.jobs);
        self.deliveries.extend(other.deliveries);
        self.keys.extend(other.keys);
        self.sla_results.extend(other.sla_results);
        if other.sla_due.is_some() {
            self.sla_due = other.sla_due;
        }
    }
}

/// The application's rules for what every change owes. Called inside the transaction,
/// so it must not block: everything it needs is in memory.
pub trait Effects: Send + Sync + 'static {
    /// What a change (or the recording of a new ticket) owes.
    fn owed(&self, change: &Change<'_>) -> Owed;

    /// What a ticket imported with its whole history owes: what is still pending for it
    /// (its timers), never the messages its past once called for.
    fn imported(&self, _ticket: &Ticket, _timeline: &[Event]) -> Owed {
        Owed::default()
    }
}

/// Owes nothing: for tools and tests that exercise the store alone.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEffects;

impl Effects for NoEffects {
    fn owed(&self, _: &Change<'_>) -> Owed {
        Owed::default()
    }
}

/// What one intake owes besides what every change owes (its acknowledgement, the keys of
/// the message it came from), computed from the recorded ticket and its events inside the
/// transaction.
pub type ExtraEffects = Arc<dyn Fn(&Ticket, &[Event]) -> Owed + Send + Sync>;
