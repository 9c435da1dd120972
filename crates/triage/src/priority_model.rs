//! Priority learned from labelled feedback: a text model over the words plus the signals
//! that fired and the category, so that a serious report in words no list holds still
//! gets its priority, and a calm question with an alarming word does not. The rules keep
//! the last word (see [`crate::priority`]): the model's vote replaces only the category's
//! base priority, and signal rules can still raise it.

use crate::error::TriageError;
use crate::hash::hash_str;
use crate::model::{argmax, merge_counts, Sums, TextModel, TrainConfig};
use crate::segment::FeatureConfig;
use crate::signals::{Intent, SignalKind, Signals};
use crate::vector::count_features;
use loopdesk_core::Priority;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What the model says about one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelVote {
    /// The most likely priority.
    pub priority: Priority,
    /// Its probability.
    pub probability: f32,
    /// Probability that the ticket is urgent or high.
    pub serious: f32,
}

/// The learned priority model.
#[derive(Debug, Clone)]
pub struct PriorityModel {
    model: TextModel,
}

/// Seed of the hashed signal and category features (apart from the text's).
const EXTRA_SEED: u8 = 21;

/// Features beyond the text: each signal that fired, the intent and the category.
fn extra_features(signals: &Signals, category: &str) -> Vec<(u32, u32)> {
    // The stated tier is left out: the `vip_stated` rule raises for it, once.
    // The signal and intent ids are the same for every text: hashed once.
    static IDS: OnceLock<(Vec<u32>, [u32; 3])> = OnceLock::new();
    let (signal_ids, intent_ids) = IDS.get_or_init(|| {
        let signal = SignalKind::ALL.iter().map(|k| hash_str(EXTRA_SEED, &format!("signal:{k:?}")) as u32).collect();
        let intent = [Intent::Inquiry, Intent::Complaint, Intent::Feedback]
            .map(|i| hash_str(EXTRA_SEED, &format!("intent:{i:?}")) as u32);
        (signal, intent)
    });
    let mut ids: Vec<u32> = signals
        .fired
        .iter()
        .filter(|s| s.kind != SignalKind::StatedTier)
        .filter_map(|s| signal_ids.get(SignalKind::ALL.iter().position(|k| *k == s.kind)?).copied())
        .collect();
    let intent = match signals.intent {
        Intent::Inquiry => intent_ids[0],
        Intent::Complaint => intent_ids[1],
        Intent::Feedback => intent_ids[2],
    };
    ids.push(intent);
    ids.push(hash_str(EXTRA_SEED, &format!("category:{category}")) as u32);
    // Weighted like several words: one signal should count as much as a telling phrase.
    count_features(ids).into_iter().map(|(id, n)| (id, n * 3)).collect()
}

/// Signals without one of which the model's vote is never urgent.
const URGENT_SIGNALS: [SignalKind; 3] = [SignalKind::Safety, SignalKind::Privacy, SignalKind::ManyAffected];

/// One training example: the text's counted features, its signals and category, and the
/// labelled priority.
#[derive(Clone)]
pub struct PriorityExample<'a> {
    pub counts: Vec<(u32, u32)>,
    pub signals: Signals,
    pub category: &'a str,
    pub priority: Priority,
}

impl PriorityModel {
    /// The text features the model reads (extracted once, shared with the other models).
    pub fn feature_config() -> FeatureConfig {
        FeatureConfig { concepts: true, ..FeatureConfig::default() }
    }

    /// Trains on labelled examples.
    pub fn train(examples: &[PriorityExample<'_>]) -> Result<PriorityModel, TriageError> {
        let docs: Vec<Vec<u32>> = examples
            .iter()
            .map(|e| {
                let all = merge_counts(&e.counts, &extra_features(&e.signals, e.category));
                all.into_iter().flat_map(|(id, n)| std::iter::repeat_n(id, n as usize)).collect()
            })
            .collect();
        let labels: Vec<&str> = examples.iter().map(|e| e.priority.as_str()).collect();
        // A stronger penalty than the category model's: priorities are noisier labels, and
        // a calmer model leaves room for the "possibly serious" floor (cross-validated
        // inside the training half).
        let cfg = TrainConfig { features: Self::feature_config(), l2: 1e-2, ..TrainConfig::default() };
        Ok(PriorityModel { model: TextModel::train_features(&docs, &labels, &cfg)? })
    }

    /// The vote for a text with these counted features, signals and category.
    pub fn vote(&self, counts: &[(u32, u32)], signals: &Signals, category: &str) -> Option<ModelVote> {
        self.vote_sums(&self.text_sums(counts), signals, category)
    }

    /// The model's running sums over a text's counted features (see [`PriorityModel::vote_sums`]).
    pub(crate) fn text_sums(&self, counts: &[(u32, u32)]) -> Sums {
        let mut sums = self.model.sums();
        for &(f, c) in counts {
            self.model.add(&mut sums, f, c);
        }
        sums
    }

    /// The model, for a pass that runs several models at once.
    pub(crate) fn text_model(&self) -> &TextModel {
        &self.model
    }

    /// The vote from the sums over the text's features, adding the signals and category:
    /// the text's part is summed once for both the category and the runner-up's vote.
    pub(crate) fn vote_sums(&self, text: &Sums, signals: &Signals, category: &str) -> Option<ModelVote> {
        let mut sums = text.clone();
        for (f, c) in extra_features(signals, category) {
            self.model.add(&mut sums, f, c);
        }
        let probs = self.model.finish(&sums);
        let (best, probability) = argmax(&probs);
        let labels = self.model.labels();
        let mut priority = Priority::parse(labels.get(best)?)?;
        // Urgent is for hazards, outages and leaks: without a signal of one, the words
        // alone ("打不着火" shares characters with "着火") say at most high.
        if priority == Priority::Urgent && !URGENT_SIGNALS.iter().any(|k| signals.has(*k)) {
            priority = Priority::High;
        }
        let serious = labels
            .iter()
            .zip(&probs)
            .filter(|(l, _)| matches!(Priority::parse(l), Some(Priority::Urgent | Priority::High)))
            .map(|(_, p)| p)
            .sum();
        Some(ModelVote { priority, probability, serious })
    }
}
