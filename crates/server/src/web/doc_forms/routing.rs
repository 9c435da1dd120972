//! Routing rules as a form: one row per rule, in order (the first match wins) — its
//! conditions (categories, sub-tags, products, languages as lists; channels, customer
//! tiers and priorities ticked), the owning department, collaborating departments and the
//! skills the assignee needs — plus a blank row to add a rule and the fallback department.

use super::{list, Fields};
use crate::web::i18n::T;
use loopdesk_core::routing::{Match, RoutingRule, RoutingRules};
use loopdesk_core::{Channel, CustomerTier, DepartmentId, Priority};

/// A choice among fixed values, ticked or not.
pub struct Tick {
    pub name: String,
    pub label: String,
    pub on: bool,
}

/// One rule's inputs, named `r{index}.…`.
pub struct RuleRow {
    pub prefix: String,
    pub number: usize,
    pub name: String,
    pub categories: String,
    pub subtags: String,
    pub products: String,
    pub languages: String,
    pub skills: String,
    pub department: String,
    pub channels: Vec<Tick>,
    pub tiers: Vec<Tick>,
    pub priorities: Vec<Tick>,
    pub also: Vec<Tick>,
    pub errors: Vec<String>,
    /// The blank row that adds a rule.
    pub is_new: bool,
}

/// The whole form as the page shows it.
pub struct RoutingForm {
    pub rules: Vec<RuleRow>,
    pub departments: Vec<(String, String)>,
    pub fallback: String,
    pub general: Option<String>,
}

fn join<T: AsRef<str>>(items: &[T]) -> String {
    items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
}

/// The fields of `rules`: rule `i` under `r{i}.`, and the count.
pub fn fields(rules: &RoutingRules) -> Fields {
    let mut f = Fields::default();
    for (i, r) in rules.rules.iter().enumerate() {
        let p = format!("r{i}");
        f.set(format!("{p}.name"), r.name.clone());
        f.set(format!("{p}.categories"), join(&r.when.categories));
        f.set(format!("{p}.subtags"), join(&r.when.subtags));
        f.set(format!("{p}.products"), join(&r.when.products));
        f.set(format!("{p}.languages"), join(&r.when.languages));
        f.set(format!("{p}.skills"), join(&r.skills));
        for c in &r.when.channels {
            f.set(format!("{p}.channel.{}", c.as_str()), "on");
        }
        for x in &r.when.tiers {
            f.set(format!("{p}.tier.{}", x.as_str()), "on");
        }
        for x in &r.when.priorities {
            f.set(format!("{p}.priority.{}", x.as_str()), "on");
        }
        if let Some((owner, others)) = r.departments.split_first() {
            f.set(format!("{p}.department"), owner.0.to_string());
            for d in others {
                f.set(format!("{p}.also.{}", d.0), "on");
            }
        }
    }
    f.set("count", rules.rules.len().to_string());
    if let Some(d) = rules.fallback_department {
        f.set("fallback", d.0.to_string());
    }
    f
}

fn ticked<E: Copy>(f: &Fields, p: &str, kind: &str, all: &[E], name: impl Fn(E) -> &'static str) -> Vec<E> {
    all.iter().copied().filter(|e| f.checked(&format!("{p}.{kind}.{}", name(*e)))).collect()
}

