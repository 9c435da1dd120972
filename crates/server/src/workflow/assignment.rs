//! Routing new tickets, choosing agents by skills, duty, leave and load, and the
//! acknowledgement timer that hands an unacknowledged ticket to the next agent.

use super::effects::{notify_staff, StaffAlert};
use super::{change_with, documents};
use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::event::Command;
use loopdesk_core::routing::{choose_agent, AgentQuery, Load, Route, Staffing};
use loopdesk_core::{Actor, DepartmentId, Priority, State, TicketId, Timestamp, UserId};
use serde_json::Value;
use std::collections::BTreeMap;

/// Open-ticket loads of the agents of `department`.
async fn loads(
    state: &AppState,
    staffing: &Staffing,
    department: DepartmentId,
) -> Result<BTreeMap<UserId, Load>, ApiError> {
    let users: Vec<UserId> =
        staffing.agents.iter().filter(|a| a.department_id == department).map(|a| a.user_id).collect();
    let mut out = BTreeMap::new();
    for (user, priority, n) in state.store.open_load(&users).await? {
        out.entry(user).or_insert_with(Load::default).add(priority, n);
    }
    Ok(out)
}

/// The agent of `department` who should get a ticket needing `skills` now.
pub async fn pick(
    state: &AppState,
    staffing: &Staffing,
    calendars: &Calendars,
    department: DepartmentId,
    skills: &[String],
    exclude: &[UserId],
    now: Timestamp,
) -> Result<Option<UserId>, ApiError> {
    let loads = loads(state, staffing, department).await?;
    Ok(choose_agent(staffing, calendars, &loads, &AgentQuery { department, skills, now, exclude }))
}

/// Routes a new ticket by the rules: the owning department and its agent, an agent of each
/// other involved department as collaborator, and for urgent tickets one alert to every
/// involved department at once. Does nothing for tickets already routed or unmatched.
pub async fn route(state: &AppState, id: TicketId) -> Result<Option<Route>, ApiError> {
    let ticket = state.store.ticket(id).await?;
    if ticket.state != State::New {
        return Ok(None);
    }
    let Some(route) = documents::routing_rules(state).await?.route(&ticket) else {
        return Ok(None);
    };
    let staffing = documents::staffing(state).await?;
    let cals = documents::calendars(state);
    let now = state.now();
    let owner = pick(state, &staffing, &cals, route.department, &route.skills, &[], now).await?;
    let mut helpers: Vec<UserId> = Vec::new();
    for d in &route.involved {
        let exclude: Vec<UserId> = owner.iter().chain(helpers.iter()).copied().collect();
        if let Some(u) = pick(state, &staffing, &cals, *d, &[], &exclude, now).await? {
            helpers.push(u);
        }
    }
    let reason = match &route.rule {
        Some(r) => format!("routing rule \"{r}\""),
        None => "no routing rule matched: fallback department".to_string(),
    };
    let departments: Vec<DepartmentId> = std::iter::once(route.department).chain(route.involved.clone()).collect();
    let people: Vec<UserId> = owner.iter().chain(helpers.iter()).copied().collect();
    let urgent = ticket.priority == Priority::Urgent;
    let build = |t: &loopdesk_core::Ticket| {
        if t.state != State::New {
            return Err(loopdesk_core::DomainError::invalid("state", "the ticket was routed meanwhile"));
        }
        let assign =
            Command::Assign { department_id: Some(route.department), assignee_id: owner, reason: Some(reason.clone()) };
        Ok(std::iter::once(assign).chain(helpers.iter().map(|u| Command::AddCollaborator { user_id: *u })).collect())
    };
    let result = change_with(state, id, Actor::System, build, |fx, t, events| match (urgent, events.first()) {
        (true, Some(e)) => {
            let text = format!("URGENT ticket {}: every involved department is alerted", t.tracking_no);
            vec![notify_staff(t, StaffAlert::NewUrgent, &people, &departments, text, e.seq, fx.now)]
        }
        _ => vec![],
    })
    .await;
    match result {
        Ok(_) => Ok(Some(route)),
        // Someone assigned it between the check and the change.
        Err(ApiError::Invalid { field: Some(f), .. }) if f == "state" => Ok(None),
        Err(e) => Err(e),
    }
}

fn id_field(payload: &Value, name: &str) -> Result<i64, ApiError> {
    payload
        .get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::invalid(name.to_string(), "missing in job payload"))
}

/// Job `route.ticket` {ticket_id}.
pub async fn route_job(state: &AppState, payload: &Value) -> Result<(), ApiError> {
    route(state, TicketId(id_field(payload, "ticket_id")?)).await.map(|_| ())
}

/// Job `assign.ack_timeout` {ticket_id, assignee_id}: if that assignee still has not
/// acknowledged, the ticket goes to the next agent of the department (or back to the
/// department's queue) and the supervisor is told.
pub async fn ack_timeout_job(state: &AppState, payload: &Value) -> Result<(), ApiError> {
    let id = TicketId(id_field(payload, "ticket_id")?);
    let late = UserId(id_field(payload, "assignee_id")?);
    let ticket = state.store.ticket(id).await?;
    if ticket.state != State::Assigned || ticket.assignee_id != Some(late) {
        return Ok(());
    }
    let Some(dept) = ticket.department_id else {
        return Ok(());
    };
    let staffing = documents::staffing(state).await?;
    let skills = documents::routing_rules(state)
        .await?
        .route(&ticket)
        .filter(|r| r.department == dept)
        .map(|r| r.skills)
        .unwrap_or_default();
    let cals = documents::calendars(state);
    let next = pick(state, &staffing, &cals, dept, &skills, &[late], state.now()).await?;
    let late_name = state.store.user(late).await.map(|u| u.display_name).unwrap_or_else(|_| late.to_string());
    let minutes = state.config.workflow.ack_timeout_minutes;
    let reason = match next {
        Some(_) => format!("not acknowledged within {minutes} minutes by {late_name}: reassigned"),
        None => format!("not acknowledged within {minutes} minutes by {late_name}: back to the department queue"),
    };
    let build = |t: &loopdesk_core::Ticket| {
        if t.state != State::Assigned || t.assignee_id != Some(late) {
            return Err(loopdesk_core::DomainError::invalid("state", "acknowledged meanwhile"));
        }
        Ok(vec![Command::Assign { department_id: Some(dept), assignee_id: next, reason: Some(reason.clone()) }])
    };
    let result = change_with(state, id, Actor::System, build, |fx, t, events| {
        let seq = events.first().map_or(t.version, |e| e.seq);
        let text = format!("ticket {} was not acknowledged in time by {late_name}", t.tracking_no);
        vec![notify_staff(t, StaffAlert::AckOverdue, &fx.supervisors_of(Some(dept)), &[dept], text, seq, fx.now)]
    })
    .await;
    match result {
        // Acknowledged between the check and the change: nothing is overdue.
        Err(ApiError::Invalid { field: Some(f), .. }) if f == "state" => Ok(()),
        other => other.map(|_| ()),
    }
}
