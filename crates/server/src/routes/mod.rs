//! The router: each resource owns its routes; this is the one place they are merged.

pub mod admin;
pub mod approvals;
pub mod calendars;
pub mod document_versions;
pub mod documents;
pub mod feedback;
pub mod follow_up;
pub mod health;
pub mod inbound;
pub mod live;
pub mod macros;
pub mod problems;
pub mod reports;
pub mod retention;
pub mod spikes;
pub mod status;
pub mod surveys;
pub mod tickets;
pub mod track;
pub mod triage;
pub mod users;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{auth, metrics, openapi};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;

/// Everything under `/api/v1`.
fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(inbound::router(state))
        .route(
            "/feedback",
            post(feedback::submit).layer(DefaultBodyLimit::max(feedback::multipart::max_request_bytes())),
        )
        .route("/track/{tracking_no}", get(track::track))
        .route("/status/{token}", get(status::status))
        .route("/status/{token}/messages", post(status::message))
        .route("/openapi.json", get(openapi::document))
        .route("/live", get(live::stream))
        .merge(tickets::router())
        .merge(admin::router())
        .merge(users::router())
        .merge(documents::router())
        .merge(document_versions::router())
        .merge(calendars::router())
        .merge(triage::router())
        .merge(auth::routes::router())
        .merge(approvals::router())
        .merge(reports::router())
        .merge(spikes::router())
        .merge(problems::router())
        .merge(surveys::router())
        .merge(follow_up::router())
        .merge(macros::router())
        .merge(retention::router())
}

async fn no_route() -> ApiError {
    ApiError::NotFound("no such endpoint; see /api/v1/openapi.json".into())
}

async fn no_method() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The whole application router.
pub fn router(state: AppState, with_metrics: bool) -> Router {
    let mut app = Router::new()
        .nest("/api/v1", api(&state))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(crate::web::router());
    if with_metrics {
        app = app.route("/metrics", get(metrics::render));
    }
    app.fallback(no_route)
        .method_not_allowed_fallback(no_method)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .route_layer(axum::middleware::from_fn(crate::trace::request_span))
        .layer(DefaultBodyLimit::max(state.config.limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .with_state(state)
}

/// A router serving only `/metrics` (for a separate internal listener).
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics::render)).with_state(state)
}
