//! `GET /track/{tracking_no}?phone=…|email=…`: the customer's status page. A wrong contact
//! answers exactly like an unknown number, and guessing is rate-limited per client and per
//! number. Each answered look-up counts as self-service tracking use (the channels report).

use super::tickets::view;
use crate::error::ApiError;
use crate::extract::{ClientIp, Path, Query};
use crate::openapi::Errors;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_app::tickets::customer;
use loopdesk_core::{Outcome, State as TicketState, Ticket, Timestamp, TrackingNo};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Query of the status page: the phone number or the e-mail address left with the
/// feedback (one of the two is required; 400 `contact_required` otherwise).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackParams {
    /// In any usual form (`13966667777`, `+86 139 6666 7777`, `0086-139…`).
    #[serde(default)]
    #[param(max_length = 40)]
    phone: Option<String>,
    #[serde(default)]
    #[param(max_length = 254)]
    email: Option<String>,
}

/// The public status of a feedback.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrackOut {
    #[schema(value_type = String)]
    tracking_no: TrackingNo,
    state: TicketState,
    /// Where the request stands in the customer's words: `submitted`, `handling`,
    /// `resolved` or `closed` (absent for a rejected or merged one).
    stage: Option<&'static str>,
    subject: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    received_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    resolved_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    closed_at: Option<Timestamp>,
    outcome: Option<Outcome>,
    /// The public events (replies, state changes), oldest first.
    #[schema(value_type = Vec<Object>)]
    timeline: Vec<Value>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no feedback matches this tracking number and contact".into())
}

/// `GET /api/v1/track/{tracking_no}`: a wrong contact is the same 404 as an unknown number.
#[utoipa::path(get, path = "/track/{tracking_no}", tag = "feedback", security(()),
    params(("tracking_no" = String, Path, max_length = 40, description = "As given at intake, e.g. FB-2611-7K3Q9"), TrackParams),
    responses((status = 200, body = TrackOut), Errors))]
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    Query(params): Query<TrackParams>,
) -> Result<Json<TrackOut>, ApiError> {
    state.limits.track_by_ip.check(&ip.to_string(), state.now())?;
    if params.phone.is_none() && params.email.is_none() {
        return Err(ApiError::BadRequest {
            code: "contact_required",
            message: "give the phone number or e-mail address you left with your feedback".into(),
            field: Some("phone".into()),
        });
    }
    let tracking = TrackingNo::parse(&number).map_err(|e| ApiError::invalid("tracking_no", e.to_string()))?;
    let Some(ticket) = customer::matching(&state, &tracking, params.phone.as_deref(), params.email.as_deref()).await?
    else {
        return Err(not_found());
    };
    customer::looked_up(&state, &ticket).await;
    Ok(Json(TrackOut::of(&state, ticket).await?))
}

impl TrackOut {
    /// The public status of `ticket`.
    pub async fn of(state: &AppState, ticket: Ticket) -> Result<TrackOut, ApiError> {
        let timeline = state.read().timeline(ticket.id).await?;
        Ok(TrackOut {
            timeline: timeline.iter().filter_map(view::public_event).collect(),
            tracking_no: ticket.tracking_no,
            state: ticket.state,
            stage: loopdesk_app::portal::stage(ticket.state).map(|i| loopdesk_app::portal::STAGES[i]),
            subject: ticket.subject,
            received_at: ticket.received_at,
            updated_at: ticket.updated_at,
            resolved_at: ticket.resolved_at,
            closed_at: ticket.closed_at,
            outcome: ticket.outcome,
        })
    }
}
