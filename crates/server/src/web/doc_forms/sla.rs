//! The SLA policy as a form: per priority, each target's working time (amount and unit)
//! and the calendar it is counted on, where the result clock starts, the intake targets,
//! the warning share and reassignment on breach. Overrides stay as they are (advanced).

use super::Fields;
use crate::web::i18n::T;
use loopdesk_core::sla::{Anchor, Budget, PriorityTargets, SlaPolicy, Target};

/// Priorities in the order shown.
pub const PRIORITIES: [&str; 4] = ["urgent", "high", "medium", "low"];
/// Targets in the order shown: what customers feel first.
pub const TARGETS: [&str; 5] = ["first_response", "result", "plan", "acknowledge", "approval"];
/// Units of a budget, as the form names them.
pub const UNITS: [&str; 3] = ["minutes", "hours", "days"];

/// One target's inputs: `{name}.amount`, `{name}.unit`, `{name}.calendar`.
pub struct TargetCell {
    pub name: String,
    pub label: String,
    pub amount: String,
    pub unit: String,
    pub calendar: String,
    pub error: Option<String>,
}

/// One priority's targets.
pub struct PriorityCard {
    pub key: &'static str,
    pub label: String,
    pub cells: Vec<TargetCell>,
    pub result_from: String,
}

/// The whole form as the page shows it.
pub struct SlaForm {
    pub warn_percent: String,
    pub warn_error: Option<String>,
    pub reassign: bool,
    pub intake: Vec<TargetCell>,
    pub priorities: Vec<PriorityCard>,
    pub calendars: Vec<String>,
    pub units: Vec<(&'static str, String)>,
    pub general: Option<String>,
}

impl SlaForm {
    /// Whether `calendar` is one of the calendars in force (a target may name one that is
    /// gone; it is shown, and saving refuses it).
    pub fn known(&self, calendar: &str) -> bool {
        self.calendars.iter().any(|c| c == calendar)
    }
}

fn priority<'a>(p: &'a SlaPolicy, key: &str) -> &'a PriorityTargets {
    match key {
        "urgent" => &p.priorities.urgent,
        "high" => &p.priorities.high,
        "medium" => &p.priorities.medium,
        _ => &p.priorities.low,
    }
}

fn priority_mut<'a>(p: &'a mut SlaPolicy, key: &str) -> &'a mut PriorityTargets {
    match key {
        "urgent" => &mut p.priorities.urgent,
        "high" => &mut p.priorities.high,
        "medium" => &mut p.priorities.medium,
        _ => &mut p.priorities.low,
    }
}

fn target<'a>(t: &'a PriorityTargets, key: &str) -> &'a Target {
    match key {
        "first_response" => &t.first_response,
        "result" => &t.result,
        "plan" => &t.plan,
        "acknowledge" => &t.acknowledge,
        _ => &t.approval,
    }
}

fn target_mut<'a>(t: &'a mut PriorityTargets, key: &str) -> &'a mut Target {
    match key {
        "first_response" => &mut t.first_response,
        "result" => &mut t.result,
        "plan" => &mut t.plan,
        "acknowledge" => &mut t.acknowledge,
        _ => &mut t.approval,
    }
}

fn put_target(f: &mut Fields, name: &str, t: &Target) {
    let (amount, unit) = match t.budget {
        Budget::WorkingMinutes(n) => (n, "minutes"),
        Budget::WorkingHours(n) => (n, "hours"),
        Budget::WorkingDays(n) => (n, "days"),
    };
    f.set(format!("{name}.amount"), amount.to_string());
    f.set(format!("{name}.unit"), unit);
    f.set(format!("{name}.calendar"), t.calendar.clone());
}

/// The fields of `policy`.
pub fn fields(policy: &SlaPolicy) -> Fields {
    let mut f = Fields::default();
    f.set("warn_percent", policy.warn_percent.to_string());
    if policy.reassign_on_breach {
        f.set("reassign_on_breach", "on");
    }
    put_target(&mut f, "intake.staff_entered", &policy.intake.staff_entered);
    put_target(&mut f, "intake.system", &policy.intake.system);
    for p in PRIORITIES {
        let targets = priority(policy, p);
        for t in TARGETS {
            put_target(&mut f, &format!("{p}.{t}"), target(targets, t));
        }
        f.set(format!("{p}.result_from"), targets.result_from.as_str());
    }
    f
}

