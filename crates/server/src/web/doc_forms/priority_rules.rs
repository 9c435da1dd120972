//! The priority rules as a form: the starting priority per category and for any other,
//! the highest a raise may reach, and one row per rule in order — its id, what it does
//! (set a priority, raise or lower one step), a raise's cap, its reason, and its
//! condition as fields where it can be ([`super::conditions`]); a condition that cannot
//! is listed read-only and kept. A blank row adds a rule.

use super::conditions::{self, compose, decompose, Conj, INTENTS};
use super::widgets::{self, Choice, Input, Tick};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_core::{CustomerTier, ImpactScope, Priority, Urgency};
use loopdesk_triage::priority::{Condition, Rule};
use loopdesk_triage::{PriorityRules, SignalKind};

const MAX_RULES: usize = 300;
/// What a rule does, as the form names it.
const EFFECTS: [&str; 6] = ["set_urgent", "set_high", "set_medium", "set_low", "raise", "lower"];

/// One rule's inputs, named `r{i}.…`.
pub struct RuleRow {
    pub prefix: String,
    pub number: usize,
    pub id: Input,
    pub effect: Choice,
    pub up_to: Choice,
    pub over_model: Tick,
    pub reason: Input,
    /// The condition as fields; `None` when it is shown read-only.
    pub when: Option<WhenFields>,
    /// The condition as JSON, when it cannot be shown as fields.
    pub fixed: Option<String>,
    pub is_new: bool,
    pub open: bool,
}

/// A condition's inputs.
pub struct WhenFields {
    pub ticks: Vec<(String, Vec<Tick>)>,
    pub inputs: Vec<Input>,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

/// The whole form as the page shows it.
pub struct PriorityForm {
    pub default: Choice,
    pub max_raised: Choice,
    pub base: Vec<Choice>,
    pub rules: Vec<RuleRow>,
    pub general: Option<String>,
    pub comment_error: Option<String>,
}

fn count(f: &Fields) -> usize {
    f.get("count").and_then(|c| c.parse().ok()).unwrap_or(0).min(MAX_RULES)
}

fn effect(r: &Rule) -> String {
    match (r.set, r.raise, r.lower) {
        (Some(p), ..) => format!("set_{}", p.as_str()),
        (None, true, _) => "raise".into(),
        (None, false, true) => "lower".into(),
        _ => String::new(),
    }
}

/// The fields of `rules`; `categories` are the ids the base priorities are shown for.
pub fn fields(rules: &PriorityRules, categories: &[String]) -> Fields {
    let mut f = Fields::default();
    f.set("default", rules.default.as_str());
    f.set("max_raised", rules.max_raised.as_str());
    for c in categories {
        f.set(format!("base.{c}"), rules.base.get(c).map(|p| p.as_str()).unwrap_or_default());
    }
    for (i, r) in rules.rules.iter().enumerate() {
        let p = format!("r{i}");
        f.set(format!("{p}.id"), r.id.clone());
        f.set(format!("{p}.effect"), effect(r));
        f.set(format!("{p}.up_to"), r.up_to.map(|x| x.as_str()).unwrap_or_default());
        if r.over_model {
            f.set(format!("{p}.over_model"), "on");
        }
        f.set(format!("{p}.reason"), r.reason.clone());
        if let Some(c) = decompose(&r.when) {
            conditions::set_fields(&mut f, &p, &c);
        }
    }
    f.set("count", rules.rules.len().to_string());
    f
}

fn priority(f: &mut Fields, t: &T, name: &str) -> Option<Priority> {
    let p = f.get(name).and_then(|v| v.parse().ok());
    if p.is_none() {
        f.refuse(name, t.get("form.err_required"));
    }
    p
}

/// The condition of row `p`: the one in force when it cannot be shown as fields or its
/// fields are unchanged, else the one the fields say.
fn condition(f: &mut Fields, t: &T, p: &str, old: Option<&Condition>) -> Option<Condition> {
    let old_fields = old.map(|c| (c, decompose(c)));
    if let Some((c, None)) = old_fields {
        return Some(c.clone());
    }
    let posted: Conj = conditions::read_fields(f, p, t.get("triage_form.err_cluster"));
    if let Some((c, Some(shown))) = old_fields {
        if shown == posted {
            return Some(c.clone());
        }
    }
    let cond = compose(&posted);
    if cond.is_none() {
        f.refuse(format!("{p}.when"), t.get("triage_form.err_when"));
    }
    cond
}

fn rule(f: &mut Fields, t: &T, p: &str, old: Option<&Rule>, taken: &[String]) -> Option<Rule> {
    let id = f.v(&format!("{p}.id")).trim().to_string();
    let valid = (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    if !valid {
        f.refuse(format!("{p}.id"), t.get("triage_form.err_id"));
    } else if taken.contains(&id) {
        f.refuse(format!("{p}.id"), t.get("triage_form.err_duplicate"));
    }
    let reason = f.v(&format!("{p}.reason")).trim().to_string();
    if reason.is_empty() || reason.chars().count() > 300 {
        f.refuse(format!("{p}.reason"), t.get("form.err_required"));
    }
    let effect = f.get(&format!("{p}.effect")).unwrap_or_default().to_string();
    if !EFFECTS.contains(&effect.as_str()) {
        f.refuse(format!("{p}.effect"), t.get("form.err_required"));
    }
    let when = condition(f, t, p, old.map(|r| &r.when))?;
    Some(Rule {
        id,
        when,
        set: effect.strip_prefix("set_").and_then(|x| x.parse().ok()),
        raise: effect == "raise",
        up_to: f.get(&format!("{p}.up_to")).and_then(|x| x.parse().ok()),
        lower: effect == "lower",
        over_model: f.checked(&format!("{p}.over_model")),
        reason,
    })
}

/// `old` with the posted values (rows with `remove` ticked dropped, the blank row added
/// when it has an id); `None` when a field was refused.
pub fn apply(old: PriorityRules, f: &mut Fields, t: &T, categories: &[String]) -> Option<PriorityRules> {
    let mut new = old.clone();
    new.default = priority(f, t, "default").unwrap_or(old.default);
    new.max_raised = priority(f, t, "max_raised").unwrap_or(old.max_raised);
    new.base =
        categories.iter().filter_map(|c| Some((c.clone(), f.get(&format!("base.{c}"))?.parse().ok()?))).collect();
    let n = count(f);
    new.rules = Vec::new();
    for i in 0..=n {
        let p = format!("r{i}");
        if f.checked(&format!("{p}.remove")) || (i == n && f.get(&format!("{p}.id")).is_none()) {
            continue;
        }
        let taken: Vec<String> = new.rules.iter().map(|r| r.id.clone()).collect();
        let old_rule = if i < n { old.rules.get(i) } else { None };
        if let Some(r) = rule(f, t, &p, old_rule, &taken) {
            new.rules.push(r);
        }
    }
    (!f.has_errors()).then_some(new)
}

fn priorities(t: &T, blank: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = blank.map(|b| vec![(String::new(), b.to_string())]).unwrap_or_default();
    out.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), t.name("priority", p.as_str()))));
    out
}

