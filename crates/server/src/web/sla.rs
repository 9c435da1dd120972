//! SLA clocks for pages: the clocks of a ticket as of now, and the first-response due time
//! the portal promises.

use crate::state::AppState;
use loopdesk_core::sla::{self, Clock, ClockState, TargetKind};
use loopdesk_core::{Event, Ticket, Timestamp};

/// Every applicable clock of `ticket` as of now.
pub fn clocks(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Vec<Clock> {
    let now = state.now();
    let policy = sla::SlaPolicy::default();
    let calendars = loopdesk_core::calendar::Calendars::default();
    sla::clocks(ticket, timeline, &policy, &calendars, now)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !matches!(c.state, ClockState::NotApplicable))
        .collect()
}

/// When the customer will hear from us at the latest.
pub fn first_response_due(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Option<Timestamp> {
    clocks(state, ticket, timeline).into_iter().find(|c| c.target == TargetKind::FirstResponse).and_then(|c| c.due_at)
}
