//! `GET /stats/follow-up`: the follow-up rate (回访率) — surveys answered over surveys sent
//! in a period (default: the last 30 days).

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use loopdesk_core::access::Permission;
use loopdesk_core::Timestamp;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/stats/follow-up", get(follow_up))
}

/// Period of the figure; `to` defaults to now, `from` to 30 days before `to`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    #[serde(default)]
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<Timestamp>,
    #[serde(default)]
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<Timestamp>,
}

/// The follow-up rate of a period.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    #[schema(value_type = String, format = DateTime)]
    from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    to: Timestamp,
    surveyed: i64,
    answered: i64,
    expired: i64,
    /// answered / surveyed; absent when nothing was surveyed.
    follow_up_rate: Option<f64>,
}

/// `GET /api/v1/stats/follow-up`: surveys answered over surveys sent (default: 30 days).
#[utoipa::path(get, path = "/stats/follow-up", tag = "tickets", params(Period),
    responses((status = 200, body = FollowUp), crate::openapi::Errors))]
pub async fn follow_up(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<Period>,
) -> Result<Json<FollowUp>, ApiError> {
    auth.require(Permission::Read)?;
    let to = p.to.unwrap_or_else(|| state.now());
    let from = p.from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::invalid("from", "must be before to"));
    }
    let c = state.read().follow_up_counts(from, to).await?;
    let rate = if c.surveyed > 0 { Some(c.answered as f64 / c.surveyed as f64) } else { None };
    Ok(Json(FollowUp {
        from,
        to,
        surveyed: c.surveyed,
        answered: c.answered,
        expired: c.expired,
        follow_up_rate: rate,
    }))
}
