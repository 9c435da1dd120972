//! `GET /track/{tracking_no}?phone=…|email=…`: the customer's status page. A wrong contact
//! answers exactly like an unknown number, and guessing is rate-limited per client and per
//! number.

use super::tickets::view;
use crate::error::ApiError;
use crate::extract::{ClientIp, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_core::{TicketId, TrackingNo};
use serde::Deserialize;
use serde_json::{json, Value};

/// Query of the status page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackParams {
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no feedback matches this tracking number and contact".into())
}

/// `GET /api/v1/track/{tracking_no}`.
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    Query(params): Query<TrackParams>,
) -> Result<Json<Value>, ApiError> {
    let now = state.now();
    state.limits.track_by_ip.check(&ip.to_string(), now)?;
    if params.phone.is_none() && params.email.is_none() {
        return Err(ApiError::BadRequest {
            code: "contact_required",
            message: "give the phone number or e-mail address you left with your feedback".into(),
            field: Some("phone".into()),
        });
    }
    let tracking = TrackingNo::parse(&number).map_err(|e| ApiError::invalid("tracking_no", e.to_string()))?;
    state.limits.track_by_number.check(tracking.as_str(), now)?;
    let ticket = match state.read().ticket(TicketId(tracking.ticket_id().0)).await {
        Ok(t) => t,
        Err(loopdesk_app::read::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if ticket.tracking_no != tracking || !ticket.contact_matches(params.phone.as_deref(), params.email.as_deref()) {
        return Err(not_found());
    }
    let timeline = state.read().timeline(ticket.id).await?;
    Ok(Json(json!({
        "tracking_no": ticket.tracking_no,
        "state": ticket.state,
        "subject": ticket.subject,
        "received_at": ticket.received_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "outcome": ticket.outcome,
        "timeline": timeline.iter().filter_map(view::public_event).collect::<Vec<_>>(),
    })))
}
