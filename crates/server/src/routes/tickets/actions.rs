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
use serde::{Deserialize, Serialize};
use serde_json::Value;

type Reply = Result<JsonOut<ActionOut>, ApiError>;
type Detailed = Result<JsonOut<TicketTimeline>, ApiError>;

/// A ticket after an action (as the caller may see it) and the events the action appended.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionOut {
    #[schema(value_type = loopdesk_core::Ticket)]
    ticket: Value,
    #[schema(value_type = Vec<Object>)]
    events: Vec<Value>,
}

/// A ticket and its whole timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketTimeline {
    #[schema(value_type = loopdesk_core::Ticket)]
    ticket: Value,
    #[schema(value_type = Vec<Object>)]
    timeline: Vec<Value>,
}

impl ActionOut {
    /// The answer for a ticket (as the caller sees it) and the events appended.
    pub fn new(ticket: Value, events: Vec<Value>) -> ActionOut {
        ActionOut { ticket, events }
    }
}

/// The latest follow-up survey of a ticket and its link.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyStatus {
    #[schema(value_type = Object)]
    survey: loopdesk_app::read::Survey,
    survey_url: String,
}

/// Performs `action` and answers with the ticket and the events appended.
async fn act(state: &AppState, auth: &Auth, id: i64, action: Action) -> Reply {
    let done = perform(state, &auth.0, TicketId(id), action).await?;
    Ok(JsonOut(ActionOut {
        ticket: view::ticket(&done.ticket, &auth.0),
        events: done.events.iter().map(view::event).collect(),
    }))
}

/// Performs `action` and answers with the ticket and its whole timeline (the caller may no
/// longer see it afterwards: a transfer to another department).
async fn act_detailed(state: &AppState, auth: &Auth, id: i64, action: Action) -> Detailed {
    let done = perform(state, &auth.0, TicketId(id), action).await?;
    let timeline = state.read().timeline(done.ticket.id).await?;
    Ok(JsonOut(TicketTimeline {
        ticket: view::ticket(&done.ticket, &auth.0),
        timeline: timeline.iter().map(view::event).collect(),
    }))
}

async fn timeline(state: &AppState, auth: &Auth, id: i64) -> Detailed {
    let d = detail(state, &auth.0, TicketId(id)).await?;
    Ok(JsonOut(TicketTimeline {
        ticket: view::ticket(&d.ticket, &auth.0),
        timeline: d.timeline.iter().map(view::event).collect(),
    }))
}

/// Body of `assign`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(post, path = "/tickets/{id}/assign", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = AssignIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
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
#[utoipa::path(post, path = "/tickets/{id}/acknowledge", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn acknowledge(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    act(&s, &a, id, Action::Acknowledge).await
}

/// A body with one text field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextIn {
    #[serde(alias = "message", alias = "reason", alias = "plan")]
    body: String,
}

macro_rules! text_action {
    ($(#[$doc:meta])* $name:ident, $path:literal, $make:expr) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
            request_body = TextIn, responses((status = 200, body = ActionOut), crate::openapi::Errors))]
        pub async fn $name(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>, Json(b): Json<TextIn>) -> Reply {
            let make: fn(String) -> Action = $make;
            act(&s, &a, id, make(b.body)).await
        }
    };
}

text_action!(
    /// `POST /tickets/{id}/note`: internal note.
    note, "/tickets/{id}/note", |body| Action::Note { body }
);
text_action!(
    /// `POST /tickets/{id}/request-info`: ask the customer; the clock pauses.
    request_info, "/tickets/{id}/request-info", |message| Action::RequestInfo { message }
);
text_action!(
    /// `POST /tickets/{id}/provide-info`: the customer's answer, recorded by staff.
    provide_info, "/tickets/{id}/provide-info", |body| Action::ProvideInfo { body }
);
text_action!(
    /// `POST /tickets/{id}/reopen`.
    reopen, "/tickets/{id}/reopen", |reason| Action::Reopen { reason }
);
text_action!(
    /// `POST /tickets/{id}/reject`: spam, abuse, irrelevant or out of scope.
    reject, "/tickets/{id}/reject", |reason| Action::Reject { reason }
);
text_action!(
    /// `POST /tickets/{id}/escalate`: hand to a supervisor.
    escalate, "/tickets/{id}/escalate", |reason| Action::Escalate { reason }
);

/// Body of `decide-approval`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    approved: bool,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /tickets/{id}/decide-approval`: a supervisor approves or refuses the plan.
#[utoipa::path(post, path = "/tickets/{id}/decide-approval", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = DecisionIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn decide_approval(
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<DecisionIn>,
) -> Reply {
    act(&s, &a, id, Action::DecideApproval { approved: b.approved, comment: b.comment }).await
}

/// `POST /tickets/{id}/resolve` with the outcome.
#[utoipa::path(post, path = "/tickets/{id}/resolve", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = Outcome,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn resolve(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(o): Json<Outcome>,
) -> Reply {
    act(&s, &a, id, Action::Resolve(o)).await
}

