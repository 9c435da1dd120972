//! `GET /spikes`: spikes found by the hourly sweep, newest first. The use case is
//! `loopdesk_app::spikes::list`.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Duration;
use loopdesk_app::read::SpikeRecord;
use loopdesk_core::Timestamp;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/spikes", get(list))
}

/// Which spikes: those whose window ended in `[from, to)`; without them, the last 30 days.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpikeParams {
    /// Start (RFC 3339), inclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// End (RFC 3339), exclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
}

/// `GET /api/v1/spikes`.
#[utoipa::path(get, path = "/spikes", tag = "spikes", params(SpikeParams),
    responses((status = 200, description = "Spikes, newest first (at most 500)", body = Vec<SpikeRecord>),
        crate::openapi::Errors))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<SpikeParams>,
) -> Result<Json<Vec<SpikeRecord>>, ApiError> {
    let to = params.to.unwrap_or_else(|| state.clock.now() + Duration::hours(1));
    let from = params.from.unwrap_or(to - Duration::days(30));
    Ok(Json(loopdesk_app::spikes::list(&state, &auth.0, from, to).await?))
}
