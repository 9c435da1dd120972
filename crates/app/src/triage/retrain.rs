//! Retraining the category model on the shipped examples plus every correction agents
//! made, stored as a new version every node then loads.

use super::default_engine;
use crate::{App, AppError};

/// What a retrain produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retrained {
    pub version: i64,
    pub examples: usize,
    pub corrections: usize,
}

/// Trains the category model on the shipped labelled examples plus every correction agents
/// made (re-categorised tickets), stores it as a new version and puts it in force here.
pub async fn retrain(app: &App) -> Result<Retrained, AppError> {
    let engine = default_engine().map_err(|e| AppError::internal(e.to_string()))?;
    let corrections = app.read().category_corrections().await?;
    // The shipped labelled sets (the team's examples and the training half of the
    // development set), plus the corrections.
    let base = loopdesk_triage::TrainingSet::embedded().map_err(|e| AppError::internal(e.to_string()))?;
    let n_corrections = corrections.len();
    let trained = tokio::task::spawn_blocking(move || {
        let mut pairs: Vec<(&str, &str)> = base.category_pairs();
        pairs.extend(corrections.iter().map(|(t, c)| (t.as_str(), c.as_str())));
        let examples = pairs.len();
        engine.train_category_model(&pairs).and_then(|m| m.to_json()).map(|json| (json, examples))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::internal(e.to_string()))?;
    let (json, examples) = trained;
    let version =
        app.store.save_model(super::engine::CATEGORY_MODEL, examples, n_corrections, &json, app.now()).await?;
    app.triage.reload_if_changed(app.read()).await?;
    Ok(Retrained { version, examples, corrections: n_corrections })
}
