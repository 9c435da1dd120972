//! `POST /tickets/{id}/<action>`: every change goes through the lifecycle and the
//! timeline (`loopdesk_core::event::decide`) and is stored with its events in one
//! transaction.

use super::show::visible;
use super::view;
use crate::auth::{Auth, Supervisor, Worker};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::Json as JsonOut;
use loopdesk_core::access::Permission;
use loopdesk_core::event::{apply, decide, CloseReason, Command};
use loopdesk_core::{Actor, DepartmentId, DomainError, Outcome, Principal, Priority, Role, Ticket, TicketId, UserId};
use serde::Deserialize;
use serde_json::{json, Value};

type Reply = Result<JsonOut<Value>, ApiError>;

/// Applies the commands `build` derives from the current ticket, as the caller.
async fn perform<F>(state: &AppState, auth: &Auth, id: i64, permission: Permission, build: F) -> Reply
where
    F: Fn(&Ticket) -> Result<Vec<Command>, DomainError>,
{
    let p = auth.require(permission)?;
    visible(state, p, id).await?;
    let actor = Actor::User { id: p.user_id, name: p.name.clone() };
    let now = state.now();
    let (ticket, events) = state
        .store
        .change(TicketId(id), |current| {
            let mut t = current.clone();
            let mut out = Vec::new();
            for cmd in build(&t)? {
                let e = decide(&t, cmd, actor.clone(), now)?;
                apply(&mut t, &e);
                out.push(e);
            }
            Ok(out)
        })
        .await?;
    crate::channels::notify::after_change(state, &events).await;
    Ok(JsonOut(json!({
        "ticket": view::ticket(&ticket, p),
        "events": events.iter().map(view::event).collect::<Vec<_>>(),
    })))
}

/// Body of `assign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    #[serde(default)]
    department_id: Option<i64>,
    #[serde(default)]
    assignee_id: Option<i64>,
    #[serde(default)]
    reason: Option<String>,
}

async fn check_assignment(state: &AppState, p: &Principal, body: &AssignIn) -> Result<(), ApiError> {
    if let Some(d) = body.department_id {
        if !state.store.departments().await?.iter().any(|dep| dep.id == DepartmentId(d)) {
            return Err(ApiError::invalid("department_id", "no such department"));
        }
    }
    if let Some(u) = body.assignee_id {
        let user = state.store.user(UserId(u)).await.map_err(|_| ApiError::invalid("assignee_id", "no such user"))?;
        if !user.active || user.role == Role::Viewer {
            return Err(ApiError::invalid("assignee_id", "this user cannot work on tickets"));
        }
    }
    // Agents route within their own department or to themselves; supervisors anywhere.
    if !p.can(Permission::Supervise) {
        let own_dept = body.department_id.is_none() || body.department_id.map(DepartmentId) == p.department_id;
        let own_user = body.assignee_id.is_none_or(|u| u == p.user_id.0 || own_dept);
        if !(own_dept && own_user) {
            return Err(ApiError::Forbidden("agents assign within their own department; ask a supervisor".into()));
        }
    }
    Ok(())
}

/// `POST /tickets/{id}/assign`.
pub async fn assign(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(body): Json<AssignIn>,
) -> Reply {
    check_assignment(&state, auth.require(Permission::Work)?, &body).await?;
    perform(&state, &auth, id, Permission::Work, |_| {
        Ok(vec![Command::Assign {
            department_id: body.department_id.map(DepartmentId),
            assignee_id: body.assignee_id.map(UserId),
            reason: body.reason.clone(),
        }])
    })
    .await
}

/// `POST /tickets/{id}/acknowledge`: the assignee accepts; an unowned ticket becomes the
/// caller's.
pub async fn acknowledge(State(state): State<AppState>, Worker(auth): Worker, Path(id): Path<i64>) -> Reply {
    let me = auth.0.user_id;
    let supervisor = auth.0.can(Permission::Supervise);
    perform(&state, &auth, id, Permission::Work, |t| match t.assignee_id {
        Some(a) if a == me || supervisor => Ok(vec![Command::Acknowledge]),
        Some(_) => Err(DomainError::invalid("assignee_id", "only the assignee or a supervisor can acknowledge")),
        None => Ok(vec![
            Command::Assign { department_id: t.department_id, assignee_id: Some(me), reason: None },
            Command::Acknowledge,
        ]),
    })
    .await
}

/// A body with one text field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextIn {
    #[serde(alias = "message", alias = "reason", alias = "plan")]
    body: String,
}

