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
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/stats/follow-up", get(follow_up))
}

/// Period of the figure; `to` defaults to now, `from` to 30 days before `to`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    from: Option<Timestamp>,
    #[serde(default)]
    to: Option<Timestamp>,
}

async fn follow_up(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<Period>,
) -> Result<Json<Value>, ApiError> {
    auth.require(Permission::Read)?;
    let to = p.to.unwrap_or_else(|| state.now());
    let from = p.from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::invalid("from", "must be before to"));
    }
    let c = state.read().follow_up_counts(from, to).await?;
    let rate = if c.surveyed > 0 { Some(c.answered as f64 / c.surveyed as f64) } else { None };
    Ok(Json(json!({
        "from": from, "to": to,
        "surveyed": c.surveyed, "answered": c.answered, "expired": c.expired,
        "follow_up_rate": rate,
    })))
}
