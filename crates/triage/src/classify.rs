//! Classification into the taxonomy: keyword rules and the statistical model vote
//! together; below a confidence threshold the ticket needs manual triage.

use crate::error::TriageError;
use crate::lexicon::{Hit, Lexicon};
use crate::model::TextModel;
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};

/// How rules and model are combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassifyConfig {
    /// Below this confidence the result is "needs manual triage".
    pub threshold: f32,
    /// Share of the keyword-rule vote in the blend (the model has the rest).
    pub rule_weight: f32,
}

impl Default for ClassifyConfig {
    fn default() -> Self {
        ClassifyConfig { threshold: 0.45, rule_weight: 0.4 }
    }
}

/// The category decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// Category id.
    pub category: String,
    /// Sub-tag ids of that category whose keywords matched.
    pub subtags: Vec<String>,
    /// Blended probability of the chosen category, 0–1.
    pub confidence: f32,
    /// True when confidence is below the threshold: a person should decide.
    pub needs_manual_triage: bool,
    /// Keywords that voted, as `category:word`.
    pub rule_hits: Vec<String>,
    /// The runner-up categories with their scores (best first, at most 3 in all).
    pub alternatives: Vec<(String, f32)>,
}

impl Classification {
    /// Puts `category` first (e.g. the fallback for a rejected text); the category it
    /// replaces becomes the first alternative.
    pub fn set_category(&mut self, category: &str) {
        if self.category == category {
            return;
        }
        let replaced = std::mem::replace(&mut self.category, category.to_string());
        self.alternatives.retain(|(c, _)| c != category);
        self.alternatives.insert(0, (replaced, self.confidence));
        self.alternatives.truncate(2);
        self.subtags.clear();
    }
}

/// Rules and model compiled against one taxonomy.
#[derive(Debug, Clone)]
pub struct Classifier {
    taxonomy: Taxonomy,
    /// Category keyword lists first, then one list per sub-tag.
    keywords: Lexicon,
    subtag_owner: Vec<(usize, String)>,
    model: Option<TextModel>,
    model_map: Vec<Option<usize>>,
    config: ClassifyConfig,
}

