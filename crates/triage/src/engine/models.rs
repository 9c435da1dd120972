//! The model pass: every model (tone, category, spam, priority) over a text's features,
//! in one pass when they read the same features.

use super::Engine;
use crate::bank::{base_config, ModelBank, SLOTS};
use crate::concepts::Found;
use crate::feature_cache::{concept_features, FeatureCache};
use crate::model::{Sums, TextModel};
use crate::priority_model::PriorityModel;
use crate::segment::features;
use crate::vector::count_unsorted;
use std::sync::Arc;

/// What the models say about one text.
pub(super) struct ModelRun {
    /// Probability of a negative (complaint) tone.
    pub(super) negative_tone: Option<f32>,
    /// Category probabilities, in the category model's label order.
    pub(super) category: Option<Vec<f32>>,
    /// Probability of spam.
    pub(super) spam: Option<f32>,
    /// The priority model's sums over the text (signals and category are added later).
    pub(super) priority: Option<Sums>,
}

/// Probability of `label` in a model's output.
fn probability_of(model: &TextModel, probs: &[f32], label: &str) -> Option<f32> {
    probs.get(model.labels().iter().position(|l| l == label)?).copied()
}

impl Engine {
    /// The models in slot order of [`ModelBank`].
    pub(super) fn models(&self) -> [Option<&TextModel>; SLOTS] {
        [
            self.sentiment.as_ref(),
            self.classifier.model(),
            self.spam.as_ref(),
            self.priority_model.as_ref().map(PriorityModel::text_model),
        ]
    }

    /// Rebuilds the joint pass after a model changed.
    pub(super) fn rebank(mut self) -> Engine {
        self.bank = ModelBank::new(self.models()).map(Arc::new);
        self
    }

    /// Runs the models over a text's features: in one pass when they read the same ones,
    /// else each on its own.
    pub(super) fn run_models(&self, words: &[&str], text: &str, found: &[Found]) -> ModelRun {
        let Some(bank) = &self.bank else {
            let mut cache = FeatureCache { words, text, made: Vec::new(), concepts: concept_features(found) };
            let mut probs = |m: Option<&TextModel>| m.map(|m| m.predict_counts(cache.get(m.feature_config())));
            let tone = probs(self.sentiment.as_ref());
            let category = probs(self.classifier.model());
            let spam = probs(self.spam.as_ref());
            let priority =
                self.priority_model.as_ref().map(|m| m.text_sums(cache.get(&PriorityModel::feature_config())));
            return ModelRun {
                negative_tone: self.sentiment.as_ref().zip(tone).and_then(|(m, p)| probability_of(m, &p, "negative")),
                category,
                spam: self.spam.as_ref().zip(spam).and_then(|(m, p)| probability_of(m, &p, "spam")),
                priority,
            };
        };
        let base = count_unsorted(&features(words, text, &base_config()));
        let concepts = count_unsorted(&concept_features(found));
        let models = self.models();
        let [tone, category, spam, priority] = bank.run(models, &base, &concepts);
        let probs = |slot: usize, sums: Option<Sums>| Some(models[slot]?.finish(&sums?));
        ModelRun {
            negative_tone: probs(0, tone).and_then(|p| probability_of(models[0]?, &p, "negative")),
            category: probs(1, category),
            spam: probs(2, spam).and_then(|p| probability_of(models[2]?, &p, "spam")),
            priority,
        }
    }
}
