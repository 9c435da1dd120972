//! The statistical text model: multinomial logistic regression over hashed, TF-IDF
//! weighted word and character n-gram features, trained by SGD. Serialisable with serde so
//! the server can keep versions in the database; learns any label set.

use crate::error::TriageError;
use crate::hash::{PassThrough, SplitMix};
use crate::normalize::{normalize, DEFAULT_MAX_CHARS};
use crate::segment::{features, FeatureConfig, Segmenter};
pub use crate::vector::{argmax, count_features, merge_counts};
use crate::vector::{scores, softmax, sublinear_tf, vectorize, FeatureIndex};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Passes over the data.
    pub epochs: usize,
    /// Initial SGD step.
    pub learning_rate: f32,
    /// L2 penalty per step on touched weights.
    pub l2: f32,
    /// Features seen in fewer documents are dropped.
    pub min_df: u32,
    /// Shuffle seed (training is deterministic).
    pub seed: u64,
    /// Which features to extract.
    pub features: FeatureConfig,
    /// Naive Bayes smoothing.
    pub nb_alpha: f32,
    /// Weight of naive Bayes log-likelihoods in the blend (0: regression only).
    pub nb_weight: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            learning_rate: 2.0,
            l2: 3e-4,
            min_df: 1,
            seed: 42,
            features: FeatureConfig::default(),
            nb_alpha: 0.1,
            nb_weight: 0.5,
        }
    }
}

/// The stored form of a model (what serde reads and writes).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModelFile {
    format: u32,
    labels: Vec<String>,
    features: FeatureConfig,
    feature_ids: Vec<u32>,
    idf: Vec<f32>,
    weights: Vec<f32>,
    bias: Vec<f32>,
    /// Naive Bayes log-likelihoods per feature and class, blended with the regression.
    #[serde(default)]
    nb: Vec<f32>,
    /// Weight of the naive Bayes part (0 disables it).
    #[serde(default)]
    nb_weight: f32,
}

/// A trained classifier; `serde_json` round-trips it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ModelFile", into = "ModelFile")]
pub struct TextModel {
    file: ModelFile,
    index: FeatureIndex,
    /// Per feature row `[idf, weights…, naive Bayes…]` (see [`Packed`]).
    packed: Packed,
}

/// `out += a · x`, unrolled for the label counts of the shipped models (tone and spam 2,
/// priority 4, categories 10): a loop of unknown length over a few floats cost more in
/// loop control than in arithmetic, and this runs for every feature of every model.
#[inline]
fn axpy(out: &mut [f32], x: &[f32], a: f32) {
    #[inline(always)]
    fn fixed<const K: usize>(out: &mut [f32], x: &[f32], a: f32) -> bool {
        match (<&mut [f32; K]>::try_from(out), <&[f32; K]>::try_from(x)) {
            (Ok(out), Ok(x)) => {
                for j in 0..K {
                    out[j] += a * x[j];
                }
                true
            }
            _ => false,
        }
    }
    let done = match out.len() {
        2 => fixed::<2>(out, x, a),
        4 => fixed::<4>(out, x, a),
        10 => fixed::<10>(out, x, a),
        _ => false,
    };
    if !done {
        for (o, w) in out.iter_mut().zip(x) {
            *o += a * w;
        }
    }
}

/// Running sums of one prediction: regression scores (unscaled) then naive Bayes scores,
/// the squared norm of the TF-IDF vector and the number of feature occurrences.
#[derive(Debug, Clone)]
pub(crate) struct Sums {
    acc: Vec<f32>,
    norm: f32,
    pub(crate) total: u32,
}

impl Sums {
    /// Adds `count` occurrences of a feature, given its packed row `[idf, weights…,
    /// naive Bayes…]` (the Bayes part absent when the model has none).
    #[inline]
    pub(crate) fn add_row(&mut self, row: &[f32], count: u32) {
        let k = self.acc.len() / 2;
        let v = sublinear_tf(count) * row[0];
        self.norm += v * v;
        let (linear, bayes) = self.acc.split_at_mut(k);
        axpy(linear, &row[1..=k], v);
        if row.len() > k + 1 {
            axpy(bayes, &row[1 + k..], count as f32);
        }
    }
}

