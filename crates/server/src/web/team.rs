//! The supervisor's team page: each agent's open load and duty state, the approvals to
//! decide, and recent escalations.

use super::context::Staff;
use super::page::{error_page, render, Layout};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::read::{Sort, TicketFilter};
use loopdesk_core::access::Permission;
use loopdesk_core::{EventData, Role, State as TicketState};

/// One member of the team.
pub struct Member {
    pub name: String,
    pub role: &'static str,
    pub department: String,
    pub open: i64,
    pub awaiting_customer: i64,
    pub awaiting_approval: i64,
    pub on_duty: Option<bool>,
}

/// A ticket waiting for a decision or escalated.
pub struct Item {
    pub id: i64,
    pub tracking_no: String,
    pub subject: String,
    pub at: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/team.html")]
struct TeamPage {
    layout: Layout,
    members: Vec<Member>,
    approvals: Vec<Item>,
    escalations: Vec<Item>,
}

/// Whether the `staffing` document marks the user on duty, when it says so
/// (`{"on_duty": ["username", ...]}` or `{"users": [{"username", "on_duty"}]}`).
fn on_duty(doc: &Option<serde_json::Value>, username: &str) -> Option<bool> {
    let d = doc.as_ref()?;
    if let Some(list) = d.get("on_duty").and_then(|v| v.as_array()) {
        return Some(list.iter().any(|v| v.as_str() == Some(username)));
    }
    let users = d.get("users").and_then(|v| v.as_array())?;
    users
        .iter()
        .find(|u| u.get("username").and_then(|x| x.as_str()) == Some(username))
        .and_then(|u| u.get("on_duty").and_then(|x| x.as_bool()))
}

/// `GET /console/team`.
pub async fn page(State(state): State<AppState>, s: Staff) -> Response {
    match build(&state, &s).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

async fn build(state: &AppState, s: &Staff) -> Result<TeamPage, ApiError> {
    if !s.can(Permission::Supervise) {
        return Err(ApiError::Forbidden("supervise".into()));
    }
    let load = state.read().team_load().await?;
    let departments = state.read().departments().await?;
    let staffing = state.read().document("staffing").await.ok().flatten().map(|d| d.body);
    let members = state
        .read()
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && matches!(u.role, Role::Agent | Role::Supervisor))
        .map(|u| {
            let l = load.iter().find(|l| l.user_id == u.id);
            Member {
                on_duty: on_duty(&staffing, &u.username),
                name: u.display_name,
                role: u.role.as_str(),
                department: u
                    .department_id
                    .and_then(|d| departments.iter().find(|x| x.id == d).map(|x| x.name.clone()))
                    .unwrap_or_else(|| "—".into()),
                open: l.map(|l| l.open).unwrap_or(0),
                awaiting_customer: l.map(|l| l.awaiting_customer).unwrap_or(0),
                awaiting_approval: l.map(|l| l.awaiting_approval).unwrap_or(0),
            }
        })
        .collect();
    let filter = TicketFilter { states: vec![TicketState::AwaitingApproval], ..Default::default() };
    let page = state.read().list_tickets(&filter, Sort::Oldest, None, 50).await?;
    let approvals = page
        .items
        .iter()
        .map(|x| Item {
            id: x.ticket.id.0,
            tracking_no: x.ticket.tracking_no.to_string(),
            subject: x.ticket.subject.clone().unwrap_or_default(),
            at: s.t.date(&x.ticket.updated_at),
            text: String::new(),
        })
        .collect();
    let since = state.now() - chrono::Duration::days(30);
    let mut escalations = Vec::new();
    for e in state.read().recent_events("escalated", since, 30).await? {
        let text = match &e.data {
            EventData::Escalated { reason, .. } => super::said::escalation(&s.t, reason),
            _ => String::new(),
        };
        escalations.push(Item {
            id: e.ticket_id.0,
            tracking_no: format!("#{}", e.ticket_id),
            subject: String::new(),
            at: s.t.date(&e.at),
            text,
        });
    }
    Ok(TeamPage { layout: Layout::staff(s, "sup.title"), members, approvals, escalations })
}
