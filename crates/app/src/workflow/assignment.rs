//! Routing new tickets, choosing agents by skills, duty, leave and load, and the
//! acknowledgement timer that hands an unacknowledged ticket to the next agent.

use super::effects::alert;
use super::staffing as documents;
use crate::error::AppError;
use crate::notify::{Recipients, StaffAlert};
use crate::tickets::change::{change_many, commands};
use crate::App;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::event::Command;
use loopdesk_core::routing::{choose_agent, AgentQuery, Load, Route, RoutingRules, Staffing};
use loopdesk_core::{Actor, DepartmentId, DomainError, Priority, State, TicketId, Timestamp, UserId};
use loopdesk_store::{Decision, Owed};
use std::collections::BTreeMap;

/// Open-ticket loads of the agents of `department`.
async fn loads(app: &App, staffing: &Staffing, department: DepartmentId) -> Result<BTreeMap<UserId, Load>, AppError> {
    let users: Vec<UserId> =
        staffing.agents.iter().filter(|a| a.department_id == department).map(|a| a.user_id).collect();
    let mut out = BTreeMap::new();
    for (user, priority, n) in app.read().open_load(&users).await? {
        out.entry(user).or_insert_with(Load::default).add(priority, n);
    }
    Ok(out)
}

/// Open-ticket loads of every agent the staffing lists.
pub(crate) async fn all_loads(app: &App, staffing: &Staffing) -> Result<BTreeMap<UserId, Load>, AppError> {
    let agents: Vec<UserId> = staffing.agents.iter().map(|a| a.user_id).collect();
    let mut loads: BTreeMap<UserId, Load> = BTreeMap::new();
    for (user, priority, n) in app.read().open_load(&agents).await? {
        loads.entry(user).or_default().add(priority, n);
    }
    Ok(loads)
}

/// The agent of `department` who should get a ticket needing `skills` now.
pub async fn pick(
    app: &App,
    staffing: &Staffing,
    calendars: &Calendars,
    department: DepartmentId,
    skills: &[String],
    exclude: &[UserId],
    now: Timestamp,
) -> Result<Option<UserId>, AppError> {
    let loads = loads(app, staffing, department).await?;
    Ok(choose_agent(staffing, calendars, &loads, &AgentQuery { department, skills, now, exclude }))
}

/// Routes a new ticket by the rules: the owning department and its agent, an agent of each
/// other involved department as collaborator, and for urgent tickets one alert to every
/// involved department at once. Does nothing for tickets already routed or unmatched.
pub async fn route(app: &App, id: TicketId) -> Result<Option<Route>, AppError> {
    let ticket = app.read().ticket(id).await?;
    if ticket.state != State::New {
        return Ok(None);
    }
    let Some(route) = documents::routing_rules(app).await?.route(&ticket) else {
        return Ok(None);
    };
    let staffing = documents::staffing(app).await?;
    let cals = documents::calendars(app);
    let now = app.now();
    let owner = pick(app, &staffing, &cals, route.department, &route.skills, &[], now).await?;
    let mut helpers: Vec<UserId> = Vec::new();
    for d in &route.involved {
        let exclude: Vec<UserId> = owner.iter().chain(helpers.iter()).copied().collect();
        if let Some(u) = pick(app, &staffing, &cals, *d, &[], &exclude, now).await? {
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
            return Err(DomainError::Moved("routed meanwhile"));
        }
        let assign =
            Command::Assign { department_id: Some(route.department), assignee_id: owner, reason: Some(reason.clone()) };
        Ok(std::iter::once(assign).chain(helpers.iter().map(|u| Command::AddCollaborator { user_id: *u })).collect())
    };
    let extra = |t: &loopdesk_core::Ticket, events: &[loopdesk_core::Event]| match (urgent, events.first()) {
        (true, Some(e)) => {
            let text = format!("URGENT ticket {}: every involved department is alerted", t.tracking_no);
            let to = Recipients { users: people.clone(), departments: departments.clone(), supervisors: false };
            Owed { jobs: vec![alert(t, StaffAlert::NewUrgent, to, text, e.seq, now)], ..Owed::default() }
        }
        _ => Owed::default(),
    };
    commands(app, id, Actor::System, build, extra).await?;
    Ok(Some(route))
}

