//! The routing rules and staffing in effect, read from the documents store (contract 1),
//! with users' departments filling in agents the staffing document does not list.

use crate::documents::{load_or_default, DocumentKind};
use crate::error::AppError;
use crate::App;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::routing::{AgentProfile, RoutingRules, Staffing};
use loopdesk_core::Role;

/// The routing rules in effect.
pub async fn routing_rules(app: &App) -> Result<RoutingRules, AppError> {
    load_or_default(app, &DocumentKind::RoutingRules).await
}

/// The staffing document, plus every active agent it does not list (no skills, the
/// department's calendar, never on leave).
pub async fn staffing(app: &App) -> Result<Staffing, AppError> {
    let mut staffing: Staffing = load_or_default(app, &DocumentKind::Staffing).await?;
    let users = app.read().users().await?;
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
pub fn calendars(app: &App) -> Calendars {
    app.sla.get().calendars.clone()
}
