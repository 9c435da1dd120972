//! Explainable priority: rules as data (versioned), combining category, signals, urgency,
//! impact scope, customer tier and cluster size into a priority plus the reasons that fired.

use crate::error::TriageError;
use crate::priority_model::ModelVote;
use crate::signals::{urgency_rank, Intent, SignalKind, Signals};
use loopdesk_core::{CustomerTier, ImpactScope, Priority, Urgency};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default rules of the design, embedded.
pub const DEFAULT_PRIORITY_RULES_JSON: &str = include_str!("../data/priority-rules.json");

/// A condition on the facts of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Condition {
    /// A signal fired.
    Signal(SignalKind),
    /// The category is one of these ids.
    Category(Vec<String>),
    /// The customer tier is one of these.
    Tier(Vec<CustomerTier>),
    /// Urgency is at least this pressing.
    UrgencyAtLeast(Urgency),
    /// Impact scope is at least this wide.
    ScopeAtLeast(ImpactScope),
    /// At least this many customers are in the problem cluster.
    ClusterAtLeast(u32),
    /// The detected intent.
    Intent(Intent),
    /// The learned priority model gives urgent or high at least this probability
    /// (never holds without a model).
    ModelSeriousAtLeast(f32),
    /// All of these hold.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    All(Vec<Condition>),
    /// Any of these holds.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    Any(Vec<Condition>),
    /// This does not hold.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    Not(Box<Condition>),
}

/// One rule: when its condition holds, it sets a floor or raises by one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// Stable id, recorded on the ticket.
    pub id: String,
    /// When it fires.
    pub when: Condition,
    /// Priority to reach at least.
    #[serde(default)]
    pub set: Option<Priority>,
    /// Raise one step (capped by `max_raised`).
    #[serde(default)]
    pub raise: bool,
    /// A raise by this rule goes no higher than this (nor than `max_raised`).
    #[serde(default)]
    pub up_to: Option<Priority>,
    /// Lower one step from the category's base (applied before `set` and `raise`).
    #[serde(default)]
    pub lower: bool,
    /// A `lower` rule that also lowers the learned model's vote: for what the labelled
    /// examples hardly show, so the model cannot have learned it (a report made before).
    #[serde(default)]
    pub over_model: bool,
    /// Reason template: `{words}`, `{cluster_size}`, `{tier}`, `{category}`, `{serious}`
    /// (the model's probability of urgent or high) are filled in.
    pub reason: String,
}

/// A versioned rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityRules {
    /// Version recorded with each decision.
    pub version: u32,
    /// Priority of a category not in `base`.
    pub default: Priority,
    /// Starting priority per category id.
    #[serde(default)]
    pub base: BTreeMap<String, Priority>,
    /// Raising never goes beyond this (only `set` rules reach above it).
    pub max_raised: Priority,
    /// The rules: `lower` rules first, then `set`, then `raise`, each group in order.
    pub rules: Vec<Rule>,
}

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Category id.
    pub category: &'a str,
    /// Signals of the text.
    pub signals: &'a Signals,
    /// Urgency (stated or detected, whichever is more pressing).
    pub urgency: Urgency,
    /// Impact scope from the cluster size.
    pub scope: ImpactScope,
    /// Customer tier.
    pub tier: CustomerTier,
    /// Customers in the problem cluster (1 when alone).
    pub cluster_size: u32,
    /// The learned priority model's vote, when a model is loaded: it replaces the
    /// category's base priority and the `lower` rules (it has learned when to lower),
    /// except those marked `over_model`.
    pub model: Option<ModelVote>,
}

/// The result: priority, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityDecision {
    /// The priority.
    pub priority: Priority,
    /// Human-readable reasons, e.g. "urgent: safety word 漏电", "raised: vip customer".
    pub reasons: Vec<String>,
    /// Ids of the rules that fired.
    pub rules_fired: Vec<String>,
    /// Version of the rule set that decided.
    pub rules_version: u32,
}

