//! The public follow-up survey behind a signed link: `GET /surveys/{token}` shows the
//! question, `POST` answers it once. No login; rate-limited per client.

use crate::error::ApiError;
use crate::extract::{ClientIp, Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use loopdesk_app::workflow::survey::{self, Answer};
use loopdesk_core::ticket::Rating;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/surveys/{token}", get(show).post(submit))
}

async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    state.limits.survey_by_ip.check(&ip.to_string(), state.now())?;
    let (t, s) = survey::open_survey(&state, &token).await?;
    let ticket = state.read().ticket(t.ticket_id).await?;
    Ok(axum::Json(json!({
        "tracking_no": ticket.tracking_no,
        "subject": ticket.subject,
        "outcome": ticket.outcome.as_ref().map(|o| json!({ "kind": o.kind, "summary": o.summary })),
        "question": "您对本次处理结果满意吗？ / Are you satisfied with how we handled your feedback?",
        "options": Rating::ALL,
        "score": { "min": 1, "max": 5, "optional": true },
        "expires_at": t.expires_at,
        "answered": s.answered_at.is_some(),
    })))
}

/// Body of the answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    satisfaction: Rating,
    #[serde(default)]
    score: Option<u8>,
    #[serde(default)]
    comment: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Json(b): Json<AnswerIn>,
) -> Result<axum::Json<Value>, ApiError> {
    state.limits.survey_by_ip.check(&ip.to_string(), state.now())?;
    let answer = Answer { rating: b.satisfaction, score: b.score, comment: b.comment };
    let ticket = survey::answer(&state, &token, answer).await?;
    Ok(axum::Json(json!({
        "tracking_no": ticket.tracking_no,
        "state": ticket.state,
        "message": "谢谢您的反馈 / Thank you for your answer",
    })))
}
