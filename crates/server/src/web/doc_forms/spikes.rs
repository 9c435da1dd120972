//! Spike rules as a form: the window, the weeks of history the usual level is read from,
//! how far above usual is a spike, the fewest reports that can be one, and the admin's
//! fixed thresholds (a dimension, one value or all, a count).

use super::ops::{int, kept, rows, Input, Kind, OpsForm, Table};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_core::report::spike_rules::{SpikeDimension, SpikeRules, SpikeThreshold};

/// The fields of `rules`: thresholds under `t{i}.`.
pub fn fields(rules: &SpikeRules) -> Fields {
    let mut f = Fields::default();
    f.set("window_hours", rules.window_hours.to_string());
    f.set("weeks", rules.weeks.to_string());
    f.set("sigmas", rules.sigmas.to_string());
    f.set("min_count", rules.min_count.to_string());
    for (i, x) in rules.thresholds.iter().enumerate() {
        f.set(format!("t{i}.dimension"), x.dimension.as_str());
        f.set(format!("t{i}.value"), x.value.clone().unwrap_or_default());
        f.set(format!("t{i}.count"), x.count.to_string());
    }
    f.set("tcount", rules.thresholds.len().to_string());
    f
}

fn sigmas(f: &mut Fields, t: &T) -> Option<f64> {
    let parsed = f.get("sigmas").and_then(|s| s.parse::<f64>().ok()).filter(|s| (2.0..=20.0).contains(s));
    if parsed.is_none() {
        f.refuse("sigmas", t.get("spikes_form.err_sigmas"));
    }
    parsed
}

/// `rules` with the posted fields applied; `None` when a field was refused.
pub fn apply(mut rules: SpikeRules, f: &mut Fields, t: &T) -> Option<SpikeRules> {
    if let Some(n) = int(f, t, "window_hours", 1, 24) {
        rules.window_hours = n as usize;
    }
    if let Some(n) = int(f, t, "weeks", 2, 26) {
        rules.weeks = n as usize;
    }
    if let Some(s) = sigmas(f, t) {
        rules.sigmas = s;
    }
    if let Some(n) = int(f, t, "min_count", 1, 1_000_000) {
        rules.min_count = n;
    }
    rules.thresholds.clear();
    for p in kept(f, rows(f, "tcount"), "t", |p| f.get(&format!("{p}.count")).is_some()) {
        let dimension = SpikeDimension::parse(f.v(&format!("{p}.dimension")));
        if dimension.is_none() {
            f.refuse(format!("{p}.dimension"), t.get("form.err_required"));
        }
        let count = int(f, t, &format!("{p}.count"), 1, 1_000_000);
        let value = f.get(&format!("{p}.value")).map(str::to_string);
        if let (Some(dimension), Some(count)) = (dimension, count) {
            rules.thresholds.push(SpikeThreshold { dimension, value, count });
        }
    }
    (!f.has_errors()).then_some(rules)
}

/// The form as shown from `f`.
pub fn view(f: &Fields, t: &T) -> OpsForm {
    let l = |k: &str| t.get(&format!("spikes_form.{k}")).to_string();
    let single = ["window_hours", "weeks", "sigmas", "min_count"]
        .into_iter()
        .map(|k| Input::new(f, k.to_string(), l(k), Kind::Number))
        .collect();
    let heads = vec![l("dimension"), l("value"), l("count")];
    let dims: Vec<(String, String)> =
        SpikeDimension::ALL.iter().map(|d| (d.as_str().to_string(), t.name("dim", d.as_str()))).collect();
    let mut table = Table::build(
        "spikes-thresholds",
        l("thresholds"),
        "tcount",
        rows(f, "tcount"),
        heads.clone(),
        |p| {
            vec![
                Input::select(f, format!("{p}.dimension"), &heads[0], &dims),
                Input::new(f, format!("{p}.value"), &heads[1], Kind::Text).placeholder(l("all_values")),
                Input::new(f, format!("{p}.count"), &heads[2], Kind::Number),
            ]
        },
        "t",
    );
    table.hint = l("thresholds_hint");
    OpsForm {
        id: "spikes",
        title: l("title"),
        hint: l("hint"),
        single,
        tables: vec![table],
        general: f.general.clone(),
    }
}

/// Where a save's refusal at `path` goes on the form.
pub fn place(path: &str) -> Option<String> {
    let plain = path.strip_prefix("body.").filter(|k| ["window_hours", "weeks", "sigmas", "min_count"].contains(k));
    plain.map(str::to_string).or_else(|| super::ops::row_field(path, "thresholds", "t", |_| "count"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, DEFAULT_TZ};

    #[test]
    fn the_default_rules_survive_their_own_form_and_a_bad_number_is_refused_there() {
        let t = T { lang: Lang::En, tz: DEFAULT_TZ };
        let rules = SpikeRules::default();
        let mut f = fields(&rules);
        assert_eq!(apply(rules.clone(), &mut f.clone(), &t), Some(rules.clone()));
        f.set("t0.dimension", "product");
        f.set("t0.value", "X1");
        f.set("t0.count", "12");
        let added = apply(rules.clone(), &mut f.clone(), &t).unwrap();
        assert_eq!(added.thresholds[0].value.as_deref(), Some("X1"));
        assert_eq!(apply(added.clone(), &mut fields(&added), &t), Some(added));
        f.set("weeks", "1");
        f.set("sigmas", "abc");
        assert_eq!(apply(rules, &mut f, &t), None);
        assert!(f.err("weeks").is_some() && f.err("sigmas").is_some());
        assert_eq!(place("body.thresholds[3].count").as_deref(), Some("t3.count"));
    }
}