/// Where one new ticket goes, decided before the change that assigns it.
pub(crate) struct Plan {
    route: Route,
    owner: Option<UserId>,
    helpers: Vec<UserId>,
}

/// Plans ticket `t` by `rules`: the owning department's agent and one agent of each other
/// involved department, by skills, duty, leave and `loads` — which then carry the ticket, so
/// the next plan sees it. `None` when no rule (nor a fallback) matches or `t` is not new.
pub(crate) fn plan_one(
    rules: &RoutingRules,
    staffing: &Staffing,
    cals: &Calendars,
    loads: &mut BTreeMap<UserId, Load>,
    t: &loopdesk_core::Ticket,
    now: Timestamp,
) -> Option<Plan> {
    let route = rules.route(t).filter(|_| t.state == State::New)?;
    let pick = |dept: DepartmentId, skills: &[String], exclude: &[UserId], loads: &BTreeMap<UserId, Load>| {
        choose_agent(staffing, cals, loads, &AgentQuery { department: dept, skills, now, exclude })
    };
    let owner = pick(route.department, &route.skills, &[], loads);
    let mut helpers: Vec<UserId> = Vec::new();
    for d in &route.involved {
        let exclude: Vec<UserId> = owner.iter().chain(helpers.iter()).copied().collect();
        if let Some(u) = pick(*d, &[], &exclude, loads) {
            helpers.push(u);
        }
    }
    for u in owner.iter().chain(helpers.iter()) {
        loads.entry(*u).or_default().add(t.priority, 1);
    }
    Some(Plan { route, owner, helpers })
}

impl Plan {
    fn reason(&self) -> String {
        match &self.route.rule {
            Some(r) => format!("routing rule \"{r}\""),
            None => "no routing rule matched: fallback department".to_string(),
        }
    }

    pub(crate) fn commands(&self) -> Vec<Command> {
        let assign = Command::Assign {
            department_id: Some(self.route.department),
            assignee_id: self.owner,
            reason: Some(self.reason()),
        };
        std::iter::once(assign).chain(self.helpers.iter().map(|u| Command::AddCollaborator { user_id: *u })).collect()
    }

    /// For an urgent ticket: every involved department alerted at once.
    pub(crate) fn alerts(&self, t: &loopdesk_core::Ticket, events: &[loopdesk_core::Event], now: Timestamp) -> Owed {
        let Some(e) = events.first().filter(|_| t.priority == Priority::Urgent) else {
            return Owed::default();
        };
        let departments = std::iter::once(self.route.department).chain(self.route.involved.clone()).collect();
        let users = self.owner.iter().chain(self.helpers.iter()).copied().collect();
        let text = format!("URGENT ticket {}: every involved department is alerted", t.tracking_no);
        let to = Recipients { users, departments, supervisors: false };
        Owed { jobs: vec![alert(t, StaffAlert::NewUrgent, to, text, e.seq, now)], ..Owed::default() }
    }
}

/// Routes the new tickets of several `route.ticket` jobs claimed together, as [`route`]
/// does each: the rules, the staffing and the agents' loads are read once (each choice adds
/// to the load the next one sees), and every assignment is written in one transaction.
pub async fn route_many(app: &App, ids: &[TicketId]) -> Vec<Result<(), AppError>> {
    match plan_routes(app, ids).await {
        Ok(plans) => apply_routes(app, ids, plans).await,
        Err(e) => ids.iter().map(|_| Err(AppError::internal(e.to_string()))).collect(),
    }
}

async fn plan_routes(app: &App, ids: &[TicketId]) -> Result<BTreeMap<TicketId, Plan>, AppError> {
    let rules = documents::routing_rules(app).await?;
    if rules.rules.is_empty() && rules.fallback_department.is_none() {
        return Ok(BTreeMap::new());
    }
    let staffing = documents::staffing(app).await?;
    let cals = documents::calendars(app);
    let now = app.now();
    let mut loads = all_loads(app, &staffing).await?;
    let mut plans = BTreeMap::new();
    for t in app.read().tickets_by_id(ids).await? {
        if let Some(plan) = plan_one(&rules, &staffing, &cals, &mut loads, &t, now) {
            plans.insert(t.id, plan);
        }
    }
    Ok(plans)
}

