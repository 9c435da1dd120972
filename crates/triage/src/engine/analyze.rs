//! The pipeline: [`Engine::analyze`] and [`Engine::decide`].

use super::Engine;
use crate::analysis::{Analysis, Input};
use crate::moderation::Verdict;
use crate::normalize::normalize;
use crate::note_header;
use crate::priority::Facts;
use crate::priority_model::ModelVote;
use crate::problem::ProblemSignature;
use crate::segment::detect_language;
use crate::signals::max_urgency;

impl Engine {
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
        // The models read a staff note without its header (see `note_header`).
        let body = note_header::body_start(&norm.text);
        let model_words = note_header::words_after(&words, &norm.text, body);
        let models = self.run_models(&model_words, &norm.text[body..], &found);
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
}