fn scope_rank(s: ImpactScope) -> usize {
    ImpactScope::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Condition {
    /// Whether the condition holds; collects the signal words that made it hold.
    fn holds(&self, f: &Facts<'_>, words: &mut Vec<String>) -> bool {
        match self {
            Condition::Signal(k) => {
                for w in f.signals.words(*k) {
                    if !words.contains(w) {
                        words.push(w.clone());
                    }
                }
                f.signals.has(*k)
            }
            Condition::Category(ids) => ids.iter().any(|c| c == f.category),
            Condition::Tier(tiers) => tiers.contains(&f.tier),
            Condition::UrgencyAtLeast(u) => urgency_rank(f.urgency) <= urgency_rank(*u),
            Condition::ScopeAtLeast(s) => scope_rank(f.scope) >= scope_rank(*s),
            Condition::ClusterAtLeast(n) => f.cluster_size >= *n,
            Condition::Intent(i) => f.signals.intent == *i,
            Condition::ModelSeriousAtLeast(p) => f.model.is_some_and(|m| m.serious >= *p),
            Condition::All(cs) => {
                let mut local = Vec::new();
                let ok = cs.iter().all(|c| c.holds(f, &mut local));
                if ok {
                    words.extend(local);
                }
                ok
            }
            Condition::Any(cs) => cs.iter().any(|c| c.holds(f, words)),
            Condition::Not(c) => !c.holds(f, &mut Vec::new()),
        }
    }
}

impl Condition {
    /// Cluster sizes at which this condition can change (`cluster_at_least` values).
    fn cluster_sizes(&self, out: &mut Vec<u32>) {
        match self {
            Condition::ClusterAtLeast(n) => out.push(*n),
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.cluster_sizes(out)),
            Condition::Not(c) => c.cluster_sizes(out),
            _ => {}
        }
    }

    /// Whether it looks at impact scope.
    fn uses_scope(&self) -> bool {
        match self {
            Condition::ScopeAtLeast(_) => true,
            Condition::All(cs) | Condition::Any(cs) => cs.iter().any(Condition::uses_scope),
            Condition::Not(c) => c.uses_scope(),
            _ => false,
        }
    }
}

impl PriorityRules {
    /// Cluster sizes at which a rule can start to fire, and whether any rule looks at
    /// impact scope: a growing cluster needs its members re-prioritised only there.
    pub fn cluster_sizes(&self) -> (Vec<u32>, bool) {
        let mut out = Vec::new();
        self.rules.iter().for_each(|r| r.when.cluster_sizes(&mut out));
        out.sort_unstable();
        out.dedup();
        (out, self.rules.iter().any(|r| r.when.uses_scope()))
    }

    /// The embedded defaults (DESIGN.md "Priority").
    pub fn defaults() -> Result<PriorityRules, TriageError> {
        PriorityRules::from_json(DEFAULT_PRIORITY_RULES_JSON)
    }

    /// Parses and checks a rule set.
    pub fn from_json(json: &str) -> Result<PriorityRules, TriageError> {
        let rules: PriorityRules = serde_json::from_str(json).map_err(TriageError::json("priority rules"))?;
        let actions = |r: &Rule| usize::from(r.set.is_some()) + usize::from(r.raise) + usize::from(r.lower);
        if let Some(r) = rules.rules.iter().find(|r| actions(r) != 1) {
            return Err(TriageError::Config(format!("rule {:?} must do exactly one of set, raise, lower", r.id)));
        }
        Ok(rules)
    }

    /// The highest priority `rule` may raise to: its own `up_to` or `max_raised`,
    /// whichever is lower.
    fn raise_cap(&self, rule: &Rule) -> Priority {
        match rule.up_to {
            Some(cap) if cap.rank() > self.max_raised.rank() => cap,
            _ => self.max_raised,
        }
    }

    /// Decides the priority of a ticket.
    pub fn decide(&self, f: &Facts<'_>) -> PriorityDecision {
        let (mut priority, mut reasons) = match f.model {
            Some(vote) => (
                vote.priority,
                vec![format!(
                    "{}: learned from labelled feedback (probability {:.2}), category {}",
                    vote.priority, vote.probability, f.category
                )],
            ),
            None => {
                let base = self.base.get(f.category).copied().unwrap_or(self.default);
                (base, vec![format!("{base}: category {}", f.category)])
            }
        };
        let mut rules_fired = Vec::new();
        let lowers = self.rules.iter().filter(|r| r.lower && (f.model.is_none() || r.over_model));
        let sets = self.rules.iter().filter(|r| r.set.is_some());
        let raises = self.rules.iter().filter(|r| r.raise);
        for rule in lowers.chain(sets).chain(raises) {
            let mut words = Vec::new();
            if !rule.when.holds(f, &mut words) {
                continue;
            }
            let text = fill(&rule.reason, f, &words);
            rules_fired.push(rule.id.clone());
            match rule.set {
                Some(target) if target.rank() < priority.rank() => {
                    priority = target;
                    reasons.push(format!("{target}: {text}"));
                }
                Some(target) => reasons.push(format!("also {target}: {text}")),
                None if rule.lower => {
                    let lowered = Priority::from_rank(priority.rank() + 1).unwrap_or(priority);
                    reasons.push(format!("lowered to {lowered}: {text}"));
                    priority = lowered;
                }
                None if priority.rank() > self.raise_cap(rule).rank() => {
                    priority = priority.raised();
                    reasons.push(format!("raised to {priority}: {text}"));
                }
                None => reasons.push(format!("not raised (at most {} by raising): {text}", self.raise_cap(rule))),
            }
        }
        PriorityDecision { priority, reasons, rules_fired, rules_version: self.version }
    }
}

