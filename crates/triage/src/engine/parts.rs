//! Replacing the lists, models, rules and limits of a built engine (e.g. a version from
//! the database), and reading the ones in use.

use super::Engine;
use crate::analysis::EngineConfig;
use crate::classify::{Classifier, ClassifyConfig};
use crate::cluster::ClusterConfig;
use crate::concepts::Concepts;
use crate::error::TriageError;
use crate::minhash::{MinHashConfig, MinHasher};
use crate::model::TextModel;
use crate::moderation::{ModerationLists, Moderator};
use crate::priority::PriorityRules;
use crate::priority_model::PriorityModel;
use crate::segment::Segmenter;
use crate::signals::{SignalDetector, SignalLists};
use crate::taxonomy::Taxonomy;

impl Engine {
    /// Replaces the concept lexicon.
    pub fn with_concepts(mut self, concepts: Concepts) -> Engine {
        self.concepts = concepts;
        match self.joint_scan() {
            Ok((scan, offsets)) => {
                self.scan = scan;
                self.scan_offsets = offsets;
                self.concepts_scanned = true;
            }
            Err(_) => self.concepts_scanned = false,
        }
        self
    }

    /// The concept lexicon in use.
    pub fn concepts(&self) -> &Concepts {
        &self.concepts
    }

    /// Replaces the priority model (`None`: the category's base priority and the rules).
    pub fn with_priority_model(mut self, model: Option<PriorityModel>) -> Engine {
        self.priority_model = model;
        self.rebank()
    }

    /// Replaces the taxonomy and/or category model (e.g. a version from the database).
    pub fn with_classifier(
        mut self,
        taxonomy: Taxonomy,
        model: Option<TextModel>,
        config: ClassifyConfig,
    ) -> Result<Engine, TriageError> {
        self.classifier = Classifier::new(taxonomy, model, config)?;
        self.config.classify = config;
        Ok(self.rescan()?.rebank())
    }

    /// Replaces the complaint-tone model (`None` turns it off).
    pub fn with_sentiment(mut self, model: Option<TextModel>) -> Engine {
        self.sentiment = model;
        self.rebank()
    }

    /// Adds a spam model (labels `spam` and `ham`), e.g. trained on the SpamAssassin
    /// corpus; moderation then rejects above `spam_reject_probability`.
    pub fn with_spam_model(mut self, model: Option<TextModel>) -> Engine {
        self.spam = model;
        self.rebank()
    }

    /// Replaces the signal lists.
    pub fn with_signal_lists(mut self, lists: &SignalLists) -> Result<Engine, TriageError> {
        self.signals = SignalDetector::new(lists)?;
        self.rescan()
    }

    /// Replaces the moderation lists.
    pub fn with_moderation_lists(mut self, lists: ModerationLists) -> Result<Engine, TriageError> {
        self.moderator = Moderator::new(lists)?;
        self.rescan()
    }

    /// Replaces the priority rules.
    pub fn with_priority_rules(mut self, rules: PriorityRules) -> Engine {
        self.rules = rules;
        self
    }

    /// Replaces the length limit, signature shape and cluster thresholds.
    pub fn with_limits(mut self, max_chars: usize, minhash: MinHashConfig, cluster: ClusterConfig) -> Engine {
        self.config.max_chars = max_chars.max(1);
        self.config.minhash = minhash;
        self.config.cluster = cluster;
        self.minhasher = MinHasher::new(minhash);
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The segmenter (for training and for full-text indexing of other text).
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The category model in use (to store as a version).
    pub fn category_model(&self) -> Option<&TextModel> {
        self.classifier.model()
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        self.classifier.taxonomy()
    }

    /// The moderator (for masking insults in lists).
    pub fn moderator(&self) -> &Moderator {
        &self.moderator
    }

    /// The priority rules in use.
    pub fn priority_rules(&self) -> &PriorityRules {
        &self.rules
    }
}
