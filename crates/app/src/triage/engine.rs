//! The triage engine in effect: the embedded defaults, overridden by the admin-edited rule
//! documents (taxonomy, signal lists, moderation lists, priority rules — versioned in the
//! documents store) and the newest retrained category model. Every node reloads it when a
//! version changes, so an edit takes effect without a restart.

use crate::documents::DocumentKind;
use crate::error::AppError;
use crate::triage::default_engine;
use crate::App;
use loopdesk_store::Reader;
use loopdesk_triage::moderation::ModerationLists;
use loopdesk_triage::signals::SignalLists;
use loopdesk_triage::{Engine, PriorityRules, Taxonomy, TextModel, TriageError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, Mutex, RwLock};

/// Kind of the category model in the model table.
pub const CATEGORY_MODEL: &str = "category";

loopdesk_core::named_enum! {
    /// An admin-editable part of the triage rules, one versioned document each.
    RulePart {
        Taxonomy = "taxonomy",
        Signals = "signals",
        Moderation = "moderation",
        PriorityRules = "priority-rules",
    }
}

impl RulePart {
    /// The embedded default body.
    pub fn defaults(self) -> Result<Value, TriageError> {
        fn json<T: Serialize>(v: T) -> Value {
            serde_json::to_value(v).unwrap_or(Value::Null)
        }
        Ok(match self {
            RulePart::Taxonomy => json(Taxonomy::defaults()?),
            RulePart::Signals => json(SignalLists::defaults()?),
            RulePart::Moderation => json(ModerationLists::defaults()?),
            RulePart::PriorityRules => json(PriorityRules::defaults()?),
        })
    }

    /// Applies `body` (with its record version set to `version`) to `engine`; an error
    /// names what is wrong with the body.
    pub fn apply(self, engine: Engine, body: &Value, version: i64) -> Result<Engine, AppError> {
        let version = u32::try_from(version).unwrap_or(u32::MAX);
        match self {
            RulePart::Taxonomy => {
                let mut t: Taxonomy = parse(body)?;
                t.version = version;
                let (model, config) = (engine.category_model().cloned(), engine.config().classify);
                engine.with_classifier(t, model, config).map_err(invalid)
            }
            RulePart::Signals => {
                let mut l: SignalLists = parse(body)?;
                l.version = version;
                engine.with_signal_lists(&l).map_err(invalid)
            }
            RulePart::Moderation => {
                let mut l: ModerationLists = parse(body)?;
                l.version = version;
                engine.with_moderation_lists(l).map_err(invalid)
            }
            RulePart::PriorityRules => {
                let mut r: PriorityRules = parse(body)?;
                r.version = version;
                let json = serde_json::to_string(&r).map_err(|e| AppError::invalid("body", e.to_string()))?;
                // Parsing from JSON runs the rule set's own validation.
                Ok(engine.with_priority_rules(PriorityRules::from_json(&json).map_err(invalid)?))
            }
        }
    }
}

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, AppError> {
    T::deserialize(body).map_err(|e| AppError::invalid("body", e.to_string()))
}

fn invalid(e: TriageError) -> AppError {
    AppError::invalid("body", e.to_string())
}

/// Which document and model versions an engine was built from.
type Fingerprint = (Vec<(String, i64)>, Option<i64>);

async fn fingerprint(store: &Reader) -> Result<Fingerprint, AppError> {
    let docs = store.document_names().await?.into_iter().filter(|(n, _)| n.starts_with("triage.")).collect();
    Ok((docs, store.latest_model_version(CATEGORY_MODEL).await?))
}

/// Builds the engine in effect from the stored documents and the newest model.
pub async fn load_engine(store: &Reader) -> Result<Arc<Engine>, AppError> {
    Ok(Arc::new(build(store).await?))
}

async fn build(store: &Reader) -> Result<Engine, AppError> {
    let mut engine = default_engine().map_err(|e| AppError::internal(e.to_string()))?.as_ref().clone();
    if let Some((version, json)) = store.latest_model(CATEGORY_MODEL).await? {
        let model = TextModel::from_json(&json).map_err(|e| AppError::internal(e.to_string()))?;
        engine = engine
            .clone()
            .with_classifier(engine.taxonomy().clone(), Some(model), engine.config().classify)
            .map_err(|e| AppError::internal(e.to_string()))?;
        tracing::info!(version, "loaded retrained category model");
    }
    for &part in RulePart::ALL {
        if let Some(doc) = store.document(&DocumentKind::Triage(part).name()).await? {
            engine = part.apply(engine, &doc.body, doc.version)?;
        }
    }
    Ok(engine)
}

/// The engine every handler uses, swapped in place when rules or models change.
#[derive(Clone)]
pub struct TriageSlot {
    engine: Arc<RwLock<Arc<Engine>>>,
    built_from: Arc<Mutex<Option<Fingerprint>>>,
}

impl TriageSlot {
    /// A slot holding `engine` (built from versions not yet known: the first
    /// [`TriageSlot::reload_if_changed`] rebuilds it).
    pub fn new(engine: Arc<Engine>) -> TriageSlot {
        TriageSlot { engine: Arc::new(RwLock::new(engine)), built_from: Arc::default() }
    }

    /// The engine in effect now.
    pub fn current(&self) -> Arc<Engine> {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Rebuilds the engine if a rule document or the model changed since it was built;
    /// returns whether it did.
    pub async fn reload_if_changed(&self, store: &Reader) -> Result<bool, AppError> {
        let now = fingerprint(store).await?;
        if self.built_from.lock().unwrap_or_else(|p| p.into_inner()).as_ref() == Some(&now) {
            return Ok(false);
        }
        let engine = Arc::new(build(store).await?);
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = engine;
        *self.built_from.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        Ok(true)
    }
}

/// Whether agents corrected categories since the newest model and it is old enough.
async fn retrain_due(app: &App) -> Result<bool, AppError> {
    let hours = app.config.triage.retrain_hours;
    if hours == 0 {
        return Ok(false);
    }
    let last = app.read().latest_model_at(CATEGORY_MODEL).await?;
    let old_enough = last.is_none_or(|at| app.now() - at >= chrono::Duration::hours(hours as i64));
    let since = last.unwrap_or(chrono::DateTime::UNIX_EPOCH);
    Ok(old_enough && app.read().corrections_since(since).await? > 0)
}

/// One round of upkeep: retrain when due, then pick up any new rule or model version.
pub async fn upkeep(app: &App) -> Result<(), AppError> {
    if retrain_due(app).await? {
        match super::retrain::retrain(app).await {
            Ok(r) => tracing::info!(version = r.version, corrections = r.corrections, "retrained the category model"),
            // Another node saved the same version first: its model is as good.
            Err(AppError::Conflict { code: "duplicate", .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if app.triage.reload_if_changed(app.read()).await? {
        tracing::info!("triage rules or model changed; engine reloaded");
    }
    Ok(())
}

/// Runs [`upkeep`] every `triage.reload_seconds` for the life of the server.
pub async fn maintain(app: App) {
    let period = std::time::Duration::from_secs(app.config.triage.reload_seconds.max(1));
    loop {
        tokio::time::sleep(period).await;
        if let Err(e) = upkeep(&app).await {
            tracing::warn!(error = %e, "triage upkeep failed");
        }
    }
}
