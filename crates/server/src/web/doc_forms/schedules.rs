//! Report schedules as a form: one row per weekly or monthly summary — its name, how often,
//! the working day of the period and the time it is sent, its language, the mailboxes
//! that get it and whether the group robots get a short version.

use super::ops::{int, kept, rows, Input, Kind, OpsForm, Table};
use super::{list, Fields};
use crate::web::i18n::T;
use chrono::NaiveTime;
use loopdesk_app::summaries::{Schedule, SchedulesDoc};
use loopdesk_channels::templates::Lang;
use loopdesk_core::report::schedule::Every;

fn lang(l: Lang) -> &'static str {
    match l {
        Lang::ZhCn => "zh-CN",
        Lang::En => "en",
    }
}

/// The fields of `doc`: schedule `i` under `s{i}.`.
pub fn fields(doc: &SchedulesDoc) -> Fields {
    let mut f = Fields::default();
    for (i, s) in doc.summaries.iter().enumerate() {
        let p = format!("s{i}");
        f.set(format!("{p}.name"), s.name.clone());
        f.set(format!("{p}.every"), s.every.as_str());
        f.set(format!("{p}.working_day"), s.working_day.to_string());
        f.set(format!("{p}.at"), s.at.clone());
        f.set(format!("{p}.language"), lang(s.language));
        f.set(format!("{p}.emails"), s.emails.join("\n"));
        if s.robots {
            f.set(format!("{p}.robots"), "on");
        }
    }
    f.set("scount", doc.summaries.len().to_string());
    f
}

fn name_ok(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
}

/// The schedules from the posted fields; `None` when a field was refused.
pub fn apply(f: &mut Fields, t: &T) -> Option<SchedulesDoc> {
    let mut doc = SchedulesDoc::default();
    for p in kept(f, rows(f, "scount"), "s", |p| f.get(&format!("{p}.name")).is_some()) {
        let field = |k: &str| format!("{p}.{k}");
        let name = f.v(&field("name")).trim().to_string();
        if !name_ok(&name) {
            f.refuse(field("name"), t.get("schedules_form.err_name"));
        } else if doc.summaries.iter().any(|s| s.name == name) {
            f.refuse(field("name"), t.get("ops_form.err_twice"));
        }
        let every = Every::parse(f.v(&field("every"))).unwrap_or(Every::Month);
        let working_day = int(f, t, &field("working_day"), 1, 20);
        let at = f.v(&field("at")).trim().to_string();
        if NaiveTime::parse_from_str(&at, "%H:%M").is_err() || at.len() != 5 {
            f.refuse(field("at"), t.get("schedules_form.err_time"));
        }
        let language = if f.v(&field("language")) == "en" { Lang::En } else { Lang::ZhCn };
        let emails = list(f.v(&field("emails")));
        if let Some(bad) = emails.iter().find(|e| loopdesk_core::Email::parse(e).is_err()) {
            f.refuse(field("emails"), t.get("schedules_form.err_email").replace("{value}", bad));
        } else if emails.len() > 50 {
            f.refuse(field("emails"), t.get("form.err_range").replace("{min}", "0").replace("{max}", "50"));
        }
        let robots = f.checked(&field("robots"));
        if let Some(n) = working_day {
            doc.summaries.push(Schedule { name, every, working_day: n as u8, at, language, emails, robots });
        }
    }
    (!f.has_errors()).then_some(doc)
}

/// The form as shown from `f`.
pub fn view(f: &Fields, t: &T) -> OpsForm {
    let l = |k: &str| t.get(&format!("schedules_form.{k}")).to_string();
    let heads = vec![l("name"), l("every"), l("working_day"), l("at"), l("language"), l("emails"), l("robots")];
    let every: Vec<(String, String)> =
        Every::ALL.iter().map(|e| (e.as_str().to_string(), l(&format!("every_{}", e.as_str())))).collect();
    let languages = vec![("zh-CN".to_string(), "中文".to_string()), ("en".to_string(), "English".to_string())];
    let mut table = Table::build(
        "schedules-list",
        l("list"),
        "scount",
        rows(f, "scount"),
        heads.clone(),
        |p| {
            let mut cells = vec![
                Input::new(f, format!("{p}.name"), &heads[0], Kind::Text).placeholder("weekly-cs"),
                Input::select(f, format!("{p}.every"), &heads[1], &every),
                Input::new(f, format!("{p}.working_day"), &heads[2], Kind::Number),
                Input::new(f, format!("{p}.at"), &heads[3], Kind::Time),
                Input::select(f, format!("{p}.language"), &heads[4], &languages),
                Input::new(f, format!("{p}.emails"), &heads[5], Kind::Lines).placeholder("name@example.com"),
                Input::new(f, format!("{p}.robots"), &heads[6], Kind::Check),
            ];
            // The blank row starts with the defaults a new schedule gets.
            if p == format!("s{}", rows(f, "scount")) && f.v(&format!("{p}.name")).is_empty() {
                cells[2].value = "1".into();
                cells[3].value = "09:00".into();
                cells[6].value = "on".into();
            }
            cells
        },
        "s",
    );
    table.hint = l("list_hint");
    OpsForm {
        id: "schedules",
        title: l("title"),
        hint: l("hint"),
        single: Vec::new(),
        tables: vec![table],
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang as UiLang, DEFAULT_TZ};

    #[test]
    fn schedules_survive_their_own_form_and_a_bad_time_is_refused_there() {
        let t = T { lang: UiLang::Zh, tz: DEFAULT_TZ };
        let json = |d: &SchedulesDoc| serde_json::to_value(d).unwrap();
        let empty = SchedulesDoc::default();
        assert_eq!(json(&apply(&mut fields(&empty), &t).unwrap()), json(&empty));
        let doc: SchedulesDoc = serde_json::from_value(serde_json::json!({"summaries": [
            {"name": "monthly", "every": "month", "working_day": 2, "at": "10:30", "language": "en",
             "emails": ["boss@example.com", "cs@example.com"], "robots": false}
        ]}))
        .unwrap();
        let mut f = fields(&doc);
        assert_eq!(json(&apply(&mut f.clone(), &t).unwrap()), json(&doc));
        f.set("s1.name", "weekly");
        f.set("s1.every", "week");
        f.set("s1.working_day", "1");
        f.set("s1.at", "09:00");
        let added = apply(&mut f.clone(), &t).unwrap();
        assert_eq!(added.summaries[1].every, Every::Week);
        f.set("s0.at", "25:00");
        f.set("s1.name", "monthly");
        assert!(apply(&mut f, &t).is_none());
        assert!(f.err("s0.at").is_some() && f.err("s1.name").is_some());
        assert_eq!(f.v("s0.at"), "25:00");
    }
}