fn when_fields(f: &Fields, t: &T, p: &str) -> WhenFields {
    let sig_ticks = |kind: &str| -> Vec<Tick> {
        SignalKind::ALL
            .iter()
            .map(|k| {
                let n = conditions::name(k);
                widgets::tick(f, format!("{p}.{kind}.{n}"), t.name("signal", &n))
            })
            .collect()
    };
    let tiers: Vec<Tick> = CustomerTier::ALL
        .iter()
        .map(|x| widgets::tick(f, format!("{p}.tier.{}", x.as_str()), t.name("tier", x.as_str())))
        .collect();
    let any = t.get("triage_form.any").to_string();
    let named = |prefix: &str, names: Vec<String>| -> Vec<(String, String)> {
        let mut out = vec![(String::new(), any.clone())];
        out.extend(names.into_iter().map(|n| (n.clone(), t.get(&format!("triage_form.{prefix}.{n}")).to_string())));
        out
    };
    let intents: Vec<String> = INTENTS.iter().map(conditions::name).collect();
    let label = |k: &str| t.get(&format!("triage_form.when_{k}")).to_string();
    WhenFields {
        ticks: vec![
            (label("signals"), sig_ticks("sig")),
            (label("not_signals"), sig_ticks("nsig")),
            (label("tiers"), tiers),
        ],
        inputs: vec![
            widgets::input(f, format!("{p}.categories"), label("categories")),
            widgets::input(f, format!("{p}.cluster"), label("cluster")),
        ],
        choices: vec![
            widgets::choice(f, format!("{p}.intent"), label("intent"), named("intent", intents.clone())),
            widgets::choice(f, format!("{p}.not_intent"), label("not_intent"), named("intent", intents)),
            widgets::choice(
                f,
                format!("{p}.urgency"),
                label("urgency"),
                named("urgency", Urgency::ALL.iter().map(|u| u.as_str().to_string()).collect()),
            ),
            widgets::choice(
                f,
                format!("{p}.scope"),
                label("scope"),
                named("scope", ImpactScope::ALL.iter().map(|s| s.as_str().to_string()).collect()),
            ),
        ],
        error: f.err(&format!("{p}.when")),
    }
}

