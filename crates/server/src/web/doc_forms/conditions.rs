//! A priority rule's condition as form fields, when it is one condition or "all of" simple
//! ones: signals that fired or did not, categories, customer tiers, intent (or not),
//! urgency, impact scope and cluster size. Anything else ("any of", nested groups, the
//! learned model's vote) cannot be shown as fields: the form lists it read-only and keeps
//! it as it is.

use super::{list, Fields};
use loopdesk_core::{CustomerTier, ImpactScope, Urgency};
use loopdesk_triage::priority::Condition;
use loopdesk_triage::{Intent, SignalKind};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Intents in the order shown.
pub const INTENTS: [Intent; 3] = [Intent::Inquiry, Intent::Complaint, Intent::Feedback];

/// A condition the form can show: every part set must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conj {
    pub signals: Vec<SignalKind>,
    pub not_signals: Vec<SignalKind>,
    pub categories: Vec<String>,
    pub tiers: Vec<CustomerTier>,
    pub intent: Option<Intent>,
    pub not_intent: Option<Intent>,
    pub urgency: Option<Urgency>,
    pub scope: Option<ImpactScope>,
    pub cluster: Option<u32>,
}

/// The serialised name of a value (`public_outcry`).
pub fn name<E: Serialize>(e: &E) -> String {
    serde_json::to_value(e).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The value named `s`.
pub fn parse<E: DeserializeOwned>(s: &str) -> Option<E> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

fn set_once<V>(slot: &mut Option<V>, v: V) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(v);
            Some(())
        }
    }
}

fn add(c: &mut Conj, atom: &Condition) -> Option<()> {
    match atom {
        Condition::Signal(k) if !c.signals.contains(k) => c.signals.push(*k),
        Condition::Not(inner) => match inner.as_ref() {
            Condition::Signal(k) if !c.not_signals.contains(k) => c.not_signals.push(*k),
            Condition::Intent(i) => set_once(&mut c.not_intent, *i)?,
            _ => return None,
        },
        Condition::Category(ids) if c.categories.is_empty() && !ids.is_empty() => c.categories = ids.clone(),
        Condition::Tier(ts) if c.tiers.is_empty() && !ts.is_empty() => {
            c.tiers = CustomerTier::ALL.iter().copied().filter(|t| ts.contains(t)).collect()
        }
        Condition::Intent(i) => set_once(&mut c.intent, *i)?,
        Condition::UrgencyAtLeast(u) => set_once(&mut c.urgency, *u)?,
        Condition::ScopeAtLeast(s) => set_once(&mut c.scope, *s)?,
        Condition::ClusterAtLeast(n) => set_once(&mut c.cluster, *n)?,
        _ => return None,
    }
    Some(())
}

fn in_kind_order(mut v: Vec<SignalKind>) -> Vec<SignalKind> {
    v.sort_by_key(|k| SignalKind::ALL.iter().position(|x| x == k));
    v
}

/// The condition as fields, or `None` when it cannot be shown as fields.
pub fn decompose(cond: &Condition) -> Option<Conj> {
    let atoms = match cond {
        Condition::All(cs) if cs.is_empty() => return None,
        Condition::All(cs) => cs.as_slice(),
        one => std::slice::from_ref(one),
    };
    let mut c = Conj::default();
    for atom in atoms {
        add(&mut c, atom)?;
    }
    c.signals = in_kind_order(c.signals);
    c.not_signals = in_kind_order(c.not_signals);
    Some(c)
}

/// The condition the fields say; `None` when they say nothing.
pub fn compose(c: &Conj) -> Option<Condition> {
    let not = |x: Condition| Condition::Not(Box::new(x));
    let mut atoms: Vec<Condition> = c.signals.iter().map(|k| Condition::Signal(*k)).collect();
    atoms.extend(c.not_signals.iter().map(|k| not(Condition::Signal(*k))));
    if !c.categories.is_empty() {
        atoms.push(Condition::Category(c.categories.clone()));
    }
    if !c.tiers.is_empty() {
        atoms.push(Condition::Tier(c.tiers.clone()));
    }
    atoms.extend(c.intent.map(Condition::Intent));
    atoms.extend(c.not_intent.map(|i| not(Condition::Intent(i))));
    atoms.extend(c.urgency.map(Condition::UrgencyAtLeast));
    atoms.extend(c.scope.map(Condition::ScopeAtLeast));
    atoms.extend(c.cluster.map(Condition::ClusterAtLeast));
    match atoms.len() {
        0 => None,
        1 => atoms.pop(),
        _ => Some(Condition::All(atoms)),
    }
}

