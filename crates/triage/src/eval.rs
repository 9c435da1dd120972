//! Evaluation: train on one labelled list, test on another, and report accuracy,
//! macro-F1, per-class precision/recall, the confusion matrix and throughput.

use crate::error::TriageError;
use crate::model::{argmax, text_features, TrainConfig};
use crate::segment::Segmenter;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Instant;

/// One labelled text (a JSONL line `{"text": …, "label": …}`; other fields ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Its label.
    pub label: String,
}

/// Parses JSON lines; blank lines are skipped, a bad line is an error naming it.
pub fn parse_jsonl(input: &str) -> Result<Vec<Example>, TriageError> {
    input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| TriageError::Config(format!("line {}: {e}", i + 1))))
        .collect()
}

/// Whether `text` falls on the test side of a `test_percent` split: the first 8 bytes
/// (big-endian) of `sha256("loopdesk-holdout-v1|" + text)` modulo 100 are below it. The
/// rule is simple on purpose: `scripts/baseline.py` applies the same one.
pub fn is_holdout(text: &str, test_percent: u64) -> bool {
    let digest = Sha256::new().chain_update(b"loopdesk-holdout-v1|").chain_update(text.as_bytes()).finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(head) % 100 < test_percent
}

/// Deterministic split by [`is_holdout`]. Returns `(train, test)`.
pub fn holdout_split(examples: &[Example], test_percent: u64) -> (Vec<Example>, Vec<Example>) {
    examples.iter().cloned().partition(|e| !is_holdout(&e.text, test_percent))
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassStats {
    /// The label.
    pub label: String,
    /// Of the items predicted as this label, the share that were.
    pub precision: f64,
    /// Of the items with this label, the share found.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Test items with this label.
    pub support: usize,
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Labels, in the order of the confusion matrix.
    pub labels: Vec<String>,
    /// Share of items predicted right.
    pub accuracy: f64,
    /// Unweighted mean of per-class F1 (over labels present in the test data).
    pub macro_f1: f64,
    /// Per-class figures.
    pub per_class: Vec<ClassStats>,
    /// `confusion[gold][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
    /// Items trained on.
    pub train_items: usize,
    /// Items tested.
    pub test_items: usize,
    /// Seconds spent training.
    pub train_seconds: f64,
    /// Predictions per second, from raw text (normalise, segment, predict), one thread.
    pub items_per_sec: f64,
}

/// Scores predictions against gold labels.
pub fn score(gold: &[&str], predicted: &[&str]) -> Report {
    let mut labels: Vec<String> = gold.iter().chain(predicted).map(|s| s.to_string()).collect();
    labels.sort();
    labels.dedup();
    let at = |l: &str| labels.binary_search_by(|x| x.as_str().cmp(l)).unwrap_or(0);
    let mut confusion = vec![vec![0usize; labels.len()]; labels.len()];
    for (g, p) in gold.iter().zip(predicted) {
        confusion[at(g)][at(p)] += 1;
    }
    let mut per_class = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let tp = confusion[i][i] as f64;
        let support: usize = confusion[i].iter().sum();
        let predicted_n: usize = confusion.iter().map(|row| row[i]).sum();
        let precision = if predicted_n == 0 { 0.0 } else { tp / predicted_n as f64 };
        let recall = if support == 0 { 0.0 } else { tp / support as f64 };
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        per_class.push(ClassStats { label: label.clone(), precision, recall, f1, support });
    }
    let present: Vec<&ClassStats> = per_class.iter().filter(|c| c.support > 0).collect();
    let macro_f1 =
        if present.is_empty() { 0.0 } else { present.iter().map(|c| c.f1).sum::<f64>() / present.len() as f64 };
    let correct = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
    Report {
        labels,
        accuracy: if gold.is_empty() { 0.0 } else { correct as f64 / gold.len() as f64 },
        macro_f1,
        per_class,
        confusion,
        train_items: 0,
        test_items: gold.len(),
        train_seconds: 0.0,
        items_per_sec: 0.0,
    }
}

/// Trains a model on `train` (settings chosen on a slice of `train`, see
/// [`crate::tune::train_tuned`]), then measures it on `test`.
pub fn evaluate(
    seg: &Segmenter,
    train: &[Example],
    test: &[Example],
    cfg: &TrainConfig,
) -> Result<Report, TriageError> {
    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = train.iter().map(|e| (e.text.as_str(), e.label.as_str())).collect();
    let (model, _) = crate::tune::train_tuned(seg, &pairs, cfg)?;
    let train_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let predicted: Vec<&str> = test
        .iter()
        .map(|e| {
            let probs = model.predict_features(&text_features(seg, &e.text, model.feature_config()));
            model.labels()[argmax(&probs).0].as_str()
        })
        .collect();
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let gold: Vec<&str> = test.iter().map(|e| e.label.as_str()).collect();
    let mut report = score(&gold, &predicted);
    report.train_items = train.len();
    report.train_seconds = train_seconds;
    report.items_per_sec = test.len() as f64 / seconds;
    Ok(report)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "trained on {} items in {:.2}s; tested on {} items",
            self.train_items, self.train_seconds, self.test_items
        )?;
        writeln!(f, "accuracy  {:.4}", self.accuracy)?;
        writeln!(f, "macro-F1  {:.4}", self.macro_f1)?;
        writeln!(f, "items/s   {:.0}", self.items_per_sec)?;
        writeln!(f, "\n{:<20} {:>9} {:>9} {:>9} {:>8}", "label", "precision", "recall", "f1", "support")?;
        for c in &self.per_class {
            writeln!(f, "{:<20} {:>9.3} {:>9.3} {:>9.3} {:>8}", c.label, c.precision, c.recall, c.f1, c.support)?;
        }
        writeln!(f, "\nconfusion (rows: gold, columns: predicted, in label order above)")?;
        for (label, row) in self.labels.iter().zip(&self.confusion) {
            let cells: Vec<String> = row.iter().map(|n| format!("{n:>5}")).collect();
            writeln!(f, "{:<20}{}", label, cells.join(""))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_a_small_case() {
        let r = score(&["a", "a", "b", "b"], &["a", "b", "b", "b"]);
        assert!((r.accuracy - 0.75).abs() < 1e-9);
        assert_eq!(r.confusion, vec![vec![1, 1], vec![0, 2]]);
        assert!((r.per_class[0].precision - 1.0).abs() < 1e-9);
        assert!((r.per_class[1].precision - 2.0 / 3.0).abs() < 1e-9);
        assert!(r.to_string().contains("macro-F1"));
    }

    #[test]
    fn parses_jsonl_and_splits() {
        let ex =
            parse_jsonl("{\"text\":\"a\",\"label\":\"x\",\"priority\":\"low\"}\n\n{\"text\":\"b\",\"label\":\"y\"}\n")
                .unwrap();
        assert_eq!(ex.len(), 2);
        assert!(parse_jsonl("{oops}").is_err());
        let (train, test) = holdout_split(&ex, 50);
        assert_eq!(train.len() + test.len(), 2);
    }
}
