//! Improvement action routes: per problem, across problems by owner and department (with
//! only the overdue ones), and closing one.

use crate::auth::{Auth, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use loopdesk_app::problems::actions::{self, ActionQuery, ActionTransition, NewAction};
use loopdesk_core::problem::{ActionState, ImprovementAction};
use loopdesk_core::{ActionId, DepartmentId, ProblemId, UserId};
use serde::Deserialize;

/// `GET /api/v1/problems/{id}/actions`.
#[utoipa::path(get, path = "/problems/{id}/actions", operation_id = "list_problem_actions", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses((status = 200, description = "Soonest due first", body = Vec<ImprovementAction>), crate::openapi::Errors))]
pub async fn of_problem(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<ImprovementAction>>, ApiError> {
    Ok(axum::Json(actions::of_problem(&state, &auth.0, ProblemId(id)).await?))
}

/// `POST /api/v1/problems/{id}/actions`: at least a title and `due` (a date).
#[utoipa::path(post, path = "/problems/{id}/actions", operation_id = "add_problem_action", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")), request_body = NewAction,
    responses((status = 201, body = ImprovementAction), crate::openapi::Errors))]
pub async fn add(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<NewAction>,
) -> Result<(StatusCode, axum::Json<ImprovementAction>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(actions::add(&state, &auth.0, ProblemId(id), b).await?)))
}

/// Which actions.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// Only actions owned by this user.
    #[param(value_type = Option<i64>)]
    pub owner: Option<UserId>,
    /// Only actions of this department.
    #[param(value_type = Option<i64>)]
    pub department: Option<DepartmentId>,
    /// Only actions in this state (`open`, `done`, `cancelled`).
    #[param(value_type = Option<String>)]
    pub state: Option<ActionState>,
    /// Only open actions past their due minute.
    pub overdue: Option<bool>,
}

/// `GET /api/v1/actions`: actions across problems, per person and department.
#[utoipa::path(get, path = "/actions", operation_id = "list_actions", tag = "problems", params(ActionParams),
    responses((status = 200, description = "Soonest due first (at most 500)", body = Vec<ImprovementAction>), crate::openapi::Errors))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ActionParams>,
) -> Result<axum::Json<Vec<ImprovementAction>>, ApiError> {
    let q = ActionQuery {
        owner_id: q.owner,
        department_id: q.department,
        state: q.state,
        overdue: q.overdue.unwrap_or(false),
    };
    Ok(axum::Json(actions::list(&state, &auth.0, q).await?))
}

/// `POST /api/v1/actions/{id}/transition`: done or cancelled, and why.
#[utoipa::path(post, path = "/actions/{id}/transition", operation_id = "transition_action", tag = "problems",
    params(("id" = i64, Path, description = "Action id")), request_body = ActionTransition,
    responses((status = 200, body = ImprovementAction), crate::openapi::Errors))]
pub async fn transition(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
    Path(id): Path<i64>,
    Json(b): Json<ActionTransition>,
) -> Result<axum::Json<ImprovementAction>, ApiError> {
    Ok(axum::Json(actions::transition(&state, &auth.0, ActionId(id), b).await?))
}
