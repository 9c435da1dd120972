//! Macros as a form: each with its id, titles in Chinese and English, the field changes
//! it makes (state, priority, category, tags, department, assignee) and its reply in both
//! languages; a tick to remove one and a blank row to add one. Supervisors keep them on
//! `/console/macros` ([`crate::web::macros`]); the whole list is saved as one version.

use super::widgets::{self, Choice, Input};
use super::{list, Fields};
use crate::web::i18n::T;
use loopdesk_app::macros::{Macro, MacroState, MAX_MACROS};
use loopdesk_core::{DepartmentId, Priority, UserId};

/// What the field changes may be set to: (value, label) per choice.
pub struct Options {
    pub categories: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
}

/// One macro's inputs, named `m{i}.…`.
pub struct MacroRow {
    pub prefix: String,
    pub number: usize,
    pub inputs: Vec<Input>,
    pub choices: Vec<Choice>,
    pub replies: Vec<Input>,
    pub is_new: bool,
    pub title: String,
}

/// The whole form as the page shows it.
pub struct MacrosForm {
    pub rows: Vec<MacroRow>,
    pub general: Option<String>,
    pub comment_error: Option<String>,
}

const STATES: [MacroState; 3] = [MacroState::InProgress, MacroState::AwaitingCustomer, MacroState::Resolved];

fn count(f: &Fields) -> usize {
    f.get("count").and_then(|c| c.parse().ok()).unwrap_or(0).min(MAX_MACROS)
}

/// The fields of `macros`.
pub fn fields(macros: &[Macro]) -> Fields {
    let mut f = Fields::default();
    for (i, m) in macros.iter().enumerate() {
        let p = format!("m{i}");
        f.set(format!("{p}.id"), m.id.clone());
        f.set(format!("{p}.title_zh"), m.title_zh.clone());
        f.set(format!("{p}.title_en"), m.title_en.clone());
        f.set(format!("{p}.state"), m.state.map(|s| super::conditions::name(&s)).unwrap_or_default());
        f.set(format!("{p}.priority"), m.priority.map(|x| x.as_str()).unwrap_or_default());
        f.set(format!("{p}.category"), m.category.clone().unwrap_or_default());
        f.set(format!("{p}.tags"), m.tags.join(", "));
        f.set(format!("{p}.department_id"), m.department_id.map(|d| d.0.to_string()).unwrap_or_default());
        f.set(format!("{p}.assignee_id"), m.assignee_id.map(|u| u.0.to_string()).unwrap_or_default());
        f.set(format!("{p}.reply_zh"), m.reply_zh.clone());
        f.set(format!("{p}.reply_en"), m.reply_en.clone());
    }
    f.set("count", macros.len().to_string());
    f
}

/// The macros from the posted rows (removed ones dropped, the blank row added when it has
/// an id) and the row each came from; `None` when a field was refused. The use case
/// checks the rest.
pub fn apply(f: &mut Fields, t: &T) -> Option<(Vec<Macro>, Vec<usize>)> {
    let n = count(f);
    let mut out: Vec<Macro> = Vec::new();
    let mut rows = Vec::new();
    for i in 0..=n {
        let p = format!("m{i}");
        let v = |f: &Fields, k: &str| f.v(&format!("{p}.{k}")).trim().to_string();
        if f.checked(&format!("{p}.remove")) || (i == n && v(f, "id").is_empty()) {
            continue;
        }
        let id = v(f, "id");
        if out.iter().any(|m| m.id == id) {
            f.refuse(format!("{p}.id"), t.get("triage_form.err_duplicate"));
        }
        rows.push(i);
        let number = |f: &Fields, k: &str| f.get(&format!("{p}.{k}")).and_then(|x| x.parse::<i64>().ok());
        out.push(Macro {
            title_zh: v(f, "title_zh"),
            title_en: v(f, "title_en"),
            state: f.get(&format!("{p}.state")).and_then(super::conditions::parse),
            priority: f.get(&format!("{p}.priority")).and_then(|x| x.parse::<Priority>().ok()),
            category: f.get(&format!("{p}.category")).map(str::to_string),
            tags: list(f.v(&format!("{p}.tags"))),
            department_id: number(f, "department_id").map(DepartmentId),
            assignee_id: number(f, "assignee_id").map(UserId),
            reply_zh: v(f, "reply_zh"),
            reply_en: v(f, "reply_en"),
            id,
        });
    }
    (!f.has_errors()).then_some((out, rows))
}