/// The arrays prediction reads, one contiguous row per feature: a feature's idf, its
/// regression weights and its naive Bayes log-likelihoods share a cache line or two
/// instead of sitting in three arrays (one miss each per feature and model).
#[derive(Debug, Clone, Default)]
struct Packed {
    rows: Vec<f32>,
    /// Floats per row: `1 + k`, or `1 + 2k` with naive Bayes blended in.
    stride: usize,
    /// Whether the rows hold naive Bayes log-likelihoods.
    nb: bool,
}

impl Packed {
    fn new(file: &ModelFile) -> Packed {
        let k = file.labels.len();
        let nb = file.nb_weight > 0.0 && file.nb.len() == file.weights.len();
        let stride = if nb { 1 + 2 * k } else { 1 + k };
        let mut rows = Vec::with_capacity(file.idf.len() * stride);
        for (i, idf) in file.idf.iter().enumerate() {
            rows.push(*idf);
            rows.extend_from_slice(&file.weights[i * k..(i + 1) * k]);
            if nb {
                rows.extend_from_slice(&file.nb[i * k..(i + 1) * k]);
            }
        }
        Packed { rows, stride, nb }
    }
}

impl TryFrom<ModelFile> for TextModel {
    type Error = TriageError;
    fn try_from(file: ModelFile) -> Result<Self, Self::Error> {
        let (n, k) = (file.feature_ids.len(), file.labels.len());
        if k == 0 || file.idf.len() != n || file.weights.len() != n * k || file.bias.len() != k {
            return Err(TriageError::Config("model arrays have inconsistent sizes".into()));
        }
        let index = FeatureIndex::new(&file.feature_ids);
        let packed = Packed::new(&file);
        Ok(TextModel { file, index, packed })
    }
}

impl From<TextModel> for ModelFile {
    fn from(m: TextModel) -> ModelFile {
        m.file
    }
}

/// Hashed features of a raw text, as the models read them.
pub fn text_features(seg: &Segmenter, text: &str, cfg: &FeatureConfig) -> Vec<u32> {
    let norm = normalize(text, DEFAULT_MAX_CHARS);
    let words = seg.words(&norm);
    features(&words, &norm.text, cfg)
}

impl TextModel {
    /// Trains on `(text, label)` pairs; labels are learned in sorted order.
    pub fn train<T: AsRef<str>, L: AsRef<str>>(
        seg: &Segmenter,
        examples: &[(T, L)],
        cfg: &TrainConfig,
    ) -> Result<TextModel, TriageError> {
        let docs: Vec<Vec<u32>> = examples.iter().map(|(t, _)| text_features(seg, t.as_ref(), &cfg.features)).collect();
        let labels: Vec<&str> = examples.iter().map(|(_, l)| l.as_ref()).collect();
        TextModel::train_features(&docs, &labels, cfg)
    }

