//! The routing rules and staffing in effect, read from the documents store (contract 1),
//! with users' departments filling in agents the staffing document does not list.

use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::routing::{AgentProfile, RoutingRules, Staffing};
use loopdesk_core::Role;
use serde::de::DeserializeOwned;

/// Document name of the routing rules.
pub const ROUTING_RULES: &str = "routing_rules";
/// Document name of skills, duty calendars, leave and supervisors.
pub const STAFFING: &str = "staffing";

/// The stored document `name` as `T`, or `T::default()` when there is none yet.
pub async fn typed<T: DeserializeOwned + Default>(state: &AppState, name: &str) -> Result<T, ApiError> {
    match state.store.document(name).await? {
        Some(doc) => serde_json::from_value(doc.body)
            .map_err(|e| ApiError::Internal(format!("stored document {name} does not parse: {e}"))),
        None => Ok(T::default()),
    }
}

/// The routing rules in effect.
pub async fn routing_rules(state: &AppState) -> Result<RoutingRules, ApiError> {
    typed(state, ROUTING_RULES).await
}

/// The staffing document, plus every active agent it does not list (no skills, the
/// department's calendar, never on leave).
pub async fn staffing(state: &AppState) -> Result<Staffing, ApiError> {
    let mut staffing: Staffing = typed(state, STAFFING).await?;
    let users = state.store.users().await?;
    for user in &users {
        let listed = staffing.agents.iter().any(|a| a.user_id == user.id);
        if let (false, true, Some(dept)) = (listed, user.active && user.role == Role::Agent, user.department_id) {
            staffing.agents.push(AgentProfile {
                user_id: user.id,
                department_id: dept,
                skills: vec![],
                leave: vec![],
                calendar: None,
            });
        }
    }
    // Deactivated users keep their profile in the document but get no tickets.
    staffing.agents.retain(|a| users.iter().any(|u| u.id == a.user_id && u.active));
    Ok(staffing)
}

/// The business calendars in effect (the SLA's), on which duty hours are read.
pub fn calendars(state: &AppState) -> Calendars {
    state.sla.get().calendars.clone()
}