fn fill(template: &str, f: &Facts<'_>, words: &[String]) -> String {
    // Most reasons have one placeholder or none: no five copies of every reason.
    if !template.contains('{') {
        return template.to_string();
    }
    template
        .replace("{words}", &words.join(" "))
        .replace("{cluster_size}", &f.cluster_size.to_string())
        .replace("{tier}", f.tier.as_str())
        .replace("{category}", f.category)
        .replace("{serious}", &format!("{:.2}", f.model.map_or(0.0, |m| m.serious)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::Signal;

    fn signals(fired: &[(SignalKind, &str)], intent: Intent) -> Signals {
        let mut out: Vec<Signal> = Vec::new();
        for (kind, word) in fired {
            match out.iter_mut().find(|s| s.kind == *kind) {
                Some(s) => s.words.push(word.to_string()),
                None => out.push(Signal { kind: *kind, words: vec![word.to_string()] }),
            }
        }
        Signals { fired: out, negative_tone: None, intent, detected_urgency: Urgency::Medium }
    }

    fn decide(category: &str, s: &Signals, tier: CustomerTier, cluster: u32) -> PriorityDecision {
        let scope = crate::cluster::ClusterConfig::default().impact_scope(cluster);
        PriorityRules::defaults().unwrap().decide(&Facts {
            category,
            signals: s,
            urgency: s.detected_urgency,
            scope,
            tier,
            cluster_size: cluster,
            model: None,
        })
    }

    #[test]
    fn a_report_made_before_is_lowered_even_over_the_model_but_never_below_a_serious_signal() {
        let vote = ModelVote { priority: Priority::Medium, probability: 0.8, serious: 0.05 };
        let with_model = |s: &Signals| {
            PriorityRules::defaults().unwrap().decide(&Facts {
                category: "technical",
                signals: s,
                urgency: s.detected_urgency,
                scope: ImpactScope::Single,
                tier: CustomerTier::Standard,
                cluster_size: 1,
                model: Some(vote),
            })
        };
        let again = signals(&[(SignalKind::Repeated, "上次反馈")], Intent::Feedback);
        let d = with_model(&again);
        assert_eq!(d.priority, Priority::Low);
        assert!(d.rules_fired.contains(&"repeated_known_problem".to_string()));
        let still_down =
            signals(&[(SignalKind::Repeated, "上次反馈"), (SignalKind::CoreFailure, "用不了")], Intent::Complaint);
        assert_eq!(with_model(&still_down).priority, Priority::High);
        let broken = signals(&[(SignalKind::SevereDamage, "压坏")], Intent::Complaint);
        assert_eq!(with_model(&broken).priority, Priority::High);
    }

    #[test]
    fn base_priorities_by_category() {
        let none = signals(&[], Intent::Feedback);
        assert_eq!(decide("payment", &none, CustomerTier::Standard, 1).priority, Priority::Medium);
        assert_eq!(decide("inquiry", &none, CustomerTier::Standard, 1).priority, Priority::Low);
        assert_eq!(decide("unknown_cat", &none, CustomerTier::Standard, 1).priority, Priority::Medium);
    }

    #[test]
    fn safety_is_urgent_with_the_word() {
        let s = signals(&[(SignalKind::Safety, "漏电")], Intent::Complaint);
        let d = decide("product_quality", &s, CustomerTier::Standard, 1);
        assert_eq!(d.priority, Priority::Urgent);
        assert!(d.reasons.contains(&"urgent: safety word 漏电".to_string()), "{:?}", d.reasons);
        assert_eq!(d.rules_version, 1);
    }

    #[test]
    fn high_rules() {
        for (kind, word, id) in [
            (SignalKind::CoreFailure, "完全用不了", "core_failure"),
            (SignalKind::Privacy, "泄露", "privacy"),
            (SignalKind::PublicOutcry, "12315", "public_outcry"),
        ] {
            let d = decide("technical", &signals(&[(kind, word)], Intent::Complaint), CustomerTier::Standard, 1);
            assert_eq!(d.priority, Priority::High, "{id}");
            assert!(d.rules_fired.contains(&id.to_string()));
            assert!(d.reasons.iter().any(|r| r.starts_with("high:") && r.contains(word)));
        }
        let angry_only = signals(&[(SignalKind::Anger, "气死")], Intent::Complaint);
        assert_eq!(decide("payment", &angry_only, CustomerTier::Standard, 1).priority, Priority::Medium);
        let angry_now = signals(&[(SignalKind::Anger, "气死"), (SignalKind::Immediate, "马上")], Intent::Complaint);
        let d = decide("payment", &angry_now, CustomerTier::Standard, 1);
        assert_eq!(d.priority, Priority::High);
        assert!(d.reasons.iter().any(|r| r.contains("气死 马上")), "{:?}", d.reasons);
    }

    #[test]
    fn raises_by_tier_frequency_and_scope_capped_at_high() {
        let none = signals(&[], Intent::Feedback);
        let vip = decide("payment", &none, CustomerTier::Vip, 1);
        assert_eq!(vip.priority, Priority::High);
        assert!(vip.reasons.contains(&"raised to high: vip customer".to_string()), "{:?}", vip.reasons);
        let inquiry = decide("inquiry", &none, CustomerTier::KeyAccount, 1);
        assert_eq!(inquiry.priority, Priority::Medium);
        let many = decide("inquiry", &none, CustomerTier::Standard, 6);
        assert_eq!(many.priority, Priority::Medium);
        assert!(many.reasons.iter().any(|r| r.contains("6 customers")));
        let all = decide("inquiry", &none, CustomerTier::Vip, 60);
        assert_eq!(all.priority, Priority::High, "{:?}", all.reasons);
        // Frequency alone lifts a common problem to medium; high takes a serious problem
        // many report (DESIGN.md "Priority": `many_serious`) or a wide scope.
        let waits = decide("service_complaint", &none, CustomerTier::Standard, 6);
        assert_eq!(waits.priority, Priority::Medium, "{:?}", waits.reasons);
        assert!(waits.reasons.iter().any(|r| r.starts_with("not raised (at most medium by raising): 6 customers")));
        assert_eq!(decide("technical", &none, CustomerTier::Standard, 25).priority, Priority::High);
    }

    #[test]
    fn large_outage_and_wide_data_leak_are_urgent() {
        let outage = signals(&[(SignalKind::CoreFailure, "无法登录")], Intent::Complaint);
        assert_eq!(decide("technical", &outage, CustomerTier::Standard, 1).priority, Priority::High);
        assert_eq!(decide("technical", &outage, CustomerTier::Standard, 80).priority, Priority::Urgent);
        let leak = signals(&[(SignalKind::Privacy, "泄露")], Intent::Complaint);
        assert_eq!(decide("technical", &leak, CustomerTier::Standard, 4).priority, Priority::Urgent);
    }

    #[test]
    fn rules_are_editable_data() {
        let mut rules = PriorityRules::defaults().unwrap();
        let json = serde_json::to_string(&rules).unwrap();
        assert_eq!(PriorityRules::from_json(&json).unwrap(), rules);
        rules.rules.retain(|r| r.id != "safety_hazard");
        rules.version = 2;
        let s = signals(&[(SignalKind::Safety, "起火")], Intent::Complaint);
        let d = rules.decide(&Facts {
            category: "product_quality",
            signals: &s,
            urgency: Urgency::High,
            scope: ImpactScope::Single,
            tier: CustomerTier::Standard,
            cluster_size: 1,
            model: None,
        });
        assert_eq!((d.priority, d.rules_version), (Priority::Medium, 2));
        let bad = r#"{"version":1,"default":"low","max_raised":"high","rules":[{"id":"x","when":{"cluster_at_least":2},"reason":"r"}]}"#;
        assert!(PriorityRules::from_json(bad).is_err());
    }
}