async fn apply_routes(app: &App, ids: &[TicketId], plans: BTreeMap<TicketId, Plan>) -> Vec<Result<(), AppError>> {
    let planned: Vec<TicketId> = ids.iter().copied().filter(|id| plans.contains_key(id)).collect();
    let now = app.now();
    let changed = change_many(app, &planned, |t| {
        let plan = plans.get(&t.id).ok_or(DomainError::Moved("no route"))?;
        if t.state != State::New {
            return Err(DomainError::Moved("routed meanwhile"));
        }
        let mut after = t.clone();
        let mut events = Vec::new();
        for cmd in plan.commands() {
            let e = loopdesk_core::event::decide(&after, cmd, Actor::System, now)?;
            loopdesk_core::event::apply(&mut after, &e);
            events.push(e);
        }
        let owed = plan.alerts(&after, &events, now);
        Ok(Decision { events, owed })
    })
    .await;
    let outcomes: BTreeMap<TicketId, Result<(), AppError>> = match changed {
        Ok(list) => planned
            .iter()
            .copied()
            .zip(list.into_iter().map(|r| match r {
                // Routed meanwhile (by a person, or an earlier attempt): nothing left to do.
                Err(loopdesk_store::StoreError::Domain(DomainError::Moved(_))) => Ok(()),
                other => other.map(|_| ()).map_err(AppError::from),
            }))
            .collect(),
        Err(e) => {
            let why = e.to_string();
            planned.iter().map(|id| (*id, Err(AppError::internal(why.clone())))).collect()
        }
    };
    // Tickets no rule matched (or no longer new) need nothing.
    let mut outcomes = outcomes;
    ids.iter().map(|id| outcomes.remove(id).unwrap_or(Ok(()))).collect()
}

/// The acknowledgement timer went off: if `late` still has not acknowledged, the ticket
/// goes to the next agent of the department (or back to the department's queue) and the
/// supervisor is told.
pub async fn ack_timeout(app: &App, id: TicketId, late: UserId) -> Result<(), AppError> {
    let ticket = app.read().ticket(id).await?;
    if ticket.state != State::Assigned || ticket.assignee_id != Some(late) {
        return Ok(());
    }
    let Some(dept) = ticket.department_id else {
        return Ok(());
    };
    let staffing = documents::staffing(app).await?;
    let skills = documents::routing_rules(app)
        .await?
        .route(&ticket)
        .filter(|r| r.department == dept)
        .map(|r| r.skills)
        .unwrap_or_default();
    let cals = documents::calendars(app);
    let now = app.now();
    let next = pick(app, &staffing, &cals, dept, &skills, &[late], now).await?;
    let late_name = app.read().user(late).await.map(|u| u.display_name).unwrap_or_else(|_| late.to_string());
    let minutes = app.config.workflow.ack_timeout_minutes;
    let reason = match next {
        Some(_) => format!("not acknowledged within {minutes} minutes by {late_name}: reassigned"),
        None => format!("not acknowledged within {minutes} minutes by {late_name}: back to the department queue"),
    };
    let build = |t: &loopdesk_core::Ticket| {
        if t.state != State::Assigned || t.assignee_id != Some(late) {
            return Err(DomainError::Moved("acknowledged meanwhile"));
        }
        Ok(vec![Command::Assign { department_id: Some(dept), assignee_id: next, reason: Some(reason.clone()) }])
    };
    let extra = |t: &loopdesk_core::Ticket, events: &[loopdesk_core::Event]| {
        let seq = events.first().map_or(t.version, |e| e.seq);
        let text = format!("ticket {} was not acknowledged in time by {late_name}", t.tracking_no);
        let to = Recipients { departments: vec![dept], ..Recipients::supervisors() };
        Owed { jobs: vec![alert(t, StaffAlert::AckOverdue, to, text, seq, now)], ..Owed::default() }
    };
    commands(app, id, Actor::System, build, extra).await?;
    Ok(())
}
