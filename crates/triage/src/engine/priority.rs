//! Priority after analysis: re-prioritisation when a cluster grows or the tier changes,
//! and what a cluster's size can change.

use super::Engine;
use crate::analysis::Analysis;
use crate::moderation::{Moderation, Verdict};
use crate::priority::{Facts, PriorityDecision};
use loopdesk_core::{CustomerTier, ImpactScope, Priority};

impl Engine {
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
    pub(super) fn rejected_priority(&self, moderation: &Moderation) -> PriorityDecision {
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
