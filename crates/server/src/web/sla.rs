//! SLA clocks for pages: the policy and calendars in effect (the `sla_policy` and
//! `calendars` configuration documents, else the built-in defaults), the clocks of a
//! ticket as of now, and the first-response due time the portal promises.

use crate::state::AppState;
use loopdesk_core::calendar::{Calendar, CalendarSpec, Calendars, DEFAULT_CALENDAR};
use loopdesk_core::sla::{self, Clock, ClockState, SlaPolicy, TargetKind};
use loopdesk_core::{Event, Ticket, Timestamp};
use serde_json::Value;

/// The calendar specs of a `calendars` document: `{"calendars": [spec, ...]}` or `[spec, ...]`.
pub fn calendar_specs(body: &Value) -> Result<Vec<CalendarSpec>, String> {
    let list = body.get("calendars").unwrap_or(body);
    let specs: Vec<CalendarSpec> = serde_json::from_value(list.clone()).map_err(|e| e.to_string())?;
    for s in &specs {
        Calendar::new(s.clone()).map_err(|e| format!("calendar {}: {e}", s.name))?;
    }
    Ok(specs)
}

/// The built-in calendars as a document body (what an admin starts editing from).
pub fn default_calendars() -> Value {
    serde_json::json!({ "calendars": [CalendarSpec::china(DEFAULT_CALENDAR)] })
}

/// The calendars in effect: the defaults, overridden by name by the document's.
pub async fn calendars(state: &AppState) -> Calendars {
    let mut set = Calendars::default();
    if let Some(body) = super::admin::document_body(state, "calendars").await {
        for spec in calendar_specs(&body).unwrap_or_default() {
            if let Ok(c) = Calendar::new(spec) {
                set.insert(c);
            }
        }
    }
    set
}

/// The SLA policy in effect.
pub async fn policy(state: &AppState) -> SlaPolicy {
    super::admin::document_body(state, "sla_policy")
        .await
        .and_then(|b| serde_json::from_value(b).ok())
        .unwrap_or_default()
}

/// Every applicable clock of `ticket` as of now.
pub async fn clocks(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Vec<Clock> {
    let (policy, calendars) = (policy(state).await, calendars(state).await);
    sla::clocks(ticket, timeline, &policy, &calendars, state.now())
        .unwrap_or_default()
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