/// The form as shown from `f`; `in_force` gives the conditions shown read-only;
/// `categories` are (id, name) for the base priorities.
pub fn view(f: &Fields, t: &T, in_force: &PriorityRules, categories: &[(String, String)]) -> PriorityForm {
    let n = count(f);
    let effects: Vec<(String, String)> =
        EFFECTS.iter().map(|e| (e.to_string(), t.get(&format!("triage_form.effect.{e}")).to_string())).collect();
    let rules = (0..=n)
        .map(|i| {
            let p = format!("r{i}");
            let fixed = in_force.rules.get(i).filter(|_| i < n).filter(|r| decompose(&r.when).is_none());
            let open = i == n
                || ["id", "reason", "effect", "when", "cluster"].iter().any(|k| f.err(&format!("{p}.{k}")).is_some());
            RuleRow {
                number: i + 1,
                id: widgets::input(f, format!("{p}.id"), t.get("triage_form.id")),
                effect: widgets::choice(f, format!("{p}.effect"), t.get("triage_form.effect"), {
                    let mut o = vec![(String::new(), String::new())];
                    o.extend(effects.iter().cloned());
                    o
                }),
                up_to: widgets::choice(f, format!("{p}.up_to"), t.get("triage_form.up_to"), priorities(t, Some("—"))),
                over_model: widgets::tick(f, format!("{p}.over_model"), t.get("triage_form.over_model")),
                reason: widgets::input(f, format!("{p}.reason"), t.get("triage_form.reason")),
                when: fixed.is_none().then(|| when_fields(f, t, &p)),
                fixed: fixed.map(|r| serde_json::to_string(&r.when).unwrap_or_default()),
                is_new: i == n,
                open,
                prefix: p,
            }
        })
        .collect();
    let default_label = t.get("triage_form.base_default").to_string();
    PriorityForm {
        default: widgets::choice(f, "default".into(), t.get("triage_form.default"), priorities(t, None)),
        max_raised: widgets::choice(f, "max_raised".into(), t.get("triage_form.max_raised"), priorities(t, None)),
        base: categories
            .iter()
            .map(|(id, label)| {
                widgets::choice(f, format!("base.{id}"), label.clone(), priorities(t, Some(default_label.as_str())))
            })
            .collect(),
        rules,
        general: f.general.clone(),
        comment_error: f.err("comment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> T {
        T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ }
    }

    fn cats(rules: &PriorityRules) -> Vec<String> {
        rules.base.keys().cloned().collect()
    }

    #[test]
    fn the_default_rules_survive_their_own_form() {
        let rules = PriorityRules::defaults().unwrap();
        let mut f = fields(&rules, &cats(&rules));
        assert_eq!(apply(rules.clone(), &mut f, &t(), &cats(&rules)), Some(rules));
    }

    #[test]
    fn a_rule_is_added_changed_and_refused_at_its_field() {
        let rules = PriorityRules::defaults().unwrap();
        let c = cats(&rules);
        let n = rules.rules.len();
        let mut f = fields(&rules, &c);
        f.set("base.ux", "medium");
        f.set("r2.effect", "set_high");
        f.set(format!("r{n}.id"), "vip_privacy");
        f.set(format!("r{n}.effect"), "set_urgent");
        f.set(format!("r{n}.reason"), "VIP privacy: {words}");
        f.set(format!("r{n}.sig.privacy"), "on");
        f.set(format!("r{n}.tier.vip"), "on");
        let new = apply(rules.clone(), &mut f, &t(), &c).unwrap();
        assert_eq!(new.base.get("ux"), Some(&Priority::Medium));
        assert_eq!(new.rules[2].set, Some(Priority::High));
        assert_eq!(new.rules[2].when, rules.rules[2].when);
        let added = &new.rules[n];
        assert_eq!(
            added.when,
            Condition::All(vec![Condition::Signal(SignalKind::Privacy), Condition::Tier(vec![CustomerTier::Vip])])
        );
        // A read-only condition is kept while its row changes.
        let any = rules.rules.iter().position(|r| decompose(&r.when).is_none()).unwrap();
        assert_eq!(new.rules[any].when, rules.rules[any].when);
        let mut f = fields(&rules, &c);
        f.set("r3.cluster", "many");
        f.set("r4.id", "safety_hazard");
        f.set(format!("r{n}.id"), "empty_condition");
        f.set(format!("r{n}.effect"), "raise");
        f.set(format!("r{n}.reason"), "x");
        assert_eq!(apply(rules.clone(), &mut f, &t(), &c), None);
        assert!(f.err("r3.cluster").is_some() && f.err("r4.id").is_some());
        assert!(f.err(&format!("r{n}.when")).is_some());
        let shown = view(&f, &t(), &rules, &[]);
        assert_eq!(shown.rules[3].when.as_ref().unwrap().inputs[1].value, "many");
        assert!(shown.rules[any].fixed.is_some());
    }
}
