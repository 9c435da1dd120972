//! Changing problems: creating one (by hand or from a cluster), editing its fields, its
//! root-cause analysis, its state and its linked tickets. Each change is validated here,
//! then written with its timeline entries in one transaction based on the version read.

use super::overdue::ProblemOverdue;
use super::{company_calendar, illegal, require_manager, view, ProblemView};
use crate::jobs::op;
use crate::{App, AppError};
use loopdesk_core::problem::due::after_working_days;
use loopdesk_core::problem::limits::{self, LINKS};
use loopdesk_core::problem::{
    ticket_list, Problem, ProblemEvent, ProblemEventKind as Kind, ProblemState, RecurrenceRule, RootCause,
};
use loopdesk_core::{DepartmentId, Principal, ProblemId, TicketId, Timestamp, UserId};
use loopdesk_store::{JobOp, Links};
use serde::Deserialize;
use serde_json::json;

/// A new problem: at least a title and a description; `cluster_id` links the cluster's
/// members, `ticket_ids` more tickets.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewProblem {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub description: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Due this many working days from now on the company calendar.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub due_working_days: Option<i64>,
    #[serde(default)]
    pub cluster_id: Option<i64>,
    #[serde(default)]
    pub ticket_ids: Vec<TicketId>,
}

/// Fields to change; absent ones stay.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProblemEdit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub products: Option<Vec<String>>,
    pub department_id: Option<DepartmentId>,
    pub owner_id: Option<UserId>,
    /// Due this many working days from now.
    pub due_working_days: Option<i64>,
    /// When it counts as come back after "verified".
    pub recurrence: Option<RecurrenceRule>,
}

/// A step of the lifecycle and why.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub state: ProblemState,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub reason: String,
    /// With `state: fixed`: resolve the problem's open tickets with this message to each
    /// customer (as `resolve-tickets` does).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub customer_message: Option<String>,
}

/// Tickets to link and to unlink.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkChange {
    #[serde(default)]
    pub link: Vec<TicketId>,
    #[serde(default)]
    pub unlink: Vec<TicketId>,
}

fn event(p: &Principal, at: Timestamp, kind: Kind, data: serde_json::Value) -> ProblemEvent {
    ProblemEvent::new(at, Some(p.user_id), kind, data)
}

/// An active staff member, or an error naming `field`.
async fn check_owner(app: &App, owner: Option<UserId>, field: &str) -> Result<(), AppError> {
    let Some(id) = owner else { return Ok(()) };
    match app.read().user(id).await {
        Ok(u) if u.active => Ok(()),
        Ok(_) => Err(AppError::invalid(field, "this user is deactivated")),
        Err(loopdesk_store::StoreError::NotFound { .. }) => Err(AppError::invalid(field, "no such user")),
        Err(e) => Err(e.into()),
    }
}

/// An existing department, or an error naming `field`.
async fn check_department(app: &App, d: Option<DepartmentId>, field: &str) -> Result<(), AppError> {
    let Some(d) = d else { return Ok(()) };
    if app.read().departments().await?.iter().any(|x| x.id == d) {
        Ok(())
    } else {
        Err(AppError::invalid(field, "no such department"))
    }
}