    /// Trains on pre-extracted features (see [`text_features`]).
    pub fn train_features(docs: &[Vec<u32>], labels: &[&str], cfg: &TrainConfig) -> Result<TextModel, TriageError> {
        if docs.is_empty() || docs.len() != labels.len() {
            return Err(TriageError::Training("no labelled examples".into()));
        }
        let mut names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        names.sort();
        names.dedup();
        if names.len() < 2 {
            return Err(TriageError::Training("need at least two labels".into()));
        }
        let y: Vec<usize> = labels.iter().map(|l| names.binary_search_by(|n| n.as_str().cmp(l)).unwrap_or(0)).collect();
        let mut df: HashMap<u32, u32, PassThrough> = HashMap::default();
        for d in docs {
            let mut uniq = d.clone();
            uniq.sort_unstable();
            uniq.dedup();
            for f in uniq {
                *df.entry(f).or_default() += 1;
            }
        }
        let mut feature_ids: Vec<u32> = df.iter().filter(|(_, &c)| c >= cfg.min_df).map(|(&f, _)| f).collect();
        feature_ids.sort_unstable();
        let n_docs = docs.len() as f32;
        let idf: Vec<f32> = feature_ids.iter().map(|f| ((1.0 + n_docs) / (1.0 + df[f] as f32)).ln() + 1.0).collect();
        let index = FeatureIndex::new(&feature_ids);
        let k = names.len();
        let vectors: Vec<Vec<(u32, f32, f32)>> = docs
            .iter()
            .map(|d| {
                let mut v = Vec::new();
                vectorize(&count_features(d.clone()), &index, &idf, &mut v);
                v
            })
            .collect();
        let mut weights = vec![0.0f32; feature_ids.len() * k];
        let mut bias = vec![0.0f32; k];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut rng = SplitMix::new(cfg.seed);
        let mut probs = vec![0.0f32; k];
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            let lr = cfg.learning_rate / (1.0 + epoch as f32 * 0.3);
            for &d in &order {
                scores(&vectors[d], &weights, &bias, &mut probs);
                softmax(&mut probs);
                for (c, p) in probs.iter().enumerate() {
                    let g = p - if c == y[d] { 1.0 } else { 0.0 };
                    bias[c] -= lr * g * 0.1;
                    for &(i, v, _) in &vectors[d] {
                        let w = &mut weights[i as usize * k + c];
                        *w -= lr * (g * v + cfg.l2 * *w);
                    }
                }
            }
        }
        // Multinomial naive Bayes on raw counts, blended in at prediction.
        let mut counts = vec![cfg.nb_alpha; feature_ids.len() * k];
        let mut totals = vec![cfg.nb_alpha * feature_ids.len() as f32; k];
        for (d, feats) in docs.iter().enumerate() {
            for f in feats {
                if let Some(i) = index.get(*f) {
                    counts[i as usize * k + y[d]] += 1.0;
                    totals[y[d]] += 1.0;
                }
            }
        }
        let nb: Vec<f32> = counts.iter().enumerate().map(|(j, c)| (c / totals[j % k]).ln()).collect();
        let file = ModelFile {
            format: 1,
            labels: names,
            features: cfg.features,
            feature_ids,
            idf,
            weights,
            bias,
            nb,
            nb_weight: cfg.nb_weight,
        };
        TextModel::try_from(file)
    }

    /// The labels, in the order of [`TextModel::predict_features`]'s probabilities.
    pub fn labels(&self) -> &[String] {
        &self.file.labels
    }

    /// The feature configuration the model was trained with.
    pub fn feature_config(&self) -> &FeatureConfig {
        &self.file.features
    }

    /// The features the model knows, in row order.
    pub(crate) fn feature_ids(&self) -> &[u32] {
        &self.file.feature_ids
    }

    /// Number of features the model knows.
    pub fn feature_count(&self) -> usize {
        self.file.feature_ids.len()
    }

    /// Class probabilities for pre-extracted features.
    pub fn predict_features(&self, feats: &[u32]) -> Vec<f32> {
        self.predict_counts(&count_features(feats.to_vec()))
    }

    /// Class probabilities for counted features (see [`count_features`]).
    pub fn predict_counts(&self, counts: &[(u32, u32)]) -> Vec<f32> {
        self.predict_iter(counts.iter().copied())
    }

    /// Class probabilities for counted features, in any order.
    pub fn predict_iter(&self, counts: impl Iterator<Item = (u32, u32)>) -> Vec<f32> {
        let mut sums = self.sums();
        for (f, c) in counts {
            self.add(&mut sums, f, c);
        }
        self.finish(&sums)
    }

    /// Empty running sums for [`TextModel::add`] and [`TextModel::finish`].
    pub(crate) fn sums(&self) -> Sums {
        Sums { acc: vec![0.0; 2 * self.file.labels.len()], norm: 0.0, total: 0 }
    }

    /// The row of a feature the model knows.
    pub(crate) fn row(&self, feature: u32) -> Option<u32> {
        self.index.get(feature)
    }

    /// Adds `count` occurrences of a feature to the sums.
    pub(crate) fn add(&self, sums: &mut Sums, feature: u32, count: u32) {
        sums.total += count;
        if let Some(row) = self.index.get(feature) {
            self.add_known(sums, row, count);
        }
    }

    /// Adds `count` occurrences of the feature in `row` (its `total` counted by the caller).
    #[inline]
    pub(crate) fn add_known(&self, sums: &mut Sums, row: u32, count: u32) {
        let stride = self.packed.stride;
        sums.add_row(&self.packed.rows[row as usize * stride..(row as usize + 1) * stride], count);
    }

    /// Floats per packed row.
    pub(crate) fn packed_stride(&self) -> usize {
        self.packed.stride
    }

    /// A feature's packed row `[idf, weights…, naive Bayes…]` (see [`Sums::add_row`]).
    pub(crate) fn packed_row(&self, row: u32) -> &[f32] {
        let stride = self.packed.stride;
        &self.packed.rows[row as usize * stride..(row as usize + 1) * stride]
    }

    /// Class probabilities from the sums. The L2 norm of the TF-IDF vector is known only
    /// at the end, so the regression part was summed unscaled and is scaled here
    /// (`Σ (v/‖v‖)·w = (Σ v·w)/‖v‖`).
    pub(crate) fn finish(&self, sums: &Sums) -> Vec<f32> {
        let k = self.file.labels.len();
        let inv = if sums.norm > 0.0 { 1.0 / sums.norm.sqrt() } else { 1.0 };
        // Naive Bayes scaled by 1/sqrt(length) so long texts do not drown the regression.
        let nb_scale = if self.packed.nb { self.file.nb_weight / (sums.total.max(1) as f32).sqrt() } else { 0.0 };
        let (linear, bayes) = sums.acc.split_at(k);
        let mut probs: Vec<f32> = self.file.bias.clone();
        for ((p, l), b) in probs.iter_mut().zip(linear).zip(bayes) {
            *p += l * inv + nb_scale * b;
        }
        softmax(&mut probs);
        probs
    }

    /// The most likely label and its probability.
    pub fn predict(&self, seg: &Segmenter, text: &str) -> (&str, f32) {
        let probs = self.predict_features(&text_features(seg, text, &self.file.features));
        let (best, p) = argmax(&probs);
        (self.file.labels[best].as_str(), p)
    }

    /// Keeps the `keep` features with the largest weights and rounds weights to
    /// `decimals` places: a smaller file for embedding, at a small cost in accuracy.
    pub fn compact(&self, keep: usize, decimals: i32) -> TextModel {
        let k = self.file.labels.len();
        let mut strength: Vec<(f32, usize)> = (0..self.file.feature_ids.len())
            .map(|i| {
                let row = &self.file.weights[i * k..(i + 1) * k];
                (row.iter().fold(0.0f32, |m, w| m.max(w.abs())), i)
            })
            .collect();
        strength.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut kept: Vec<usize> = strength.iter().take(keep).map(|s| s.1).collect();
        kept.sort_unstable();
        let scale = 10f32.powi(decimals);
        let round = |x: f32| (x * scale).round() / scale;
        let file = ModelFile {
            format: 1,
            labels: self.file.labels.clone(),
            features: self.file.features,
            feature_ids: kept.iter().map(|&i| self.file.feature_ids[i]).collect(),
            idf: kept.iter().map(|&i| round(self.file.idf[i])).collect(),
            weights: kept
                .iter()
                .flat_map(|&i| self.file.weights[i * k..(i + 1) * k].iter().map(|&w| round(w)))
                .collect(),
            bias: self.file.bias.iter().map(|&b| round(b)).collect(),
            nb: if self.file.nb.len() == self.file.weights.len() {
                kept.iter().flat_map(|&i| self.file.nb[i * k..(i + 1) * k].iter().map(|&w| round(w))).collect()
            } else {
                Vec::new()
            },
            nb_weight: self.file.nb_weight,
        };
        let index = FeatureIndex::new(&file.feature_ids);
        let packed = Packed::new(&file);
        TextModel { file, index, packed }
    }

    /// Reads a model from JSON.
    pub fn from_json(json: &str) -> Result<TextModel, TriageError> {
        serde_json::from_str(json).map_err(TriageError::json("model"))
    }

    /// Writes the model as JSON.
    pub fn to_json(&self) -> Result<String, TriageError> {
        serde_json::to_string(self).map_err(TriageError::json("model"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_needs_two_labels() {
        let docs = vec![vec![1u32, 2], vec![3]];
        assert!(TextModel::train_features(&docs, &["a", "a"], &TrainConfig::default()).is_err());
        assert!(TextModel::train_features(&[], &[], &TrainConfig::default()).is_err());
        let m = TextModel::train_features(&docs, &["a", "b"], &TrainConfig::default()).unwrap();
        let p = m.predict_features(&[1, 2]);
        assert!(p[0] > p[1]);
        let small = m.compact(1, 2);
        assert_eq!(small.feature_count(), 1);
    }
}
