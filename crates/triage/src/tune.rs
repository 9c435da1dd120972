//! Hyper-parameter choice without touching the test data: a few candidate settings are
//! trained on 80% of the training examples, scored (macro-F1) on the other 20%, and the
//! best is retrained on all of them. Any label set an admin defines gets the same care.

use crate::error::TriageError;
use crate::eval::score;
use crate::hash::hash_str;
use crate::model::{argmax, text_features, TextModel, TrainConfig};
use crate::segment::{FeatureConfig, Segmenter};

/// Fewer validation examples than this (fewer than about 500 examples in all): too noisy to
/// choose by, so the base settings are used.
const MIN_VALIDATION: usize = 100;

/// The settings tried: with and without naive Bayes blending, with and without word pairs.
pub fn candidates(base: &TrainConfig) -> Vec<TrainConfig> {
    let mut out = Vec::new();
    for word_bigrams in [false, true] {
        for nb_weight in [0.0, 0.5] {
            let mut cfg = base.clone();
            cfg.features.word_bigrams = word_bigrams;
            cfg.nb_weight = nb_weight;
            out.push(cfg);
        }
    }
    out
}

/// Chooses settings on a validation slice of `examples`, then trains on all of them.
/// Returns the model and the settings chosen.
pub fn train_tuned<T: AsRef<str>, L: AsRef<str>>(
    seg: &Segmenter,
    examples: &[(T, L)],
    base: &TrainConfig,
) -> Result<(TextModel, TrainConfig), TriageError> {
    train_tuned_with(examples, base, &|text: &str, cfg: &FeatureConfig| text_features(seg, text, cfg))
}

/// Like [`train_tuned`], with the features made by `feats` (the engine adds concepts).
pub fn train_tuned_with<T: AsRef<str>, L: AsRef<str>>(
    examples: &[(T, L)],
    base: &TrainConfig,
    feats: &dyn Fn(&str, &FeatureConfig) -> Vec<u32>,
) -> Result<(TextModel, TrainConfig), TriageError> {
    let is_validation = |t: &str| hash_str(11, t).is_multiple_of(5);
    let mut val: Vec<&(T, L)> = Vec::new();
    let mut fit: Vec<&(T, L)> = Vec::new();
    for example in examples {
        if is_validation(example.0.as_ref()) {
            val.push(example);
        } else {
            fit.push(example);
        }
    }
    let mut best = base.clone();
    if val.len() >= MIN_VALIDATION {
        let mut best_f1 = f64::MIN;
        let gold: Vec<&str> = val.iter().map(|(_, l)| l.as_ref()).collect();
        for cfg in candidates(base) {
            let docs: Vec<Vec<u32>> = fit.iter().map(|(t, _)| feats(t.as_ref(), &cfg.features)).collect();
            let labels: Vec<&str> = fit.iter().map(|(_, l)| l.as_ref()).collect();
            let Ok(model) = TextModel::train_features(&docs, &labels, &cfg) else {
                continue;
            };
            let predicted: Vec<&str> = val
                .iter()
                .map(|(t, _)| {
                    let probs = model.predict_features(&feats(t.as_ref(), &cfg.features));
                    model.labels()[argmax(&probs).0].as_str()
                })
                .collect();
            let f1 = score(&gold, &predicted).macro_f1;
            if f1 > best_f1 + 1e-9 {
                best_f1 = f1;
                best = cfg;
            }
        }
    }
    let docs: Vec<Vec<u32>> = examples.iter().map(|(t, _)| feats(t.as_ref(), &best.features)).collect();
    let labels: Vec<&str> = examples.iter().map(|(_, l)| l.as_ref()).collect();
    Ok((TextModel::train_features(&docs, &labels, &best)?, best))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tunes_on_enough_data_and_falls_back_on_little() {
        let seg = Segmenter::new();
        let mut examples = Vec::new();
        for i in 0..600 {
            let (text, label) = if i % 2 == 0 {
                (format!("快递第{i}天还没到，物流不更新"), "logistics")
            } else {
                (format!("第{i}次付款失败，钱被扣了"), "payment")
            };
            examples.push((text, label));
        }
        let (model, cfg) = train_tuned(&seg, &examples, &TrainConfig::default()).unwrap();
        assert_eq!(model.labels(), ["logistics", "payment"]);
        assert!(candidates(&TrainConfig::default()).contains(&cfg));
        assert_eq!(model.predict(&seg, "物流三天没更新").0, "logistics");
        let few = &examples[..6];
        let (_, cfg) = train_tuned(&seg, few, &TrainConfig::default()).unwrap();
        assert_eq!(cfg, TrainConfig::default());
    }
}
