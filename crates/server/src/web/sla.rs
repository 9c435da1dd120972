//! SLA clocks for pages, from the configuration in effect (timers' `crate::sla`: the
//! `sla_policy` and `calendars` documents), and the first-response due time the portal
//! promises.

use crate::state::AppState;
use loopdesk_core::calendar::CalendarSpec;
use loopdesk_core::sla::{Clock, ClockState, TargetKind};
use loopdesk_core::{Event, Ticket, Timestamp};
use serde_json::Value;

/// The calendar specs of a `calendars` document (`{"calendars": [spec, ...]}`).
pub fn calendar_specs(body: &Value) -> Result<Vec<CalendarSpec>, String> {
    let list = body.get("calendars").ok_or("the document needs a \"calendars\" list")?;
    serde_json::from_value(list.clone()).map_err(|e| e.to_string())
}

/// Every applicable clock of `ticket` as of now.
pub async fn clocks(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Vec<Clock> {
    let _ = state.sla.refresh(state.read()).await;
    loopdesk_app::sla::clocks(&state.sla.get(), ticket, timeline, state.now())
        .into_iter()
        .filter(|c| !matches!(c.state, ClockState::NotApplicable))
        .collect()
}

/// When the customer will hear from us at the latest.
pub async fn first_response_due(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Option<Timestamp> {
    clocks(state, ticket, timeline)
        .await
        .into_iter()
        .find(|c| c.target == TargetKind::FirstResponse)
        .and_then(|c| c.due_at)
}
