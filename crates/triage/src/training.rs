//! The labelled sets the engine learns from at start-up, embedded: the team's own feedback
//! examples, the training half of the outside-written development set (the other half is
//! never shipped: it is what the figures are measured on, see
//! `scripts/split_feedback_dev.py`), and hand-written spam with look-alike real feedback.

use crate::error::TriageError;
use loopdesk_core::Priority;
use serde::Deserialize;

/// The team's hand-labelled feedback (`{"text","label","priority"}`).
pub const FEEDBACK_LABELLED_JSONL: &str = include_str!("../data/feedback-labelled.jsonl");
/// The training half of `feedback-dev.jsonl` (full labels: category, priority, spam, …).
pub const FEEDBACK_DEV_TRAIN_JSONL: &str = include_str!("../data/feedback-dev-train.jsonl");
/// More hand-written feedback (English and mixed above all, where the team's set is thin),
/// labelled by the rules of DESIGN.md "Priority".
pub const FEEDBACK_EXTRA_JSONL: &str = include_str!("../data/feedback-extra.jsonl");
/// Hand-written spam of the usual kinds, and real feedback that talks about spam or scams.
pub const SPAM_EXAMPLES_JSONL: &str = include_str!("../data/spam-examples.jsonl");

/// One labelled feedback item, whichever file it came from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Labelled {
    /// The customer's text.
    pub text: String,
    /// Category id (`label` in the team's file).
    #[serde(alias = "label")]
    pub category: String,
    /// Priority as labelled, when the file has it.
    #[serde(default)]
    pub priority: Option<String>,
    /// Spam (ads, scams, phishing).
    #[serde(default)]
    pub spam: bool,
    /// The rule behind the priority label, when the file has it (`raised one level by
    /// customer tier: …`, `safety hazard: …`).
    #[serde(default)]
    pub why: Option<String>,
    /// How many times the example counts in training (1 when the file does not say).
    #[serde(default = "one")]
    pub weight: u32,
}

/// The `why` of a label raised for the tier the text states: the rules raise for that
/// (`vip_stated`), so the model learns the priority before the raise.
fn one() -> u32 {
    1
}

const TIER_RAISE: &str = "raised one level by customer tier";

impl Labelled {
    /// The priority the text earns before any tier raise.
    pub fn base_priority(&self) -> Option<Priority> {
        let labelled = Priority::parse(self.priority.as_deref()?)?;
        match self.why.as_deref() {
            Some(why) if why.starts_with(TIER_RAISE) => Priority::from_rank(labelled.rank() + 1).or(Some(labelled)),
            _ => Some(labelled),
        }
    }
}

/// Everything the default models are trained on.
/// Weight of the examples labelled by people outside the team (the development set's
/// training half) in the priority model: they follow DESIGN.md "Priority" as customers'
/// reports are judged, where the team's own examples lean towards lower priorities
/// (chosen by two-fold cross-validation inside the training half).
pub const OUTSIDE_WEIGHT: u32 = 2;

#[derive(Debug, Clone, Default)]
pub struct TrainingSet {
    /// Labelled feedback (category, priority, spam).
    pub feedback: Vec<Labelled>,
    /// `(text, "spam" | "ham")` examples beyond the feedback.
    pub spam: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct SpamExample {
    text: String,
    label: String,
}

fn lines<T: for<'de> Deserialize<'de>>(what: &'static str, jsonl: &str) -> Result<Vec<T>, TriageError> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(TriageError::json(what)))
        .collect()
}

impl TrainingSet {
    /// The embedded sets.
    pub fn embedded() -> Result<TrainingSet, TriageError> {
        let mut feedback: Vec<Labelled> = lines("labelled feedback", FEEDBACK_LABELLED_JSONL)?;
        feedback.extend(lines::<Labelled>("more labelled feedback", FEEDBACK_EXTRA_JSONL)?);
        let outside = lines::<Labelled>("development training half", FEEDBACK_DEV_TRAIN_JSONL)?;
        feedback.extend(outside.into_iter().map(|e| Labelled { weight: OUTSIDE_WEIGHT, ..e }));
        let spam = lines::<SpamExample>("spam examples", SPAM_EXAMPLES_JSONL)?
            .into_iter()
            .map(|e| (e.text, e.label))
            .collect();
        Ok(TrainingSet { feedback, spam })
    }

    /// `(text, category)` pairs.
    pub fn category_pairs(&self) -> Vec<(&str, &str)> {
        self.feedback.iter().map(|e| (e.text.as_str(), e.category.as_str())).collect()
    }

    /// `(text, "spam" | "ham")` pairs: the feedback (all real unless marked) and the
    /// spam examples.
    pub fn spam_pairs(&self) -> Vec<(&str, &str)> {
        let feedback = self.feedback.iter().map(|e| (e.text.as_str(), if e.spam { "spam" } else { "ham" }));
        feedback.chain(self.spam.iter().map(|(t, l)| (t.as_str(), l.as_str()))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sets_parse_and_hold_both_labels() {
        let set = TrainingSet::embedded().unwrap();
        assert!(set.feedback.len() > 500);
        let pairs = set.spam_pairs();
        assert!(pairs.iter().filter(|(_, l)| *l == "spam").count() >= 50);
        assert!(set.feedback.iter().filter(|e| e.priority.is_some()).count() > 500);
        // Only the outside-labelled half weighs more.
        let heavy = set.feedback.iter().filter(|e| e.weight == OUTSIDE_WEIGHT).count();
        assert_eq!(heavy, lines::<Labelled>("dev", FEEDBACK_DEV_TRAIN_JSONL).unwrap().len());
        assert!(set.feedback.iter().all(|e| e.weight == 1 || e.weight == OUTSIDE_WEIGHT));
    }
}