/// Writes `c` into the fields of the rule under `p`.
pub fn set_fields(f: &mut Fields, p: &str, c: &Conj) {
    for k in &c.signals {
        f.set(format!("{p}.sig.{}", name(k)), "on");
    }
    for k in &c.not_signals {
        f.set(format!("{p}.nsig.{}", name(k)), "on");
    }
    f.set(format!("{p}.categories"), c.categories.join(", "));
    for x in &c.tiers {
        f.set(format!("{p}.tier.{}", x.as_str()), "on");
    }
    f.set(format!("{p}.intent"), c.intent.map(|i| name(&i)).unwrap_or_default());
    f.set(format!("{p}.not_intent"), c.not_intent.map(|i| name(&i)).unwrap_or_default());
    f.set(format!("{p}.urgency"), c.urgency.map(|u| u.as_str()).unwrap_or_default());
    f.set(format!("{p}.scope"), c.scope.map(|s| s.as_str()).unwrap_or_default());
    f.set(format!("{p}.cluster"), c.cluster.map(|n| n.to_string()).unwrap_or_default());
}

/// The condition in the fields of the rule under `p`; a cluster size that is no whole
/// number from 2 is refused at `{p}.cluster`.
pub fn read_fields(f: &mut Fields, p: &str, err_cluster: &str) -> Conj {
    let sigs = |f: &Fields, kind: &str| -> Vec<SignalKind> {
        SignalKind::ALL.iter().copied().filter(|k| f.checked(&format!("{p}.{kind}.{}", name(k)))).collect()
    };
    let cluster = match f.get(&format!("{p}.cluster")).map(str::parse::<u32>) {
        None => None,
        Some(Ok(n)) if (2..=1_000_000).contains(&n) => Some(n),
        Some(_) => {
            f.refuse(format!("{p}.cluster"), err_cluster);
            None
        }
    };
    Conj {
        signals: sigs(f, "sig"),
        not_signals: sigs(f, "nsig"),
        categories: list(f.v(&format!("{p}.categories"))),
        tiers: CustomerTier::ALL.iter().copied().filter(|x| f.checked(&format!("{p}.tier.{}", x.as_str()))).collect(),
        intent: f.get(&format!("{p}.intent")).and_then(parse),
        not_intent: f.get(&format!("{p}.not_intent")).and_then(parse),
        urgency: f.get(&format!("{p}.urgency")).and_then(|u| u.parse().ok()),
        scope: f.get(&format!("{p}.scope")).and_then(|s| s.parse().ok()),
        cluster,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_conditions_round_trip_and_the_rest_are_not_fields() {
        let rules = loopdesk_triage::PriorityRules::defaults().unwrap();
        let mut shown = 0;
        for r in &rules.rules {
            if let Some(c) = decompose(&r.when) {
                shown += 1;
                assert_eq!(decompose(&compose(&c).unwrap()), Some(c.clone()), "{}", r.id);
                let mut f = Fields::default();
                set_fields(&mut f, "r0", &c);
                assert_eq!(read_fields(&mut f, "r0", "bad"), c, "{}", r.id);
            }
        }
        assert!(shown >= rules.rules.len() - 2, "{shown}");
        let any = Condition::Any(vec![Condition::Signal(SignalKind::Safety)]);
        assert_eq!(decompose(&any), None);
        let twice = Condition::All(vec![Condition::ClusterAtLeast(3), Condition::ClusterAtLeast(5)]);
        assert_eq!(decompose(&twice), None);
    }
}
