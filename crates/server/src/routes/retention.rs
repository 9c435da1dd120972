//! Legal holds and the record of retention runs (admins). The use cases are
//! `loopdesk_app::retention`; the policy itself is the `retention` configuration document.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::read::{LegalHold, RetentionRun};
use loopdesk_app::retention::holds::{self, NewHold, Release};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/legal-holds", get(list_holds).post(place_hold))
        .route("/legal-holds/{id}/release", post(release_hold))
        .route("/retention/runs", get(list_runs).post(start_run))
}

/// Which holds.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoldParams {
    /// Released holds too.
    #[serde(default)]
    pub all: bool,
}

/// `GET /api/v1/legal-holds`: active holds, newest first (with `all`, released ones too).
#[utoipa::path(get, path = "/legal-holds", tag = "retention", params(HoldParams),
    responses((status = 200, body = Vec<LegalHold>), crate::openapi::Errors))]
pub async fn list_holds(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Query(params): Query<HoldParams>,
) -> Result<axum::Json<Vec<LegalHold>>, ApiError> {
    Ok(axum::Json(holds::list(&state, &auth.0, params.all).await?))
}

/// `POST /api/v1/legal-holds`: keeps a ticket, or every ticket of a customer (phone or
/// e-mail), out of retention until released.
#[utoipa::path(post, path = "/legal-holds", tag = "retention", request_body = NewHold,
    responses((status = 201, body = LegalHold), crate::openapi::Errors))]
pub async fn place_hold(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(body): Json<NewHold>,
) -> Result<(StatusCode, axum::Json<LegalHold>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(holds::place(&state, &auth.0, &body).await?)))
}

/// `POST /api/v1/legal-holds/{id}/release`: ends a hold, saying why.
#[utoipa::path(post, path = "/legal-holds/{id}/release", tag = "retention", request_body = Release,
    params(("id" = i64, Path, description = "The hold")),
    responses((status = 200, body = LegalHold), crate::openapi::Errors))]
pub async fn release_hold(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
    Json(body): Json<Release>,
) -> Result<axum::Json<LegalHold>, ApiError> {
    Ok(axum::Json(holds::release(&state, &auth.0, id, &body).await?))
}

/// `GET /api/v1/retention/runs`: the latest retention runs and what each did.
#[utoipa::path(get, path = "/retention/runs", tag = "retention",
    responses((status = 200, body = Vec<RetentionRun>), crate::openapi::Errors))]
pub async fn list_runs(
    State(state): State<AppState>,
    Admin(auth): Admin,
) -> Result<axum::Json<Vec<RetentionRun>>, ApiError> {
    Ok(axum::Json(loopdesk_app::retention::runs(&state, &auth.0, 50).await?))
}

/// `POST /api/v1/retention/runs`: starts a run now on the job worker (the daily run, early),
/// for example after the policy changed; 409 while one is under way.
#[utoipa::path(post, path = "/retention/runs", tag = "retention",
    responses((status = 202, description = "The run is queued"), crate::openapi::Errors))]
pub async fn start_run(State(state): State<AppState>, Admin(auth): Admin) -> Result<StatusCode, ApiError> {
    loopdesk_app::jobs::retention::start_now(&state, &auth.0).await?;
    Ok(StatusCode::ACCEPTED)
}
