//! The signed status link for programs (the customer's app): `GET /status/{token}` answers
//! what `GET /track/{tracking_no}` answers, without the contact; `POST
//! /status/{token}/messages` adds the customer's follow-up message. The token is the one in
//! the portal's bookmarkable link (`/status/{token}`); an altered one is a 404.

use super::track::TrackOut;
use crate::error::ApiError;
use crate::extract::{Json as JsonIn, Path};
use crate::openapi::Errors;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_app::portal::links;
use loopdesk_app::tickets::customer;
use serde::Deserialize;

/// A follow-up message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpIn {
    /// At most 5000 characters.
    #[schema(max_length = 5000)]
    pub body: String,
}

/// `GET /api/v1/status/{token}`: the public status behind a signed status link.
#[utoipa::path(get, path = "/status/{token}", tag = "feedback", security(()),
    params(("token" = String, Path, max_length = 100, description = "From the status link: tracking number, a dot, the signature")),
    responses((status = 200, body = TrackOut), Errors))]
pub async fn status(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<TrackOut>, ApiError> {
    let ticket = links::open_status(&state, &token).await?;
    customer::looked_up(&state, &ticket).await;
    Ok(Json(TrackOut::of(&state, ticket).await?))
}

/// `POST /api/v1/status/{token}/messages`: the customer writes again. It answers an open
/// information request, reopens a resolved or closed ticket, or waits for the agent; a few
/// a minute per ticket (429 `rate_limited`).
#[utoipa::path(post, path = "/status/{token}/messages", tag = "feedback", security(()),
    params(("token" = String, Path, max_length = 100, description = "From the status link")),
    request_body = FollowUpIn,
    responses((status = 200, body = TrackOut), Errors))]
pub async fn message(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonIn(input): JsonIn<FollowUpIn>,
) -> Result<Json<TrackOut>, ApiError> {
    let ticket = links::open_status(&state, &token).await?;
    let ticket = customer::follow_up(&state, &ticket, &input.body).await?;
    Ok(Json(TrackOut::of(&state, ticket).await?))
}