fn read_target(f: &mut Fields, t: &T, name: &str, calendars: &[String]) -> Option<Target> {
    let amount = f.number(t, &format!("{name}.amount"), 1, 100_000);
    let unit = f.v(&format!("{name}.unit")).to_string();
    let calendar = f.v(&format!("{name}.calendar")).trim().to_string();
    if !calendars.contains(&calendar) {
        f.refuse(format!("{name}.amount"), t.get("form.err_calendar"));
        return None;
    }
    let budget = match unit.as_str() {
        "minutes" => Budget::WorkingMinutes(amount?),
        "hours" => Budget::WorkingHours(amount?),
        "days" => Budget::WorkingDays(amount?),
        _ => {
            f.refuse(format!("{name}.amount"), t.get("form.err_required"));
            return None;
        }
    };
    Some(Target { budget, calendar })
}

/// `policy` with the posted fields applied; `None` when a field was refused (the refusals
/// are in `f`).
pub fn apply(mut policy: SlaPolicy, f: &mut Fields, t: &T, calendars: &[String]) -> Option<SlaPolicy> {
    if let Some(n) = f.number(t, "warn_percent", 1, 100) {
        policy.warn_percent = n as u8;
    }
    policy.reassign_on_breach = f.checked("reassign_on_breach");
    if let Some(x) = read_target(f, t, "intake.staff_entered", calendars) {
        policy.intake.staff_entered = x;
    }
    if let Some(x) = read_target(f, t, "intake.system", calendars) {
        policy.intake.system = x;
    }
    for p in PRIORITIES {
        for k in TARGETS {
            if let Some(x) = read_target(f, t, &format!("{p}.{k}"), calendars) {
                *target_mut(priority_mut(&mut policy, p), k) = x;
            }
        }
        let anchor = Anchor::parse(f.v(&format!("{p}.result_from"))).unwrap_or(Anchor::FirstResponse);
        priority_mut(&mut policy, p).result_from = anchor;
    }
    (!f.has_errors()).then_some(policy)
}

fn cell(f: &Fields, name: String, label: String) -> TargetCell {
    TargetCell {
        amount: f.v(&format!("{name}.amount")).to_string(),
        unit: f.v(&format!("{name}.unit")).to_string(),
        calendar: f.v(&format!("{name}.calendar")).to_string(),
        error: f.err(&format!("{name}.amount")),
        label,
        name,
    }
}

/// The form as shown from `f` (the policy's values, or what was typed).
pub fn view(f: &Fields, t: &T, calendars: Vec<String>) -> SlaForm {
    SlaForm {
        warn_percent: f.v("warn_percent").to_string(),
        warn_error: f.err("warn_percent"),
        reassign: f.checked("reassign_on_breach"),
        intake: ["staff_entered", "system"]
            .into_iter()
            .map(|k| cell(f, format!("intake.{k}"), t.get(&format!("sla_form.intake_{k}")).to_string()))
            .collect(),
        priorities: PRIORITIES
            .into_iter()
            .map(|p| PriorityCard {
                key: p,
                label: t.name("priority", p),
                cells: TARGETS.into_iter().map(|k| cell(f, format!("{p}.{k}"), t.name("sla_form", k))).collect(),
                result_from: f.v(&format!("{p}.result_from")).to_string(),
            })
            .collect(),
        calendars,
        units: UNITS.into_iter().map(|u| (u, t.name("sla_form", u))).collect(),
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_survives_its_own_form() {
        let t = T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ };
        let policy = SlaPolicy::default();
        let mut f = fields(&policy);
        let calendars = vec!["default".to_string(), "24x7".to_string()];
        assert_eq!(apply(policy.clone(), &mut f, &t, &calendars), Some(policy.clone()));
        f.set("high.first_response.amount", "abc");
        f.set("low.result.calendar", "nowhere");
        assert_eq!(apply(policy, &mut f, &t, &calendars), None);
        assert!(f.err("high.first_response.amount").is_some() && f.err("low.result.amount").is_some());
    }
}
