//! The models an engine trains at start-up (category, spam, priority), with the fixed
//! settings of the defaults.

use super::Engine;
use crate::concepts::Concepts;
use crate::error::TriageError;
use crate::feature_cache::{concept_features, label_probability, FeatureCache};
use crate::model::{TextModel, TrainConfig};
use crate::normalize::normalize;
use crate::note_header;
use crate::priority_model::{PriorityExample, PriorityModel};
use crate::segment::{features, FeatureConfig, Segmenter};
use crate::signals::Signals;
use crate::training::TrainingSet;

impl Engine {
    /// Trains the priority model on the labelled feedback that has a priority (spam left
    /// out: moderation handles it), reading each text's signals as [`Engine::analyze`] does.
    pub fn train_priority_model(&self, set: &TrainingSet) -> Result<PriorityModel, TriageError> {
        let examples: Vec<PriorityExample<'_>> = set
            .feedback
            .iter()
            .filter(|e| !e.spam)
            .filter_map(|e| {
                let priority = e.base_priority()?;
                let (counts, signals) = self.counts_and_signals(&e.text);
                Some(PriorityExample { counts, signals, category: &e.category, priority })
            })
            .zip(set.feedback.iter().filter(|e| !e.spam && e.base_priority().is_some()))
            .flat_map(|(example, e)| std::iter::repeat_n(example, e.weight.max(1) as usize))
            .collect();
        PriorityModel::train(&examples)
    }

    /// The priority model's text features and the signals of a raw text.
    pub(super) fn counts_and_signals(&self, text: &str) -> (Vec<(u32, u32)>, Signals) {
        let norm = normalize(text, self.config.max_chars);
        let words = self.segmenter.words(&norm);
        let [signal_hits, _, _, concept_hits] = self.split_hits(&norm.text);
        let concepts = concept_features(&self.find_concepts(&concept_hits, &norm.text));
        // As `analyze` does: the models read a staff note without its header.
        let body = note_header::body_start(&norm.text);
        let model_words = note_header::words_after(&words, &norm.text, body);
        let mut cache = FeatureCache { words: &model_words, text: &norm.text[body..], made: Vec::new(), concepts };
        let negative_tone = self.sentiment.as_ref().and_then(|m| label_probability(m, "negative", &mut cache));
        let signals = self.signals.detect_hits(&signal_hits, &norm.text, negative_tone);
        (cache.get(&PriorityModel::feature_config()).to_vec(), signals)
    }

    /// Trains a category model from `(text, label)` pairs with this engine's segmenter
    /// (the fixed settings of the default models, see `model_config`).
    pub fn train_category_model(&self, examples: &[(&str, &str)]) -> Result<TextModel, TriageError> {
        self.train_category_model_with(examples, &model_config())
    }

    /// Trains a category model with other settings (to compare settings by
    /// cross-validation; the engine's own models use `model_config`).
    pub fn train_category_model_with(
        &self,
        examples: &[(&str, &str)],
        cfg: &TrainConfig,
    ) -> Result<TextModel, TriageError> {
        let feats = |text: &str, cfg: &FeatureConfig| model_features(&self.segmenter, &self.concepts, text, cfg);
        train_plain(examples, cfg, &feats)
    }
}

/// Settings of the category and spam models: words, character 1–2-grams and concepts,
/// regression blended with naive Bayes. Fixed rather than chosen per training run on a
/// validation slice: with a few hundred examples that choice flipped with single examples
/// (cross-validation inside the training half, `devscore --exclude`, preferred these
/// settings; a stronger penalty did not help).
pub(super) fn model_config() -> TrainConfig {
    TrainConfig { features: FeatureConfig { concepts: true, ..FeatureConfig::default() }, ..TrainConfig::default() }
}

/// A model's features of a raw text: the segmenter's, plus concepts when asked.
pub(super) fn model_features(seg: &Segmenter, concepts: &Concepts, text: &str, cfg: &FeatureConfig) -> Vec<u32> {
    let norm = normalize(text, crate::normalize::DEFAULT_MAX_CHARS);
    let words = seg.words(&norm);
    let body = note_header::body_start(&norm.text);
    let mut out = features(&note_header::words_after(&words, &norm.text, body), &norm.text[body..], cfg);
    if cfg.concepts {
        out.extend(concept_features(&concepts.find(&norm.text)));
    }
    out
}

/// Trains with fixed settings on features made by `feats`.
pub(super) fn train_plain(
    examples: &[(&str, &str)],
    cfg: &TrainConfig,
    feats: &dyn Fn(&str, &FeatureConfig) -> Vec<u32>,
) -> Result<TextModel, TriageError> {
    let docs: Vec<Vec<u32>> = examples.iter().map(|(t, _)| feats(t, &cfg.features)).collect();
    let labels: Vec<&str> = examples.iter().map(|(_, l)| *l).collect();
    TextModel::train_features(&docs, &labels, cfg)
}