impl Classifier {
    /// Compiles the taxonomy's keywords; `model` labels are matched to category ids.
    pub fn new(
        taxonomy: Taxonomy,
        model: Option<TextModel>,
        config: ClassifyConfig,
    ) -> Result<Classifier, TriageError> {
        taxonomy.validate()?;
        let mut lists: Vec<Vec<String>> = taxonomy.categories.iter().map(|c| c.keywords.clone()).collect();
        let mut subtag_owner = Vec::new();
        for (ci, c) in taxonomy.categories.iter().enumerate() {
            for s in &c.subtags {
                lists.push(s.keywords.clone());
                subtag_owner.push((ci, s.id.clone()));
            }
        }
        let model_map =
            model.as_ref().map(|m| m.labels().iter().map(|l| taxonomy.position(l)).collect()).unwrap_or_default();
        Ok(Classifier { keywords: Lexicon::new(&lists)?, subtag_owner, taxonomy, model, model_map, config })
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The model in use, if any.
    pub fn model(&self) -> Option<&TextModel> {
        self.model.as_ref()
    }

    /// The compiled keywords: category lists first, then one list per sub-tag.
    pub fn lexicon(&self) -> &Lexicon {
        &self.keywords
    }

    /// Classifies a normalised text with its counted model features.
    pub fn classify(&self, text: &str, counts: &[(u32, u32)]) -> Classification {
        self.classify_hits(&self.keywords.find(text), counts)
    }

    /// Classifies from hits of [`Classifier::lexicon`]'s lists and counted features.
    pub fn classify_hits(&self, hits: &[Hit<'_>], counts: &[(u32, u32)]) -> Classification {
        let probs = self.model.as_ref().map(|m| m.predict_counts(counts));
        self.classify_probs(hits, probs.as_deref())
    }

    /// Classifies from keyword hits and the model's probabilities (in its label order),
    /// when a model is loaded.
    pub(crate) fn classify_probs(&self, hits: &[Hit<'_>], probs: Option<&[f32]>) -> Classification {
        let n = self.taxonomy.categories.len();
        let mut votes = vec![0.0f32; n];
        let mut rule_hits: Vec<String> = Vec::new();
        for hit in hits.iter().filter(|h| h.list < n) {
            let tag = format!("{}:{}", self.taxonomy.categories[hit.list].id, hit.word);
            if !rule_hits.contains(&tag) {
                votes[hit.list] += 1.0;
                rule_hits.push(tag);
            }
        }
        let vote_total: f32 = votes.iter().sum();
        let mut scores = vec![0.0f32; n];
        let mut model_used = false;
        if let Some(probs) = probs {
            for (p, target) in probs.iter().zip(&self.model_map) {
                if let Some(i) = target {
                    scores[*i] += p;
                    model_used = true;
                }
            }
        }
        if vote_total > 0.0 {
            let w = if model_used { self.config.rule_weight } else { 1.0 };
            for (s, v) in scores.iter_mut().zip(&votes) {
                *s = *s * (1.0 - w) + w * v / vote_total;
            }
        }
        let fallback = self.taxonomy.position(&self.taxonomy.fallback).unwrap_or(0);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let best = if scores.iter().all(|s| *s <= 0.0) { fallback } else { order[0] };
        let confidence = scores[best];
        let subtags = self.subtags_of(best, hits);
        Classification {
            category: self.taxonomy.categories[best].id.clone(),
            subtags,
            confidence,
            needs_manual_triage: confidence < self.config.threshold,
            rule_hits,
            alternatives: order
                .iter()
                .filter(|&&i| i != best && scores[i] > 0.0)
                .take(2)
                .map(|&i| (self.taxonomy.categories[i].id.clone(), scores[i]))
                .collect(),
        }
    }

    fn subtags_of(&self, category: usize, hits: &[Hit<'_>]) -> Vec<String> {
        let n = self.taxonomy.categories.len();
        let mut out: Vec<String> = Vec::new();
        for hit in hits.iter().filter(|h| h.list >= n) {
            if let Some((owner, id)) = self.subtag_owner.get(hit.list - n) {
                if *owner == category && !out.contains(id) {
                    out.push(id.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{text_features, TrainConfig};
    use crate::normalize::{normalize, DEFAULT_MAX_CHARS};
    use crate::segment::Segmenter;

    fn rules_only() -> Classifier {
        Classifier::new(Taxonomy::defaults().unwrap(), None, ClassifyConfig::default()).unwrap()
    }

    fn classify(c: &Classifier, text: &str) -> Classification {
        c.classify(&normalize(text, DEFAULT_MAX_CHARS).text, &[])
    }

    #[test]
    fn keyword_rules_alone() {
        let c = rules_only();
        let a = classify(&c, "快递显示已签收但我没收到包裹");
        assert_eq!(a.category, "logistics");
        assert!(a.subtags.contains(&"lost".to_string()), "{a:?}");
        assert!(!a.needs_manual_triage);
        let e = classify(&c, "The app crashes every time I open it");
        assert_eq!(e.category, "technical");
        assert_eq!(e.subtags, ["crash"]);
        let t = classify(&c, "外觀有劃痕，掉漆");
        assert_eq!(t.category, "product_quality");
        assert_eq!(t.subtags, ["appearance"]);
    }

    #[test]
    fn nothing_matched_goes_to_manual_triage() {
        let a = classify(&rules_only(), "你好");
        assert_eq!(a.category, "other");
        assert_eq!(a.confidence, 0.0);
        assert!(a.needs_manual_triage);
    }

    #[test]
    fn ties_lower_confidence() {
        // One keyword each for three categories: a third each, below the threshold.
        let a = classify(&rules_only(), "退款 快递 闪退");
        assert!(a.confidence < 0.45, "{a:?}");
        assert!(a.needs_manual_triage);
        assert_eq!(a.alternatives.len(), 2);
    }

    #[test]
    fn model_and_rules_blend() {
        let seg = Segmenter::new();
        let examples = [
            ("手机屏幕碎了", "product_quality"),
            ("电池不耐用", "product_quality"),
            ("耳机没声音", "product_quality"),
            ("包裹三天没到", "logistics"),
            ("快递员没打电话", "logistics"),
            ("物流不更新", "logistics"),
            ("自定义标签", "unknown_label"),
        ];
        let model = TextModel::train(&seg, &examples, &TrainConfig::default()).unwrap();
        let c = Classifier::new(Taxonomy::defaults().unwrap(), Some(model), ClassifyConfig::default()).unwrap();
        let text = normalize("屏幕碎了", DEFAULT_MAX_CHARS).text;
        let counts = crate::model::count_features(text_features(&seg, &text, &Default::default()));
        let a = c.classify(&text, &counts);
        assert_eq!(a.category, "product_quality");
        assert!(a.confidence > 0.0 && a.confidence <= 1.0);
    }
}
