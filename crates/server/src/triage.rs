//! Triage at intake: what the feedback is about, whether it is real, how urgent it is and
//! why, written onto the ticket before it is recorded.

use loopdesk_core::{Ticket, TriageSummary, Urgency};
use loopdesk_triage::{Engine, Input, Verdict};
use std::sync::{Arc, OnceLock};

/// The engine with the embedded default rules and models, built once per process
/// (building it loads the dictionary and models, ~0.2 s).
pub fn default_engine() -> Result<Arc<Engine>, loopdesk_triage::TriageError> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    if let Some(e) = ENGINE.get() {
        return Ok(e.clone());
    }
    let built = Arc::new(Engine::new()?);
    Ok(ENGINE.get_or_init(|| built).clone())
}

fn label<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Analyses the ticket's text and records category, urgency, priority with its reasons and
/// the triage summary. Returns the rejection reason when moderation rejects it.
pub fn apply(
    engine: &Engine,
    ticket: &mut Ticket,
    stated_urgency: Option<Urgency>,
) -> Option<String> {
    let input = Input {
        text: &ticket.content,
        subject: ticket.subject.as_deref(),
        tier: ticket.customer.tier,
        stated_urgency,
        cluster_size: 1,
    };
    let a = engine.analyze(&input);
    ticket.category = Some(a.classification.category.clone());
    ticket.subtags = a.classification.subtags.clone();
    ticket.urgency = a.urgency;
    ticket.impact_scope = a.impact_scope;
    ticket.priority = a.priority.priority;
    ticket.priority_reasons = a.priority.reasons.clone();
    let moderation_reasons: Vec<String> = a
        .moderation
        .reasons
        .iter()
        .map(|r| r.detail.clone())
        .collect();
    ticket.triage = Some(TriageSummary {
        language: label(&a.language),
        confidence: a.classification.confidence,
        needs_manual_triage: a.classification.needs_manual_triage,
        signals: a
            .signals
            .fired
            .iter()
            .map(|s| format!("{}: {}", label(&s.kind), s.words.join(" ")))
            .collect(),
        moderation: label(&a.moderation.verdict),
        moderation_reasons: moderation_reasons.clone(),
        rules_version: a.priority.rules_version,
    });
    (a.moderation.verdict == Verdict::Reject)
        .then(|| format!("automatic moderation: {}", moderation_reasons.join("; ")))
}
