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
use loopdesk_core::{State as TicketState, Timestamp, TrackingNo};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/surveys/{token}", get(show).post(submit))
}

/// A survey as the customer sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyOut {
    #[schema(value_type = String)]
    tracking_no: TrackingNo,
    subject: Option<String>,
    /// `{kind, summary}` of the outcome.
    #[schema(value_type = Option<Object>)]
    outcome: Option<Value>,
    question: &'static str,
    options: &'static [Rating],
    /// `{min: 1, max: 5, optional: true}`.
    #[schema(value_type = Object)]
    score: Value,
    #[schema(value_type = String, format = DateTime)]
    expires_at: Timestamp,
    answered: bool,
}

/// The answer's acknowledgement.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Answered {
    #[schema(value_type = String)]
    tracking_no: TrackingNo,
    state: TicketState,
    message: &'static str,
}

/// `GET /api/v1/surveys/{token}`: the question behind a signed link (no login; 410 when
/// the link expired).
#[utoipa::path(get, path = "/surveys/{token}", tag = "feedback", operation_id = "show_survey", security(()),
    params(("token" = String, Path, max_length = 512, description = "The signed token of the survey link")), responses((status = 200, body = SurveyOut), crate::openapi::Errors))]
pub async fn show(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<axum::Json<SurveyOut>, ApiError> {
    state.limits.survey_by_ip.check(&ip.to_string(), state.now())?;
    let (t, s) = survey::open_survey(&state, &token).await?;
    let ticket = state.read().ticket(t.ticket_id).await?;
    Ok(axum::Json(SurveyOut {
        tracking_no: ticket.tracking_no,
        subject: ticket.subject,
        outcome: ticket.outcome.as_ref().map(|o| json!({ "kind": o.kind, "summary": o.summary })),
        question: "您对本次处理结果满意吗？ / Are you satisfied with how we handled your feedback?",
        options: Rating::ALL,
        score: json!({ "min": 1, "max": 5, "optional": true }),
        expires_at: t.expires_at,
        answered: s.answered_at.is_some(),
    }))
}

/// Body of the answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    satisfaction: Rating,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    score: Option<u8>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: Option<String>,
}

/// `POST /api/v1/surveys/{token}`: answers the survey once (409 when answered already).
#[utoipa::path(post, path = "/surveys/{token}", tag = "feedback", operation_id = "answer_survey", security(()),
    params(("token" = String, Path, max_length = 512, description = "The signed token of the survey link")), request_body = AnswerIn, responses((status = 200, body = Answered), crate::openapi::Errors))]
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Json(b): Json<AnswerIn>,
) -> Result<axum::Json<Answered>, ApiError> {
    state.limits.survey_by_ip.check(&ip.to_string(), state.now())?;
    let answer = Answer { rating: b.satisfaction, score: b.score, comment: b.comment };
    let ticket = survey::answer(&state, &token, answer).await?;
    Ok(axum::Json(Answered {
        tracking_no: ticket.tracking_no,
        state: ticket.state,
        message: "谢谢您的反馈 / Thank you for your answer",
    }))
}