macro_rules! text_action {
    ($(#[$doc:meta])* $name:ident, $perm:expr, $cmd:expr) => {
        $(#[$doc])*
        pub async fn $name(State(state): State<AppState>, Worker(auth): Worker, Path(id): Path<i64>, Json(body): Json<TextIn>) -> Reply {
            let make: fn(String) -> Command = $cmd;
            perform(&state, &auth, id, $perm, |_| Ok(vec![make(body.body.clone())])).await
        }
    };
}

text_action!(
    /// `POST /tickets/{id}/reply`: public reply to the customer.
    reply, Permission::Work, |body| Command::Reply { body }
);
text_action!(
    /// `POST /tickets/{id}/note`: internal note.
    note, Permission::Work, |body| Command::Note { body }
);
text_action!(
    /// `POST /tickets/{id}/request-info`: ask the customer; the clock pauses.
    request_info, Permission::Work, |message| Command::RequestInfo { message }
);
text_action!(
    /// `POST /tickets/{id}/provide-info`: the customer's answer, recorded by staff.
    provide_info, Permission::Work, |body| Command::ProvideInfo { body }
);
text_action!(
    /// `POST /tickets/{id}/request-approval`: the plan needs a supervisor.
    request_approval, Permission::Work, |plan| Command::RequestApproval { plan }
);
text_action!(
    /// `POST /tickets/{id}/reopen`.
    reopen, Permission::Work, |reason| Command::Reopen { reason }
);
text_action!(
    /// `POST /tickets/{id}/reject`: spam, abuse, irrelevant or out of scope.
    reject, Permission::Work, |reason| Command::Reject { reason }
);
text_action!(
    /// `POST /tickets/{id}/escalate`: hand to a supervisor.
    escalate, Permission::Work, |reason| Command::Escalate { reason, to: None }
);

/// Body of `decide-approval`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    approved: bool,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /tickets/{id}/decide-approval`: a supervisor approves or refuses the plan.
pub async fn decide_approval(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<DecisionIn>,
) -> Reply {
    perform(&state, &auth, id, Permission::Supervise, |_| {
        Ok(vec![Command::DecideApproval { approved: b.approved, comment: b.comment.clone() }])
    })
    .await
}

/// `POST /tickets/{id}/resolve` with the outcome.
pub async fn resolve(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(outcome): Json<Outcome>,
) -> Reply {
    perform(&state, &auth, id, Permission::Work, |_| Ok(vec![Command::Resolve { outcome: outcome.clone() }])).await
}

/// `POST /tickets/{id}/close` (staff close; surveys close on their own).
pub async fn close(State(state): State<AppState>, Worker(auth): Worker, Path(id): Path<i64>) -> Reply {
    perform(&state, &auth, id, Permission::Work, |_| Ok(vec![Command::Close { reason: CloseReason::Manual }])).await
}

/// Body of `restore`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreIn {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /tickets/{id}/restore`: a person brings back a rejected ticket.
pub async fn restore(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<RestoreIn>,
) -> Reply {
    perform(&state, &auth, id, Permission::Work, |_| Ok(vec![Command::Restore { reason: b.reason.clone() }])).await
}

/// Body of `merge`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    into: i64,
}

/// `POST /tickets/{id}/merge`: a duplicate of the same customer's other ticket.
pub async fn merge(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<MergeIn>,
) -> Reply {
    let p = auth.require(Permission::Work)?;
    let source = visible(&state, p, id).await?;
    let target = visible(&state, p, b.into).await.map_err(|_| ApiError::invalid("into", "no such ticket"))?;
    if target.merged_into.is_some() {
        return Err(ApiError::invalid("into", "that ticket was itself merged; merge into the one it points to"));
    }
    let c = (&source.customer, &target.customer);
    let same_customer =
        (c.0.phone.is_some() && c.0.phone == c.1.phone) || (c.0.email.is_some() && c.0.email == c.1.email);
    if !same_customer {
        return Err(ApiError::invalid(
            "into",
            "only tickets of the same customer (same phone or e-mail) can be merged",
        ));
    }
    perform(&state, &auth, id, Permission::Work, |_| Ok(vec![Command::Merge { into: TicketId(b.into) }])).await
}

/// Body of `recategorize`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryIn {
    category: Option<String>,
    #[serde(default)]
    subtags: Vec<String>,
}

/// `POST /tickets/{id}/recategorize`: a correction (also a training example for triage).
pub async fn recategorize(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<CategoryIn>,
) -> Reply {
    if b.category.as_deref().is_some_and(|c| c.is_empty() || c.len() > 64) || b.subtags.len() > 20 {
        return Err(ApiError::invalid("category", "must be 1 to 64 characters, with at most 20 sub-tags"));
    }
    perform(&state, &auth, id, Permission::Work, |_| {
        Ok(vec![Command::Recategorize { category: b.category.clone(), subtags: b.subtags.clone() }])
    })
    .await
}

/// Body of `reprioritize`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityIn {
    priority: Priority,
    reason: String,
}

/// `POST /tickets/{id}/reprioritize` with the person's reason.
pub async fn reprioritize(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<PriorityIn>,
) -> Reply {
    perform(&state, &auth, id, Permission::Work, |_| {
        Ok(vec![Command::Reprioritize { priority: b.priority, reason: b.reason.clone() }])
    })
    .await
}

/// Body of `collaborators`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorIn {
    user_id: i64,
}

/// `POST /tickets/{id}/collaborators`: share the ticket with someone from another team.
pub async fn add_collaborator(
    State(state): State<AppState>,
    Worker(auth): Worker,
    Path(id): Path<i64>,
    Json(b): Json<CollaboratorIn>,
) -> Reply {
    state.store.user(UserId(b.user_id)).await.map_err(|_| ApiError::invalid("user_id", "no such user"))?;
    perform(&state, &auth, id, Permission::Work, |_| Ok(vec![Command::AddCollaborator { user_id: UserId(b.user_id) }]))
        .await
}
