//! Liveness and readiness.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use loopdesk_app::portal::links;
use serde_json::{json, Value};

/// `GET /healthz`: the process answers.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers too. `details.calendar_schedules` lists the
/// calendars whose official holiday schedule ends within 90 days or has ended (their later
/// holidays are provisional), and `details.public_url` the address customer links are built
/// on (with a warning while none is configured): warnings for operators, not a reason to
/// take the node out.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.read().ping().await {
        Ok(()) => {
            let schedules = loopdesk_app::sla::schedule_watch::warnings(&state);
            let public_url = match links::configured(&state.config) {
                Some(url) => json!({ "configured": true, "url": url }),
                None => {
                    json!({ "configured": false, "url": links::base(&state.config), "warning": links::NO_PUBLIC_URL })
                }
            };
            let details = json!({ "calendar_schedules": schedules, "public_url": public_url });
            (StatusCode::OK, Json(json!({ "status": "ready", "details": details })))
        }
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "code": "unavailable", "message": "database not reachable" })),
            )
        }
    }
}
