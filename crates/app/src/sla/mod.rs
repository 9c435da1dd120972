//! SLA wiring: the policy and calendars in effect (documents `sla_policy` and `calendars`,
//! or the defaults of `loopdesk_core::sla` / `loopdesk_core::calendar`), each ticket's
//! clocks as the API shows them, and the one timer per ticket.
//!
//! Deadlines are never stored. Each open ticket has at most one pending job `sla.check`
//! keyed `sla:<ticket id>`, due at its next unfired alert (a warning share or a due time of
//! a running clock), written in the same transaction as every change to the ticket (the
//! application's effects, [`crate::effects::AppEffects`]). After a policy or calendar edit one
//! `sla.recompute` job walks the open tickets and reschedules them.
//!
//! Calendar edits keep working time already used: the calendars in effect are the saved
//! versions chained with [`loopdesk_core::calendar::Calendar::revised`] at each version's
//! save time.

pub mod calendar_files;
pub mod load;
pub mod results;
pub mod schedule_watch;

use loopdesk_core::calendar::Calendars;
use loopdesk_core::sla::{self, Clock, ClockState, SlaPolicy, TargetKind};
use loopdesk_core::{Event, State, Ticket, Timestamp};
use loopdesk_store::{JobOp, Reader, SlaDue, StoreError};
use serde::Serialize;
use std::sync::{Arc, RwLock};

/// The SLA configuration in effect.
#[derive(Debug, Clone, Default)]
pub struct SlaConfig {
    pub policy: SlaPolicy,
    pub calendars: Calendars,
    /// Document versions it was built from (0 = built-in defaults).
    pub policy_version: i64,
    pub calendars_version: i64,
    /// The portal document's version (its promise to unsatisfied customers is a clock).
    pub portal_version: i64,
}

/// The shared, refreshable configuration. A node caches it; the documents own it.
#[derive(Default)]
pub struct SlaHandle {
    current: RwLock<Arc<SlaConfig>>,
}

impl SlaHandle {
    /// The configuration in effect.
    pub fn get(&self) -> Arc<SlaConfig> {
        self.current.read().map(|c| Arc::clone(&c)).unwrap_or_default()
    }

    /// Replaces the configuration in effect.
    pub fn set(&self, config: SlaConfig) {
        if let Ok(mut c) = self.current.write() {
            *c = Arc::new(config);
        }
    }

    /// Reloads from the documents if their versions moved (one small query otherwise).
    pub async fn refresh(&self, store: &Reader) -> Result<(), StoreError> {
        let versions = load::versions(store).await?;
        let cur = self.get();
        if versions != (cur.policy_version, cur.calendars_version, cur.portal_version) {
            self.set(load::config(store).await?);
        }
        Ok(())
    }
}

/// One target's clock as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaView {
    pub target: TargetKind,
    pub calendar: String,
    pub state: ClockState,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub started_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub warn_at: Option<Timestamp>,
    /// Working minutes left (negative when overdue).
    pub remaining_working_minutes: i64,
    /// The warning share is used (and the clock has not stopped).
    pub warned: bool,
    pub extended: bool,
}

impl From<&Clock> for SlaView {
    fn from(c: &Clock) -> SlaView {
        SlaView {
            target: c.target,
            calendar: c.calendar.clone(),
            state: c.state,
            started_at: c.started_at,
            due: c.due_at,
            warn_at: c.warn_at,
            remaining_working_minutes: c.remaining.num_minutes(),
            warned: c.warning,
            extended: c.extended,
        }
    }
}

/// Every clock of `ticket` at `now`; an unknown calendar (a broken config) yields none.
pub fn clocks(cfg: &SlaConfig, ticket: &Ticket, timeline: &[Event], now: Timestamp) -> Vec<Clock> {
    sla::clocks(ticket, timeline, &cfg.policy, &cfg.calendars, now).unwrap_or_else(|e| {
        tracing::error!(ticket = ticket.id.0, error = %e, "SLA clocks cannot be computed");
        Vec::new()
    })
}

/// The ticket's timer and due time: enqueue (or move) `sla:<id>` to its next unfired
/// alert, or cancel it; and the due time the queues sort by. A resolved ticket keeps its
/// timer (a clock may still count until it is closed) but is due nowhere: until the
/// customer answers, nobody owes work on it.
pub fn schedule(cfg: &SlaConfig, ticket: &Ticket, timeline: &[Event], now: Timestamp) -> (JobOp, SlaDue) {
    let (next, due) = match ticket.state.is_open() {
        true => {
            let clocks = clocks(cfg, ticket, timeline, now);
            let due = sla::due_at(&clocks).filter(|_| ticket.state != State::Resolved);
            (sla::next_alert(&clocks, timeline), due)
        }
        false => (None, None),
    };
    let op = match next {
        Some(at) => crate::jobs::op(&crate::jobs::sla::Check::of(ticket), at),
        None => JobOp::Cancel { key: crate::keys::Key::sla_timer(ticket.id).into() },
    };
    (op, SlaDue(due))
}

impl crate::App {
    /// The ticket's SLA clocks as shown by the API (targets that do not apply left out).
    pub fn sla_for(&self, ticket: &Ticket, timeline: &[Event]) -> Vec<SlaView> {
        let cfg = self.sla.get();
        clocks(&cfg, ticket, timeline, self.now())
            .iter()
            .filter(|c| c.state != ClockState::NotApplicable)
            .map(SlaView::from)
            .collect()
    }
}