fn with_none(t: &T, items: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), t.get("macros_form.unchanged").to_string())];
    out.extend(items.iter().cloned());
    out
}

/// The form as shown from `f`, with a blank row to add a macro.
pub fn view(f: &Fields, t: &T, o: &Options) -> MacrosForm {
    let n = count(f);
    let states: Vec<(String, String)> = STATES
        .iter()
        .map(|s| {
            let n = super::conditions::name(s);
            let label = t.name("state", &n);
            (n, label)
        })
        .collect();
    let priorities: Vec<(String, String)> =
        Priority::ALL.iter().map(|p| (p.as_str().to_string(), t.name("priority", p.as_str()))).collect();
    let rows = (0..=n)
        .map(|i| {
            let p = format!("m{i}");
            let label = |k: &str| t.get(&format!("macros_form.{k}")).to_string();
            let choice = |k: &str, items: &[(String, String)]| {
                widgets::choice(f, format!("{p}.{k}"), label(k), with_none(t, items))
            };
            MacroRow {
                number: i + 1,
                title: f
                    .v(&format!("{p}.title_{}", if t.lang == crate::web::i18n::Lang::En { "en" } else { "zh" }))
                    .to_string(),
                inputs: ["id", "title_zh", "title_en", "tags"]
                    .iter()
                    .map(|k| widgets::input(f, format!("{p}.{k}"), label(k)))
                    .collect(),
                choices: vec![
                    choice("state", &states),
                    choice("priority", &priorities),
                    choice("category", &o.categories),
                    choice("department_id", &o.departments),
                    choice("assignee_id", &o.users),
                ],
                replies: ["reply_zh", "reply_en"]
                    .iter()
                    .map(|k| widgets::area(f, format!("{p}.{k}"), label(k), 4))
                    .collect(),
                is_new: i == n,
                prefix: p,
            }
        })
        .collect();
    MacrosForm { rows, general: f.general.clone(), comment_error: f.err("comment") }
}

/// Where a refusal of the saved list goes: `body.macros[2].category` → the category of
/// the row the third macro came from.
pub fn field_of(path: &str, rows: &[usize]) -> Option<String> {
    let (i, rest) = path.strip_prefix("body.macros[")?.split_once(']')?;
    let row = rows.get(i.parse::<usize>().ok()?)?;
    let field = rest.strip_prefix('.').filter(|f| !f.is_empty()).unwrap_or("id");
    Some(format!("m{row}.{field}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_survive_their_own_form_and_refusals_find_their_row() {
        let t = T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ };
        let m = Macro {
            id: "need-photo".into(),
            title_zh: "请补充照片".into(),
            title_en: "Ask for a photo".into(),
            state: Some(MacroState::AwaitingCustomer),
            priority: Some(Priority::Low),
            category: Some("product_quality".into()),
            tags: vec!["外观".into()],
            department_id: None,
            assignee_id: None,
            reply_zh: "请发一张照片。".into(),
            reply_en: "Please send a photo.".into(),
        };
        let other = Macro { id: "escalate".into(), state: None, department_id: Some(DepartmentId(2)), ..m.clone() };
        let mut f = fields(&[m.clone(), other.clone()]);
        assert_eq!(apply(&mut f.clone(), &t), Some((vec![m.clone(), other.clone()], vec![0, 1])));
        f.set("m1.remove", "on");
        f.set("m2.id", "need-photo");
        f.set("m2.title_zh", "重复");
        assert_eq!(apply(&mut f, &t), None);
        assert!(f.err("m2.id").is_some());
        assert_eq!(
            view(&f, &t, &Options { categories: vec![], departments: vec![], users: vec![] }).rows[2].title,
            "重复"
        );
        assert_eq!(field_of("body.macros[1].reply_zh", &[0, 2]).as_deref(), Some("m2.reply_zh"));
        assert_eq!(field_of("body.macros[0]", &[1]).as_deref(), Some("m1.id"));
        assert_eq!(field_of("body", &[0]), None);
        assert_eq!(field_of("body.macros[4].id", &[0]), None);
    }
}