/// The rules from the posted fields (rows with `remove` ticked dropped, the blank row
/// added when it has a name); `None` when a field was refused.
pub fn apply(f: &mut Fields, t: &T, departments: &[DepartmentId]) -> Option<RoutingRules> {
    let count: usize = f.get("count").and_then(|c| c.parse().ok()).unwrap_or(0).min(500);
    let mut rules = Vec::new();
    for i in 0..=count {
        let p = format!("r{i}");
        let name = f.v(&format!("{p}.name")).trim().to_string();
        let is_new = i == count;
        if f.checked(&format!("{p}.remove")) || (is_new && name.is_empty()) {
            continue;
        }
        if name.is_empty() || name.chars().count() > 100 {
            f.refuse(format!("{p}.name"), t.get("form.err_name"));
        }
        let owner = f.get(&format!("{p}.department")).and_then(|d| d.parse().ok()).map(DepartmentId);
        let Some(owner) = owner else {
            f.refuse(format!("{p}.department"), t.get("form.err_required"));
            continue;
        };
        let mut depts = vec![owner];
        depts.extend(departments.iter().filter(|d| **d != owner && f.checked(&format!("{p}.also.{}", d.0))));
        let when = Match {
            categories: list(f.v(&format!("{p}.categories"))),
            subtags: list(f.v(&format!("{p}.subtags"))),
            products: list(f.v(&format!("{p}.products"))),
            languages: list(f.v(&format!("{p}.languages"))),
            channels: ticked(f, &p, "channel", Channel::ALL, Channel::as_str),
            tiers: ticked(f, &p, "tier", CustomerTier::ALL, CustomerTier::as_str),
            priorities: ticked(f, &p, "priority", Priority::ALL, Priority::as_str),
        };
        rules.push(RoutingRule { name, when, departments: depts, skills: list(f.v(&format!("{p}.skills"))) });
    }
    let fallback_department = f.get("fallback").and_then(|d| d.parse().ok()).map(DepartmentId);
    (!f.has_errors()).then_some(RoutingRules { rules, fallback_department })
}

fn ticks<E: Copy>(f: &Fields, t: &T, p: &str, kind: &str, all: &[E], name: impl Fn(E) -> &'static str) -> Vec<Tick> {
    all.iter()
        .map(|e| {
            let field = format!("{p}.{kind}.{}", name(*e));
            Tick { on: f.checked(&field), label: t.name(kind, name(*e)), name: field }
        })
        .collect()
}

/// The form as shown from `f`, with one blank row to add a rule.
pub fn view(f: &Fields, t: &T, departments: Vec<(i64, String)>) -> RoutingForm {
    let count: usize = f.get("count").and_then(|c| c.parse().ok()).unwrap_or(0).min(500);
    let rules = (0..=count)
        .map(|i| {
            let p = format!("r{i}");
            let v = |k: &str| f.v(&format!("{p}.{k}")).to_string();
            let errors = ["name", "department"].iter().filter_map(|k| f.err(&format!("{p}.{k}"))).collect();
            RuleRow {
                number: i + 1,
                name: v("name"),
                categories: v("categories"),
                subtags: v("subtags"),
                products: v("products"),
                languages: v("languages"),
                skills: v("skills"),
                department: v("department"),
                channels: ticks(f, t, &p, "channel", Channel::ALL, Channel::as_str),
                tiers: ticks(f, t, &p, "tier", CustomerTier::ALL, CustomerTier::as_str),
                priorities: ticks(f, t, &p, "priority", Priority::ALL, Priority::as_str),
                also: departments
                    .iter()
                    .map(|(id, name)| {
                        let field = format!("{p}.also.{id}");
                        Tick { on: f.checked(&field), label: name.clone(), name: field }
                    })
                    .collect(),
                errors,
                is_new: i == count,
                prefix: p,
            }
        })
        .collect();
    RoutingForm {
        rules,
        departments: departments.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        fallback: f.v("fallback").to_string(),
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_survive_their_own_form_and_the_blank_row_adds_one() {
        let t = T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ };
        let d = [DepartmentId(1), DepartmentId(2)];
        let rules = RoutingRules {
            rules: vec![RoutingRule {
                name: "付款".into(),
                when: Match {
                    categories: vec!["payment".into()],
                    priorities: vec![Priority::High],
                    channels: vec![Channel::Wechat],
                    ..Match::default()
                },
                departments: vec![d[1], d[0]],
                skills: vec!["退款".into()],
            }],
            fallback_department: Some(d[0]),
        };
        let mut f = fields(&rules);
        assert_eq!(apply(&mut f.clone(), &t, &d), Some(rules.clone()));
        f.set("r1.name", "物流");
        f.set("r1.department", "2");
        let added = apply(&mut f, &t, &d).unwrap();
        assert_eq!(added.rules.len(), 2);
        assert_eq!(added.rules[1].departments, [d[1]]);
        let mut f = fields(&rules);
        f.set("r0.name", " ");
        assert_eq!(apply(&mut f, &t, &d), None);
        assert!(f.err("r0.name").is_some());
    }
}
