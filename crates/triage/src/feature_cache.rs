//! Counted model features of one text, extracted once per feature configuration in use.

use crate::model::TextModel;
use crate::segment::{features, word_pair_features, FeatureConfig};
use crate::vector::{count_features, merge_counts};

/// Counted features of one text, made once per feature configuration the models use.
pub(crate) struct FeatureCache<'a> {
    pub(crate) words: &'a [&'a str],
    pub(crate) text: &'a str,
    pub(crate) made: Vec<(FeatureConfig, Vec<(u32, u32)>)>,
    /// Concept features of the text (see [`concept_features`]).
    pub(crate) concepts: Vec<u32>,
}

/// Model features of the concepts found (each counted twice: a concept stands for a
/// phrase in any language, worth more than one character pair).
pub(crate) fn concept_features(found: &[crate::concepts::Found]) -> Vec<u32> {
    found
        .iter()
        .flat_map(|f| {
            let id = crate::hash::mix64(u64::from(f.key) ^ 0xC0C0_0000_0000) as u32;
            [id, id]
        })
        .collect()
}

impl FeatureCache<'_> {
    pub(crate) fn get(&mut self, cfg: &FeatureConfig) -> &[(u32, u32)] {
        let at = match self.made.iter().position(|(c, _)| c == cfg) {
            Some(i) => i,
            None => {
                let counts = self.make(cfg);
                self.made.push((*cfg, counts));
                self.made.len() - 1
            }
        };
        &self.made[at].1
    }

    /// Word pairs are added to the counts without pairs when those exist already.
    fn make(&mut self, cfg: &FeatureConfig) -> Vec<(u32, u32)> {
        if cfg.concepts {
            let base = self.get(&FeatureConfig { concepts: false, ..*cfg }).to_vec();
            return merge_counts(&base, &count_features(self.concepts.clone()));
        }
        let without_pairs = FeatureConfig { word_bigrams: false, ..*cfg };
        if !cfg.word_bigrams {
            return count_features(features(self.words, self.text, cfg));
        }
        let base = self.get(&without_pairs).to_vec();
        let pairs = count_features(word_pair_features(self.words).collect());
        merge_counts(&base, &pairs)
    }
}

/// Probability of `label`, if the model has it.
pub(crate) fn label_probability(model: &TextModel, label: &str, cache: &mut FeatureCache<'_>) -> Option<f32> {
    let wanted = model.labels().iter().position(|l| l == label)?;
    model.predict_counts(cache.get(model.feature_config())).get(wanted).copied()
}
