//! `POST /tickets/{id}/<action>`: each endpoint reads its body into one
//! [`Action`](loopdesk_app::tickets::actions::Action) and performs it; the lifecycle decides,
//! and the change is stored with its events and everything it owes in one transaction.

use super::view;
use crate::auth::{Auth, Supervisor, Worker};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::Json as JsonOut;
use loopdesk_app::tickets::actions::{perform, route_now, Action};
use loopdesk_app::tickets::{detail, survey_status as survey_of};
use loopdesk_core::approval::ApprovalReason;
use loopdesk_core::{DepartmentId, Outcome, Priority, TicketId, Timestamp, UserId};
use serde::Deserialize;
use serde_json::{json, Value};

type Reply = Result<JsonOut<Value>, ApiError>;

/// Performs `action` and answers with the ticket and the events appended.
async fn act(state: &AppState, auth: &Auth, id: i64, action: Action) -> Reply {
    let done = perform(state, &auth.0, TicketId(id), action).await?;
    Ok(JsonOut(json!({
        "ticket": view::ticket(&done.ticket, &auth.0),
        "events": done.events.iter().map(view::event).collect::<Vec<_>>(),
    })))
}

/// Performs `action` and answers with the ticket and its whole timeline (the caller may no
/// longer see it afterwards: a transfer to another department).
async fn act_detailed(state: &AppState, auth: &Auth, id: i64, action: Action) -> Reply {
    let done = perform(state, &auth.0, TicketId(id), action).await?;
    let timeline = state.read().timeline(done.ticket.id).await?;
    Ok(JsonOut(json!({
        "ticket": view::ticket(&done.ticket, &auth.0),
        "timeline": timeline.iter().map(view::event).collect::<Vec<_>>(),
    })))
}

async fn timeline(state: &AppState, auth: &Auth, id: i64) -> Reply {
    let d = detail(state, &auth.0, TicketId(id)).await?;
    Ok(JsonOut(json!({
        "ticket": view::ticket(&d.ticket, &auth.0),
        "timeline": d.timeline.iter().map(view::event).collect::<Vec<_>>(),
    })))
}

