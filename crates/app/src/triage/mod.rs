//! Triage at intake: what the feedback is about, whether it is real, whether it repeats a
//! known problem, how urgent it is and why — written onto the ticket before it is recorded.

use crate::error::AppError;
use loopdesk_core::{Ticket, TicketId, TriageSummary, Urgency};
use loopdesk_triage::{Analysis, Engine, Fingerprint, Input, Relation, Verdict};
use std::sync::{Arc, OnceLock};

/// Keys two tickets must share before their similarity is computed: one concept pair is
/// already specific (see `loopdesk_triage::problem`), and every candidate is scored.
const MIN_SHARED_BANDS: usize = 1;

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
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// How a new ticket relates to the problems already known.
#[derive(Debug, Clone, Default)]
pub struct ClusterPlan {
    /// The cluster it joins; `None`: it starts its own (id = its ticket id).
    pub cluster_id: Option<i64>,
    /// The same customer's open ticket it repeats, to be merged into.
    pub duplicate_of: Option<TicketId>,
    /// Customers in the cluster, this one included.
    pub size: u32,
}

/// Analyses the text (no IO).
pub fn analyze(engine: &Engine, ticket: &Ticket, stated_urgency: Option<Urgency>) -> Analysis {
    engine.analyze(&Input {
        text: &ticket.content,
        subject: ticket.subject.as_deref(),
        tier: ticket.customer.tier,
        stated_urgency,
        cluster_size: 1,
    })
}

/// Finds the cluster through the indexed keys (`cluster_keys` of `a`): a few look-ups, not
/// a scan.
pub async fn plan_cluster(
    app: &crate::App,
    engine: &Engine,
    a: &Analysis,
    cluster_keys: &[i64],
    key: Option<&crate::Key>,
) -> Result<ClusterPlan, AppError> {
    let store = app.read();
    let key = key.map(crate::Key::as_str);
    let config = engine.config().cluster;
    let mut best: Option<(f32, Relation, loopdesk_store::Candidate)> = None;
    let print = a.fingerprint();
    for c in store.cluster_candidates(cluster_keys, MIN_SHARED_BANDS, key).await? {
        let Some(earlier) = Fingerprint::from_stored(&c.signature) else {
            continue;
        };
        let (sim, relation) = config.relate(&print, &earlier, key == Some(c.customer_key.as_str()));
        let better = best.as_ref().is_none_or(|(s, r, _)| (rank(relation), sim) > (rank(*r), *s));
        if relation != Relation::Unrelated && better {
            best = Some((sim, relation, c));
        }
    }
    let Some((_, relation, c)) = best else {
        return Ok(ClusterPlan { size: 1, ..ClusterPlan::default() });
    };
    let mut duplicate_of = None;
    if relation == Relation::Duplicate {
        // A re-send is merged into the customer's open original; after it was closed, the
        // customer is back with the same problem, which is a new ticket in the cluster.
        let original = store.ticket(c.ticket_id).await?;
        let target = match original.merged_into {
            Some(into) => store.ticket(into).await?,
            None => original,
        };
        if target.state.is_open() {
            duplicate_of = Some(target.id);
        }
    }
    let size = c.cluster_size + i64::from(!c.customer_known);
    Ok(ClusterPlan { cluster_id: Some(c.cluster_id), duplicate_of, size: u32::try_from(size).unwrap_or(u32::MAX) })
}

/// The keys a ticket is indexed and looked up by for clustering. A report with telling
/// concepts is found by its concept pairs, whatever its words and language; only one
/// without them falls back to MinHash bands (word overlap), and to half of them. A
/// customer's own re-sends are found by the customer
/// ([`loopdesk_store::Reader::cluster_candidates`]), not by bands. Every key is a random
/// insert into the band index, rewriting a page of it at each commit: one to three keys
/// instead of all 32 bands is most of what keeps intake's writes small.
pub fn cluster_keys(a: &Analysis) -> Vec<i64> {
    let concepts = a.problem.keys();
    if concepts.is_empty() {
        // Without concepts `band_keys` holds only the MinHash bands, two hashes each.
        // Eight find a pair at Jaccard 0.5 90% of the time and at 0.6 97% (1 − (1 − J²)⁸);
        // sixteen found more of the pairs at 0.4, but each band is a random insert into the
        // band index at every commit, and a third of intake has no concepts.
        a.band_keys.iter().copied().take(FALLBACK_BANDS).collect()
    } else {
        concepts
    }
}

/// MinHash bands a report without concepts is indexed and looked up by.
const FALLBACK_BANDS: usize = 8;

fn rank(r: Relation) -> u8 {
    match r {
        Relation::Duplicate => 2,
        Relation::SameProblem => 1,
        Relation::Unrelated => 0,
    }
}

/// Records category, urgency, scope, priority with its reasons and the triage summary.
/// Returns the rejection reason when moderation rejects the text.
pub fn write(engine: &Engine, ticket: &mut Ticket, a: &Analysis, plan: &ClusterPlan) -> Option<String> {
    let decision = engine.reprioritize(a, ticket.customer.tier, plan.size);
    ticket.category = Some(a.classification.category.clone());
    ticket.subtags = a.classification.subtags.clone();
    ticket.urgency = a.urgency;
    ticket.impact_scope = engine.impact_scope(plan.size);
    ticket.priority = decision.priority;
    ticket.priority_reasons = decision.reasons.clone();
    let moderation_reasons: Vec<String> = a.moderation.reasons.iter().map(|r| r.detail.clone()).collect();
    ticket.triage = Some(TriageSummary {
        language: label(&a.language),
        confidence: a.classification.confidence,
        needs_manual_triage: a.classification.needs_manual_triage,
        signals: a.signals.fired.iter().map(|s| format!("{}: {}", label(&s.kind), s.words.join(" "))).collect(),
        moderation: label(&a.moderation.verdict),
        moderation_reasons: moderation_reasons.clone(),
        rules_version: decision.rules_version,
        cluster_id: plan.cluster_id,
        cluster_size: plan.size,
    });
    (a.moderation.verdict == Verdict::Reject)
        .then(|| format!("automatic moderation: {}", moderation_reasons.join("; ")))
}

pub mod cluster;
pub mod engine;
pub mod retrain;
