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

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/triage/rules", get(list)).route("/triage/retrain", post(retrain))
}

/// A triage rule set and the version in force (0: the built-in defaults).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PartVersion {
    part: RulePart,
    version: i64,
}

/// The triage rule sets.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Parts {
    parts: Vec<PartVersion>,
}

/// What a retraining produced.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RetrainOut {
    /// The new model version.
    version: i64,
    /// Labelled examples trained on.
    examples: usize,
    /// Of which agents' corrections.
    corrections: usize,
}

/// `GET /api/v1/triage/rules`: the rule sets and their versions (supervisors).
#[utoipa::path(get, path = "/triage/rules", tag = "triage", operation_id = "list_rule_sets",
    responses((status = 200, body = Parts), crate::openapi::Errors))]
pub async fn list(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<axum::Json<Parts>, ApiError> {
    let names = state.read().document_names().await?;
    let parts: Vec<PartVersion> = RulePart::ALL
        .iter()
        .map(|&p| {
            let name = DocumentKind::Triage(p).name();
            let version = names.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v);
            PartVersion { part: p, version }
        })
        .collect();
    Ok(axum::Json(Parts { parts }))
}

/// `POST /api/v1/triage/retrain`: retrain the category model with agents' corrections (admins).
#[utoipa::path(post, path = "/triage/retrain", tag = "triage", responses((status = 200, body = RetrainOut), crate::openapi::Errors))]
pub async fn retrain(State(state): State<AppState>, Admin(_): Admin) -> Result<axum::Json<RetrainOut>, ApiError> {
    let r = retrain::retrain(&state).await?;
    Ok(axum::Json(RetrainOut { version: r.version, examples: r.examples, corrections: r.corrections }))
}