/// Body of `assign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    #[serde(default)]
    department_id: Option<DepartmentId>,
    #[serde(default)]
    assignee_id: Option<UserId>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /tickets/{id}/assign`.
pub async fn assign(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<AssignIn>,
) -> Reply {
    act(&s, &a, id, Action::Assign { department_id: b.department_id, assignee_id: b.assignee_id, reason: b.reason })
        .await
}

/// `POST /tickets/{id}/acknowledge`: the assignee accepts; an unowned ticket becomes the
/// caller's.
pub async fn acknowledge(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    act(&s, &a, id, Action::Acknowledge).await
}

/// A body with one text field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextIn {
    #[serde(alias = "message", alias = "reason", alias = "plan")]
    body: String,
}

macro_rules! text_action {
    ($(#[$doc:meta])* $name:ident, $make:expr) => {
        $(#[$doc])*
        pub async fn $name(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>, Json(b): Json<TextIn>) -> Reply {
            let make: fn(String) -> Action = $make;
            act(&s, &a, id, make(b.body)).await
        }
    };
}

text_action!(
    /// `POST /tickets/{id}/reply`: public reply to the customer.
    reply, |body| Action::Reply { body }
);
text_action!(
    /// `POST /tickets/{id}/note`: internal note.
    note, |body| Action::Note { body }
);
text_action!(
    /// `POST /tickets/{id}/request-info`: ask the customer; the clock pauses.
    request_info, |message| Action::RequestInfo { message }
);
text_action!(
    /// `POST /tickets/{id}/provide-info`: the customer's answer, recorded by staff.
    provide_info, |body| Action::ProvideInfo { body }
);
text_action!(
    /// `POST /tickets/{id}/reopen`.
    reopen, |reason| Action::Reopen { reason }
);
text_action!(
    /// `POST /tickets/{id}/reject`: spam, abuse, irrelevant or out of scope.
    reject, |reason| Action::Reject { reason }
);
text_action!(
    /// `POST /tickets/{id}/escalate`: hand to a supervisor.
    escalate, |reason| Action::Escalate { reason }
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
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<DecisionIn>,
) -> Reply {
    act(&s, &a, id, Action::DecideApproval { approved: b.approved, comment: b.comment }).await
}

/// `POST /tickets/{id}/resolve` with the outcome.
pub async fn resolve(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(o): Json<Outcome>,
) -> Reply {
    act(&s, &a, id, Action::Resolve(o)).await
}

/// `POST /tickets/{id}/close` (staff close; surveys close on their own).
pub async fn close(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    act(&s, &a, id, Action::Close).await
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
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<RestoreIn>,
) -> Reply {
    act(&s, &a, id, Action::Restore { reason: b.reason }).await
}

/// Body of `merge`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    into: TicketId,
}

/// `POST /tickets/{id}/merge`: a duplicate of the same customer's other ticket.
pub async fn merge(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>, Json(b): Json<MergeIn>) -> Reply {
    act(&s, &a, id, Action::Merge { into: b.into }).await
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
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<CategoryIn>,
) -> Reply {
    act(&s, &a, id, Action::Recategorize { category: b.category, subtags: b.subtags }).await
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
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<PriorityIn>,
) -> Reply {
    act(&s, &a, id, Action::Reprioritize { priority: b.priority, reason: b.reason }).await
}

/// Body of `collaborators`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorIn {
    user_id: UserId,
}

/// `POST /tickets/{id}/collaborators`: share the ticket with someone from another team.
pub async fn add_collaborator(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<CollaboratorIn>,
) -> Reply {
    act(&s, &a, id, Action::AddCollaborator { user_id: b.user_id }).await
}

/// `POST /tickets/{id}/route`: route a new ticket by the rules now (intake does it through
/// the `route.ticket` job).
pub async fn route(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    route_now(&s, &a.0, TicketId(id)).await?;
    timeline(&s, &a, id).await
}

/// Body of `extend`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    /// The SLA target: `first_response`, `plan` or `result`.
    target: String,
    /// The new due time.
    until: Timestamp,
    /// Why; the customer is told with the new date.
    reason: String,
}

/// `POST /tickets/{id}/extend`: a later due time for one SLA target, told to the customer.
pub async fn extend(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<ExtendIn>,
) -> Reply {
    act(&s, &a, id, Action::Extend { target: b.target, until: b.until, reason: b.reason }).await
}

/// Body of `transfer`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferIn {
    department_id: DepartmentId,
    #[serde(default)]
    assignee_id: Option<UserId>,
    reason: String,
}

/// `POST /tickets/{id}/transfer`: hand the ticket to another department (and agent), with
/// the reason on the timeline. Without an assignee, the department's next agent is chosen.
pub async fn transfer(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<TransferIn>,
) -> Reply {
    let action = Action::Transfer { department_id: b.department_id, assignee_id: b.assignee_id, reason: b.reason };
    act_detailed(&s, &a, id, action).await
}

/// Body of `request-approval`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    plan: String,
    /// Why approval is needed: cost, policy_exception, other_departments.
    reasons: Vec<ApprovalReason>,
}

/// `POST /tickets/{id}/request-approval`: the plan involves cost, a policy exception or
/// other departments, so a supervisor must approve it (SLA target `approval`).
pub async fn request_approval(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<ApprovalIn>,
) -> Reply {
    act_detailed(&s, &a, id, Action::RequestApproval { plan: b.plan, reasons: b.reasons }).await
}

/// `GET /tickets/{id}/survey`: the latest survey of the ticket, with its link (staff may
/// read it out to a customer on the phone).
pub async fn survey_status(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    let (survey, url) = survey_of(&s, &a.0, TicketId(id)).await?;
    Ok(JsonOut(json!({ "survey": survey, "survey_url": url })))
}