/// `POST /tickets/{id}/close` (staff close; surveys close on their own).
#[utoipa::path(post, path = "/tickets/{id}/close", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn close(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Reply {
    act(&s, &a, id, Action::Close).await
}

/// Body of `restore`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreIn {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /tickets/{id}/restore`: a person brings back a rejected ticket.
#[utoipa::path(post, path = "/tickets/{id}/restore", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = RestoreIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn restore(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<RestoreIn>,
) -> Reply {
    act(&s, &a, id, Action::Restore { reason: b.reason }).await
}

/// Body of `merge`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    into: TicketId,
}

/// `POST /tickets/{id}/merge`: a duplicate of the same customer's other ticket.
#[utoipa::path(post, path = "/tickets/{id}/merge", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = MergeIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn merge(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>, Json(b): Json<MergeIn>) -> Reply {
    act(&s, &a, id, Action::Merge { into: b.into }).await
}

/// Body of `recategorize`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryIn {
    category: Option<String>,
    #[serde(default)]
    subtags: Vec<String>,
}

/// `POST /tickets/{id}/recategorize`: a correction (also a training example for triage).
#[utoipa::path(post, path = "/tickets/{id}/recategorize", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = CategoryIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn recategorize(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<CategoryIn>,
) -> Reply {
    act(&s, &a, id, Action::Recategorize { category: b.category, subtags: b.subtags }).await
}

/// Body of `reprioritize`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityIn {
    priority: Priority,
    reason: String,
}

/// `POST /tickets/{id}/reprioritize` with the person's reason.
#[utoipa::path(post, path = "/tickets/{id}/reprioritize", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = PriorityIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn reprioritize(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<PriorityIn>,
) -> Reply {
    act(&s, &a, id, Action::Reprioritize { priority: b.priority, reason: b.reason }).await
}

/// Body of `collaborators`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorIn {
    user_id: UserId,
}

/// `POST /tickets/{id}/collaborators`: share the ticket with someone from another team.
#[utoipa::path(post, path = "/tickets/{id}/collaborators", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = CollaboratorIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
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
#[utoipa::path(post, path = "/tickets/{id}/route", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = TicketTimeline), crate::openapi::Errors))]
pub async fn route(State(s): State<AppState>, Worker(a): Worker, Path(id): Path<i64>) -> Detailed {
    route_now(&s, &a.0, TicketId(id)).await?;
    timeline(&s, &a, id).await
}

/// Body of `extend`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    /// The SLA target: `first_response`, `plan` or `result`.
    #[schema(pattern = "^(first_response|plan|result)$")]
    target: String,
    /// The new due time.
    #[schema(value_type = String, format = DateTime)]
    until: Timestamp,
    /// Why; the customer is told with the new date.
    reason: String,
}

/// `POST /tickets/{id}/extend`: a later due time for one SLA target, told to the customer.
#[utoipa::path(post, path = "/tickets/{id}/extend", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = ExtendIn,
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn extend(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<ExtendIn>,
) -> Reply {
    act(&s, &a, id, Action::Extend { target: b.target, until: b.until, reason: b.reason }).await
}

/// Body of `transfer`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferIn {
    department_id: DepartmentId,
    #[serde(default)]
    assignee_id: Option<UserId>,
    reason: String,
}

/// `POST /tickets/{id}/transfer`: hand the ticket to another department (and agent), with
/// the reason on the timeline. Without an assignee, the department's next agent is chosen.
#[utoipa::path(post, path = "/tickets/{id}/transfer", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = TransferIn,
    responses((status = 200, body = TicketTimeline), crate::openapi::Errors))]
pub async fn transfer(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<TransferIn>,
) -> Detailed {
    let action = Action::Transfer { department_id: b.department_id, assignee_id: b.assignee_id, reason: b.reason };
    act_detailed(&s, &a, id, action).await
}

/// Body of `request-approval`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    plan: String,
    /// Why approval is needed: cost, policy_exception, other_departments.
    reasons: Vec<ApprovalReason>,
}

/// `POST /tickets/{id}/request-approval`: the plan involves cost, a policy exception or
/// other departments, so a supervisor must approve it (SLA target `approval`).
#[utoipa::path(post, path = "/tickets/{id}/request-approval", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")), request_body = ApprovalIn,
    responses((status = 200, body = TicketTimeline), crate::openapi::Errors))]
pub async fn request_approval(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    Json(b): Json<ApprovalIn>,
) -> Detailed {
    act_detailed(&s, &a, id, Action::RequestApproval { plan: b.plan, reasons: b.reasons }).await
}

/// `GET /tickets/{id}/survey`: the latest survey of the ticket, with its link (staff may
/// read it out to a customer on the phone).
#[utoipa::path(get, path = "/tickets/{id}/survey", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = SurveyStatus), crate::openapi::Errors))]
pub async fn survey_status(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
) -> Result<JsonOut<SurveyStatus>, ApiError> {
    let (survey, url) = survey_of(&s, &a.0, TicketId(id)).await?;
    Ok(JsonOut(SurveyStatus { survey, survey_url: url }))
}
