//! Every model of the engine in one pass over a text's features: one look-up per feature
//! for all of them instead of one per feature and model (the look-ups were a fifth of an
//! analysis, `profile_loop`), no merged copy of the feature list per model, and each
//! feature's weights for every model side by side in memory (one block, read in order,
//! rather than a cache miss per model).

use crate::hash::PassThrough;
use crate::model::{Sums, TextModel};
use crate::segment::FeatureConfig;
use std::collections::HashMap;

/// Models of the engine, in slot order: complaint tone, category, spam, priority.
pub(crate) const SLOTS: usize = 4;

/// The union of the models' features. A feature's [`Entry`] points at its block in
/// `blocks`: the packed rows of the models that know it, in slot order, each
/// `strides[slot]` long.
#[derive(Debug, Clone)]
pub(crate) struct ModelBank {
    /// Feature id → its block (start and models in the map itself: one cache miss per
    /// feature, not three).
    entries: HashMap<u32, Entry, PassThrough>,
    blocks: Vec<f32>,
    strides: [usize; SLOTS],
    /// Which slots read concept features too.
    concepts: [bool; SLOTS],
}

/// Features looked up ahead of their sums.
const CHUNK: usize = 64;

/// Where a feature's block starts and which models (bit `slot`) have a row in it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    present: u8,
}

/// The features the shared pass makes: words and character 1–2-grams (concepts apart).
pub(crate) fn base_config() -> FeatureConfig {
    FeatureConfig { concepts: false, ..FeatureConfig::default() }
}

impl ModelBank {
    /// The bank of `models`; `None` when one reads features the shared pass does not make
    /// (word pairs, say, from a model an admin trained with other settings): such models
    /// are then run one by one.
    pub(crate) fn new(models: [Option<&TextModel>; SLOTS]) -> Option<ModelBank> {
        let mut concepts = [false; SLOTS];
        for (slot, model) in models.iter().enumerate() {
            if let Some(m) = model {
                let cfg = *m.feature_config();
                if (FeatureConfig { concepts: false, ..cfg }) != base_config() {
                    return None;
                }
                concepts[slot] = cfg.concepts;
            }
        }
        let mut ids: Vec<u32> = models.iter().flatten().flat_map(|m| m.feature_ids().iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut strides = [0; SLOTS];
        for (stride, m) in strides.iter_mut().zip(&models) {
            *stride = m.map_or(0, TextModel::packed_stride);
        }
        let mut entries: HashMap<u32, Entry, PassThrough> = HashMap::default();
        entries.reserve(ids.len());
        let mut blocks = Vec::new();
        for &id in &ids {
            let start = u32::try_from(blocks.len()).ok()?;
            let mut bits = 0u8;
            for (slot, m) in models.iter().enumerate() {
                if let Some((m, row)) = m.and_then(|m| Some((m, m.row(id)?))) {
                    bits |= 1 << slot;
                    blocks.extend_from_slice(m.packed_row(row));
                }
            }
            entries.insert(id, Entry { start, present: bits });
        }
        Some(ModelBank { entries, blocks, strides, concepts })
    }

    /// Runs every model over a text's counted `base` features ([`base_config`]) and, for
    /// the models that read them, its counted `concepts`.
    pub(crate) fn run(
        &self,
        models: [Option<&TextModel>; SLOTS],
        base: &[(u32, u32)],
        concepts: &[(u32, u32)],
    ) -> [Option<Sums>; SLOTS] {
        let mut sums: [Option<Sums>; SLOTS] = models.map(|m| m.map(TextModel::sums));
        let base_total: u32 = base.iter().map(|c| c.1).sum();
        let concept_total: u32 = concepts.iter().map(|c| c.1).sum();
        for (s, with_concepts) in sums.iter_mut().zip(self.concepts) {
            if let Some(s) = s {
                s.total = base_total + if with_concepts { concept_total } else { 0 };
            }
        }
        // Two passes over each chunk of features: the entries first (independent look-ups
        // whose cache misses overlap, each block fetched ahead), then the sums. Chunks on
        // the stack: no allocation per text.
        let mut chunk = [(Entry { start: 0, present: 0 }, 0u32, false); CHUNK];
        let mut filled = 0;
        let tagged = base.iter().map(|f| (f, false)).chain(concepts.iter().map(|f| (f, true)));
        for (&(f, c), only_concepts) in tagged {
            if let Some(&entry) = self.entries.get(&f) {
                prefetch(&self.blocks, entry.start as usize);
                chunk[filled] = (entry, c, only_concepts);
                filled += 1;
                if filled == CHUNK {
                    self.add(&mut sums, &chunk);
                    filled = 0;
                }
            }
        }
        self.add(&mut sums, &chunk[..filled]);
        sums
    }

    /// Adds looked-up features to the models' sums, in order.
    fn add(&self, sums: &mut [Option<Sums>; SLOTS], features: &[(Entry, u32, bool)]) {
        for &(entry, c, only_concepts) in features {
            let mut at = entry.start as usize;
            for (slot, sum) in sums.iter_mut().enumerate() {
                if entry.present & (1 << slot) == 0 {
                    continue;
                }
                let row = &self.blocks[at..at + self.strides[slot]];
                at += self.strides[slot];
                if only_concepts && !self.concepts[slot] {
                    continue;
                }
                if let Some(s) = sum.as_mut() {
                    s.add_row(row, c);
                }
            }
        }
    }
}

/// Asks for the cache line of `blocks[at]` ahead of its use (a hint; nothing elsewhere).
#[inline(always)]
fn prefetch(blocks: &[f32], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = blocks.get(at) {
        // SAFETY: a prefetch reads nothing and faults on no address; this one is in bounds.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((v as *const f32).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (blocks, at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrainConfig;
    use crate::vector::{count_features, merge_counts};

    fn model(docs: &[Vec<u32>], labels: &[&str], concepts: bool) -> TextModel {
        let features = FeatureConfig { concepts, ..FeatureConfig::default() };
        TextModel::train_features(docs, labels, &TrainConfig { features, ..TrainConfig::default() }).unwrap()
    }

    #[test]
    fn one_pass_gives_each_models_own_prediction() {
        let docs = vec![vec![1, 2, 3], vec![4, 5, 1000], vec![6, 2, 7], vec![8, 9, 1001]];
        let tone = model(&docs[..2], &["negative", "positive"], false);
        let topic = model(&docs, &["a", "b", "c", "d"], true);
        let bank = ModelBank::new([Some(&tone), Some(&topic), None, None]).unwrap();
        let base = count_features(vec![1, 2, 2, 9, 77]);
        let concepts = count_features(vec![1000, 1000]);
        let [t, c, spam, prio] = bank.run([Some(&tone), Some(&topic), None, None], &base, &concepts);
        assert!(spam.is_none() && prio.is_none());
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
        assert!(close(&tone.finish(&t.unwrap()), &tone.predict_counts(&base)));
        let all = merge_counts(&base, &concepts);
        assert!(close(&topic.finish(&c.unwrap()), &topic.predict_counts(&all)));
    }

    #[test]
    fn models_with_other_features_are_left_to_run_alone() {
        let docs = vec![vec![1, 2], vec![3, 4]];
        let features = FeatureConfig { word_bigrams: true, ..FeatureConfig::default() };
        let pairs = TextModel::train_features(&docs, &["a", "b"], &TrainConfig { features, ..TrainConfig::default() });
        assert!(ModelBank::new([pairs.as_ref().ok(), None, None, None]).is_none());
    }
}