/// Tickets the caller may see, at most [`LINKS`], or an error naming the one that is not.
async fn check_tickets(app: &App, p: &Principal, ids: &[TicketId], field: &str) -> Result<(), AppError> {
    if ids.len() > LINKS {
        return Err(AppError::invalid(field, format!("at most {LINKS} tickets at once")));
    }
    for (i, id) in ids.iter().enumerate() {
        match crate::access::visible(app, p, *id).await {
            Ok(_) => {}
            Err(AppError::NotFound(_)) => return Err(AppError::invalid(format!("{field}[{i}]"), "no such ticket")),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn due_in(app: &App, days: Option<i64>) -> Result<Option<Timestamp>, AppError> {
    match days {
        None => Ok(None),
        Some(n) => {
            let n = limits::working_days("due_working_days", n)?;
            Ok(Some(after_working_days(&company_calendar(app), app.now(), n).0))
        }
    }
}

/// Creates a problem (supervisors of its department, admins).
pub async fn create(app: &App, p: &Principal, body: NewProblem) -> Result<ProblemView, AppError> {
    require_manager(p, body.department_id)?;
    let title = limits::required("title", &body.title, limits::TITLE_CHARS)?;
    let description = limits::required("description", &body.description, limits::TEXT_CHARS)?;
    let category =
        body.category.as_deref().map(|c| limits::optional("category", c, limits::SHORT_CHARS)).transpose()?;
    let products = limits::list("products", &body.products, limits::PRODUCTS, limits::SHORT_CHARS)?;
    let due = due_in(app, body.due_working_days)?;
    check_department(app, body.department_id, "department_id").await?;
    check_owner(app, body.owner_id, "owner_id").await?;
    check_tickets(app, p, &body.ticket_ids, "ticket_ids").await?;
    let mut links = match body.cluster_id {
        Some(c) => {
            let members = app.read().cluster_ticket_ids(c, LINKS).await?;
            if members.is_empty() {
                return Err(AppError::invalid("cluster_id", "no such problem cluster"));
            }
            members
        }
        None => Vec::new(),
    };
    links.extend(body.ticket_ids.iter().filter(|t| !links.contains(t)).copied().collect::<Vec<_>>());
    let now = app.now();
    let problem = Problem {
        id: ProblemId(0),
        title,
        description,
        category: category.filter(|c| !c.is_empty()),
        products,
        state: ProblemState::Investigating,
        department_id: body.department_id,
        owner_id: body.owner_id,
        cluster_id: body.cluster_id,
        due,
        escalated_due: None,
        rca: RootCause::default(),
        recurrence: RecurrenceRule::default(),
        created_by: p.user_id,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let mut events =
        vec![event(p, now, Kind::Created, json!({"title": problem.title, "cluster_id": body.cluster_id, "due": due}))];
    if !links.is_empty() {
        events.push(event(p, now, Kind::TicketsLinked, ticket_list(&links)));
    }
    let timer = |id| due.map(|at| op(&ProblemOverdue::new(id, at), at)).into_iter().collect();
    let stored = app.store.create_problem(&problem, &links, &events, timer).await?;
    view(app, stored).await
}

/// A problem the caller manages.
pub(super) async fn managed(app: &App, p: &Principal, id: ProblemId) -> Result<Problem, AppError> {
    crate::access::require(p, loopdesk_core::access::Permission::Supervise)?;
    let problem = app.read().problem(id).await?;
    require_manager(p, problem.department_id)?;
    Ok(problem)
}

/// Saves `problem` (from version `base`) with `events`, and moves its due timer when the
/// due minute is not the one stored.
async fn save(app: &App, problem: &Problem, base: i64, events: Vec<ProblemEvent>) -> Result<ProblemView, AppError> {
    save_with(app, problem, base, events, Vec::new()).await
}

/// [`save`] with more jobs owed by the change (written in its transaction).
pub(super) async fn save_with(
    app: &App,
    problem: &Problem,
    base: i64,
    events: Vec<ProblemEvent>,
    mut timer: Vec<JobOp>,
) -> Result<ProblemView, AppError> {
    let stored_due = app.read().problem(problem.id).await?.due;
    if let Some(at) = problem.due.filter(|_| problem.due != stored_due) {
        timer.push(op(&ProblemOverdue::new(problem.id, at), at));
    }
    let stored = app.store.save_problem(problem, base, Links::default(), |_| events, &timer).await?;
    view(app, stored).await
}

/// Changes a problem's fields; the timeline records which.
pub async fn edit(app: &App, p: &Principal, id: ProblemId, body: ProblemEdit) -> Result<ProblemView, AppError> {
    let mut problem = managed(app, p, id).await?;
    let base = problem.version;
    let mut changed = Vec::new();
    if let Some(t) = &body.title {
        problem.title = limits::required("title", t, limits::TITLE_CHARS)?;
        changed.push("title");
    }
    if let Some(d) = &body.description {
        problem.description = limits::required("description", d, limits::TEXT_CHARS)?;
        changed.push("description");
    }
    if let Some(c) = &body.category {
        problem.category = Some(limits::optional("category", c, limits::SHORT_CHARS)?).filter(|c| !c.is_empty());
        changed.push("category");
    }
    if let Some(ps) = &body.products {
        problem.products = limits::list("products", ps, limits::PRODUCTS, limits::SHORT_CHARS)?;
        changed.push("products");
    }
    if let Some(d) = body.department_id {
        require_manager(p, Some(d))?;
        check_department(app, Some(d), "department_id").await?;
        problem.department_id = Some(d);
        changed.push("department_id");
    }
    if let Some(o) = body.owner_id {
        check_owner(app, Some(o), "owner_id").await?;
        problem.owner_id = Some(o);
        changed.push("owner_id");
    }
    if body.due_working_days.is_some() {
        problem.due = due_in(app, body.due_working_days)?;
        changed.push("due");
    }
    if let Some(r) = body.recurrence {
        problem.recurrence = r.check()?;
        changed.push("recurrence");
    }
    if changed.is_empty() {
        return Err(AppError::Invalid { code: "nothing_to_change", field: None, message: "no field to change".into() });
    }
    problem.updated_at = app.now();
    let e = event(p, problem.updated_at, Kind::Edited, json!({"fields": changed}));
    save(app, &problem, base, vec![e]).await
}

/// Records the root-cause analysis (replacing the previous one, which the timeline keeps).
pub async fn set_rca(app: &App, p: &Principal, id: ProblemId, rca: RootCause) -> Result<ProblemView, AppError> {
    let mut problem = managed(app, p, id).await?;
    let base = problem.version;
    let rca = RootCause {
        what_happened: limits::optional("what_happened", &rca.what_happened, limits::TEXT_CHARS)?,
        whys: limits::list("whys", &rca.whys, limits::WHYS, limits::WHY_CHARS)?,
        cause_category: rca.cause_category,
    };
    problem.rca = rca;
    problem.updated_at = app.now();
    let e = event(p, problem.updated_at, Kind::RcaUpdated, serde_json::to_value(&problem.rca)?);
    save(app, &problem, base, vec![e]).await
}

/// Moves a problem along its lifecycle, recording who and why.
pub async fn transition(app: &App, p: &Principal, id: ProblemId, body: Transition) -> Result<ProblemView, AppError> {
    let mut problem = managed(app, p, id).await?;
    let base = problem.version;
    let reason = limits::required("reason", &body.reason, limits::REASON_CHARS)?;
    let from = problem.state;
    problem.state = from.to(body.state).map_err(|e| illegal("state", e))?;
    problem.updated_at = app.now();
    let data = json!({"from": from, "to": problem.state, "reason": reason});
    let mut events = vec![event(p, problem.updated_at, Kind::StateChanged, data)];
    let mut jobs = Vec::new();
    if let Some(text) = &body.customer_message {
        if problem.state != ProblemState::Fixed {
            return Err(AppError::invalid("customer_message", "customers are told when the problem is fixed"));
        }
        let (e, job) = super::resolve::start(p, &problem, &super::resolve::message("customer_message", text)?);
        events.push(e);
        jobs.push(job);
    }
    if problem.state == ProblemState::Verified {
        jobs.push(super::effect::watch(&problem));
    }
    save_with(app, &problem, base, events, jobs).await
}

/// Links and unlinks tickets; the timeline records the tickets newly linked and each unlinked.
pub async fn link(app: &App, p: &Principal, id: ProblemId, body: LinkChange) -> Result<ProblemView, AppError> {
    let mut problem = managed(app, p, id).await?;
    let base = problem.version;
    check_tickets(app, p, &body.link, "link").await?;
    if body.unlink.len() > LINKS {
        return Err(AppError::invalid("unlink", format!("at most {LINKS} tickets at once")));
    }
    if body.link.is_empty() && body.unlink.is_empty() {
        return Err(AppError::invalid("link", "no ticket to link or unlink"));
    }
    let now = app.now();
    problem.updated_at = now;
    let unlinked = body.unlink.clone();
    let actor = p.clone();
    let events = move |added: &[TicketId]| {
        let mut out = Vec::new();
        if !added.is_empty() {
            out.push(event(&actor, now, Kind::TicketsLinked, ticket_list(added)));
        }
        out.extend(unlinked.iter().map(|t| event(&actor, now, Kind::TicketUnlinked, json!({"ticket_id": t}))));
        out
    };
    let links = Links { add: &body.link, remove: &body.unlink };
    let stored = app.store.save_problem(&problem, base, links, events, &[]).await?;
    view(app, stored).await
}
