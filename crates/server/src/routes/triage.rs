//! The triage rules' parts and their versions, and retraining the category model. Each
//! part itself is a versioned document (`/triage/rules/{part}`, see [`super::documents`]).

use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::documents::DocumentKind;
use loopdesk_app::triage::engine::RulePart;
use loopdesk_app::triage::retrain;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/triage/rules", get(list)).route("/triage/retrain", post(retrain))
}

async fn list(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<axum::Json<Value>, ApiError> {
    let names = state.read().document_names().await?;
    let parts: Vec<Value> = RulePart::ALL
        .iter()
        .map(|&p| {
            let name = DocumentKind::Triage(p).name();
            let version = names.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v);
            json!({"part": p, "version": version})
        })
        .collect();
    Ok(axum::Json(json!({ "parts": parts })))
}

async fn retrain(State(state): State<AppState>, Admin(_): Admin) -> Result<axum::Json<Value>, ApiError> {
    let r = retrain::retrain(&state).await?;
    Ok(axum::Json(json!({"version": r.version, "examples": r.examples, "corrections": r.corrections})))
}
