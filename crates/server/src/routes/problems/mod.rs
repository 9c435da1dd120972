//! Problem routes (issue 17): problems, their root-cause analysis, state and linked tickets
//! (here), their improvement actions ([`actions`]), and a ticket's problems for the ticket
//! page. The use cases are `loopdesk_app::problems`.

pub mod actions;

use crate::auth::{Auth, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use loopdesk_app::problems::effect::ProblemEffect;
use loopdesk_app::problems::resolve::ResolveTicketsBody;
use loopdesk_app::problems::{self, LinkChange, NewProblem, ProblemEdit, ProblemView, Transition};
use loopdesk_core::problem::{Problem, ProblemState, RootCause};
use loopdesk_core::{DepartmentId, ProblemId, TicketId};
use serde::Deserialize;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list).post(create))
        .route("/problems/{id}", get(show).post(edit))
        .route("/problems/{id}/rca", put(set_rca))
        .route("/problems/{id}/transition", post(transition))
        .route("/problems/{id}/tickets", post(link))
        .route("/problems/{id}/resolve-tickets", post(resolve_tickets))
        .route("/problems/{id}/effect", get(effect))
        .route("/problems/{id}/actions", get(actions::of_problem).post(actions::add))
        .route("/actions", get(actions::list))
        .route("/actions/{id}/transition", post(actions::transition))
        .route("/tickets/{id}/problems", get(of_ticket))
}

/// Which problems.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProblemParams {
    /// Only problems in this state (`investigating`, `cause_known`, `fix_in_progress`,
    /// `fixed`, `verified`, `wont_fix`).
    #[param(value_type = Option<String>)]
    pub state: Option<ProblemState>,
    /// Only problems owned by this department.
    #[param(value_type = Option<i64>)]
    pub department: Option<DepartmentId>,
}

/// `GET /api/v1/problems`.
#[utoipa::path(get, path = "/problems", operation_id = "list_problems", tag = "problems", params(ProblemParams),
    responses((status = 200, description = "Problems, newest first (at most 200)", body = Vec<Problem>), crate::openapi::Errors))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ProblemParams>,
) -> Result<axum::Json<Vec<Problem>>, ApiError> {
    Ok(axum::Json(problems::list(&state, &auth.0, q.state, q.department).await?))
}

/// `POST /api/v1/problems`: by hand, or from a problem cluster (`cluster_id`).
#[utoipa::path(post, path = "/problems", operation_id = "create_problem", tag = "problems", request_body = NewProblem,
    responses((status = 201, body = ProblemView), crate::openapi::Errors))]
pub async fn create(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Json(b): Json<NewProblem>,
) -> Result<(StatusCode, axum::Json<ProblemView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(problems::create(&state, &auth.0, b).await?)))
}

/// `GET /api/v1/problems/{id}`: with linked tickets, customers affected, actions, timeline.
#[utoipa::path(get, path = "/problems/{id}", operation_id = "show_problem", tag = "problems", params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = ProblemView), crate::openapi::Errors))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProblemView>, ApiError> {
    Ok(axum::Json(problems::show(&state, &auth.0, ProblemId(id)).await?))
}

/// `POST /api/v1/problems/{id}`: change fields (absent ones stay).
#[utoipa::path(post, path = "/problems/{id}", operation_id = "edit_problem", tag = "problems", params(("id" = i64, Path, description = "Problem id")),
    request_body = ProblemEdit, responses((status = 200, body = ProblemView), crate::openapi::Errors))]
pub async fn edit(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<ProblemEdit>,
) -> Result<axum::Json<ProblemView>, ApiError> {
    Ok(axum::Json(problems::edit(&state, &auth.0, ProblemId(id), b).await?))
}

/// `PUT /api/v1/problems/{id}/rca`: the root-cause analysis.
#[utoipa::path(put, path = "/problems/{id}/rca", operation_id = "set_problem_rca", tag = "problems", params(("id" = i64, Path, description = "Problem id")),
    request_body = RootCause, responses((status = 200, body = ProblemView), crate::openapi::Errors))]
pub async fn set_rca(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<RootCause>,
) -> Result<axum::Json<ProblemView>, ApiError> {
    Ok(axum::Json(problems::set_rca(&state, &auth.0, ProblemId(id), b).await?))
}

/// `POST /api/v1/problems/{id}/transition`: the next state and why; an illegal step is 409
/// with `field: "state"`.
#[utoipa::path(post, path = "/problems/{id}/transition", operation_id = "transition_problem", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")), request_body = Transition,
    responses((status = 200, body = ProblemView), crate::openapi::Errors))]
pub async fn transition(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<Transition>,
) -> Result<axum::Json<ProblemView>, ApiError> {
    Ok(axum::Json(problems::transition(&state, &auth.0, ProblemId(id), b).await?))
}

/// `POST /api/v1/problems/{id}/tickets`: link and unlink tickets.
#[utoipa::path(post, path = "/problems/{id}/tickets", operation_id = "link_problem_tickets", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")), request_body = LinkChange,
    responses((status = 200, body = ProblemView), crate::openapi::Errors))]
pub async fn link(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<LinkChange>,
) -> Result<axum::Json<ProblemView>, ApiError> {
    Ok(axum::Json(problems::link(&state, &auth.0, ProblemId(id), b).await?))
}

/// `POST /api/v1/problems/{id}/resolve-tickets`: resolve every open linked ticket of a fixed
/// (or verified) problem with one message to each customer. Accepted: the tickets are
/// resolved in the background, in chunks; the timeline records the start and the tally.
/// A problem not fixed yet is 409 with `field: "state"`.
#[utoipa::path(post, path = "/problems/{id}/resolve-tickets", operation_id = "resolve_problem_tickets", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")), request_body = ResolveTicketsBody,
    responses((status = 202, body = ProblemView), crate::openapi::Errors))]
pub async fn resolve_tickets(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<ResolveTicketsBody>,
) -> Result<(StatusCode, axum::Json<ProblemView>), ApiError> {
    let view = problems::resolve::resolve_tickets(&state, &auth.0, ProblemId(id), b).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(view)))
}

/// `GET /api/v1/problems/{id}/effect`: matching feedback per week before and after the
/// fix, and the change of the weekly mean (see `loopdesk_core::problem::effect`). A problem
/// never fixed is 409 with `field: "state"`.
#[utoipa::path(get, path = "/problems/{id}/effect", operation_id = "problem_effect", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = ProblemEffect), crate::openapi::Errors))]
pub async fn effect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProblemEffect>, ApiError> {
    Ok(axum::Json(problems::effect::effect(&state, &auth.0, ProblemId(id)).await?))
}

/// `GET /api/v1/tickets/{id}/problems`: the problems a ticket is linked to.
#[utoipa::path(get, path = "/tickets/{id}/problems", operation_id = "ticket_problems", tag = "problems",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = Vec<Problem>), crate::openapi::Errors))]
pub async fn of_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<Problem>>, ApiError> {
    Ok(axum::Json(problems::of_ticket(&state, &auth.0, TicketId(id)).await?))
}
