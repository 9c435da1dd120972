//! The robots document as a form: each group robot (its kind, message format, address,
//! signing secret and the alerts it takes — none ticked takes all), and the mailboxes that
//! alerts to a person or a department go to, people and departments shown by name.
//!
//! Secrets stay write-only as in the JSON view ([`loopdesk_app::documents::secrets`]): a
//! robot's webhook address (its key is the secret) and its signing secret are never put
//! in the page; left blank, the saved one is kept (read from the saved version, so renaming
//! a robot keeps it too); a tick clears a signing secret.

use super::ops::{kept, rows, with_blank, Input, Kind, OpsForm, Table, Tick};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_app::documents::channel::{RobotEntry, RobotsDoc};
use loopdesk_app::notify::StaffAlert;
use loopdesk_channels::robots::{DingtalkFormat, FeishuFormat, Robot, WecomFormat};
use std::collections::BTreeMap;

/// Robot kinds in the order shown.
pub const KINDS: [&str; 4] = ["wecom", "dingtalk", "feishu", "generic"];
/// Message formats, the kinds each is for.
const FORMATS: [(&str, &[&str]); 4] = [
    ("text", &["wecom", "dingtalk", "feishu"]),
    ("markdown", &["wecom", "dingtalk"]),
    ("post", &["feishu"]),
    ("interactive", &["feishu"]),
];

/// Every alert a robot can take: the staff alerts and the scheduled summary.
pub fn alert_kinds() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = StaffAlert::ALL.iter().map(|a| a.as_str()).collect();
    all.push("summary");
    all
}

fn text<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// (kind, format, clear address, secret) of a robot.
fn parts(r: &Robot) -> (&'static str, String, Option<&str>, Option<&str>) {
    match r {
        Robot::Wecom { webhook_url, format } => ("wecom", text(format), Some(webhook_url), None),
        Robot::Dingtalk { webhook_url, secret, format } => {
            ("dingtalk", text(format), Some(webhook_url), secret.as_deref())
        }
        Robot::Feishu { webhook_url, secret, format } => ("feishu", text(format), Some(webhook_url), secret.as_deref()),
        Robot::Generic { url, secret } => ("generic", String::new(), Some(url), secret.as_deref()),
    }
}

/// The fields of `doc` as shown (secrets masked: never put in a field).
pub fn fields(doc: &RobotsDoc) -> Fields {
    let mut f = Fields::default();
    for (i, r) in doc.robots.iter().enumerate() {
        let p = format!("b{i}");
        let (kind, format, url, _) = parts(&r.robot);
        f.set(format!("{p}.name"), r.name.clone());
        f.set(format!("{p}.kind"), kind);
        f.set(format!("{p}.format"), format);
        // The generic robot's endpoint is no secret; the others' addresses hold their key.
        if kind == "generic" {
            f.set(format!("{p}.url"), url.unwrap_or_default());
        }
        for a in &r.alerts {
            f.set(format!("{p}.alert.{a}"), "on");
        }
    }
    f.set("bcount", doc.robots.len().to_string());
    for (letter, map, key) in [("u", &doc.user_emails, "user"), ("e", &doc.department_emails, "department")] {
        for (i, (id, email)) in map.iter().enumerate() {
            f.set(format!("{letter}{i}.{key}"), id.clone());
            f.set(format!("{letter}{i}.email"), email.clone());
        }
        f.set(format!("{letter}count"), map.len().to_string());
    }
    f
}

/// What the form checks names against: (id, name) of users and departments.
pub struct Known {
    pub users: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
}

fn format_of(f: &mut Fields, t: &T, p: &str, kind: &str) -> Option<String> {
    let name = format!("{p}.format");
    let chosen = f.v(&name).trim().to_string();
    let fits = FORMATS.iter().any(|(x, kinds)| *x == chosen && kinds.contains(&kind));
    if kind == "generic" || chosen.is_empty() {
        return Some(String::new());
    }
    if !fits {
        f.refuse(name, t.get("robots_form.err_format"));
        return None;
    }
    Some(chosen)
}

fn robot(kind: &str, url: String, secret: Option<String>, format: &str) -> Option<Robot> {
    let parsed = match kind {
        "wecom" => Robot::Wecom {
            webhook_url: url,
            format: serde_json::from_value::<WecomFormat>(format.into()).unwrap_or_default(),
        },
        "dingtalk" => Robot::Dingtalk {
            webhook_url: url,
            secret,
            format: serde_json::from_value::<DingtalkFormat>(format.into()).unwrap_or_default(),
        },
        "feishu" => Robot::Feishu {
            webhook_url: url,
            secret,
            format: serde_json::from_value::<FeishuFormat>(format.into()).unwrap_or_default(),
        },
        "generic" => Robot::Generic { url, secret },
        _ => return None,
    };
    Some(parsed)
}

fn read_robot(f: &mut Fields, t: &T, p: &str, old: Option<&RobotEntry>) -> Option<Robot> {
    let kind = f.v(&format!("{p}.kind")).to_string();
    if !KINDS.contains(&kind.as_str()) {
        f.refuse(format!("{p}.kind"), t.get("form.err_required"));
        return None;
    }
    let old = old.map(|o| parts(&o.robot));
    let typed = f.get(&format!("{p}.url")).map(str::to_string);
    // A blank address keeps the saved one, unless the robot moved to another vendor.
    let url = typed
        .or_else(|| old.as_ref().filter(|o| o.0 == kind && kind != "generic").and_then(|o| o.2.map(str::to_string)));
    let Some(url) = url else {
        f.refuse(format!("{p}.url"), t.get("robots_form.err_url_required"));
        return None;
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        f.refuse(format!("{p}.url"), t.get("robots_form.err_url"));
        return None;
    }
    let secret = match f.get(&format!("{p}.secret")) {
        _ if f.checked(&format!("{p}.clear_secret")) => None,
        Some(s) => Some(s.to_string()),
        None => old.as_ref().and_then(|o| o.3.map(str::to_string)),
    };
    let format = format_of(f, t, p, &kind)?;
    robot(&kind, url, secret, &format)
}

fn emails(
    f: &mut Fields,
    t: &T,
    letter: &str,
    key: &str,
    known: &[(String, String)],
    saved: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let saved_keys: Vec<&String> = saved.keys().collect();
    let count = rows(f, &format!("{letter}count"));
    for p in
        kept(f, count, letter, |p| f.get(&format!("{p}.{key}")).is_some() || f.get(&format!("{p}.email")).is_some())
    {
        let index: usize = p[1..].parse().unwrap_or(usize::MAX);
        let id_field = format!("{p}.{key}");
        let id = f.v(&id_field).trim().to_string();
        // An id the app no longer knows may stay where it was saved.
        let ok = known.iter().any(|k| k.0 == id) || saved_keys.get(index).is_some_and(|k| **k == id);
        if id.is_empty() {
            f.refuse(&id_field, t.get("form.err_required"));
        } else if !ok {
            f.refuse(&id_field, t.get("ops_form.err_unknown"));
        } else if out.contains_key(&id) {
            f.refuse(&id_field, t.get("ops_form.err_twice"));
        }
        let email_field = format!("{p}.email");
        let email = f.v(&email_field).trim().to_string();
        if loopdesk_core::Email::parse(&email).is_err() {
            f.refuse(&email_field, t.get("form.email.invalid"));
        }
        out.insert(id, email);
    }
    out
}

/// The document from the posted fields, secrets left blank taken from `saved` (the version
/// in force, unmasked); `None` when a field was refused.
pub fn apply(f: &mut Fields, t: &T, saved: &RobotsDoc, known: &Known) -> Option<RobotsDoc> {
    let mut doc = RobotsDoc::default();
    let count = rows(f, "bcount");
    let all = alert_kinds();
    for p in kept(f, count, "b", |p| f.get(&format!("{p}.name")).is_some()) {
        let index: usize = p[1..].parse().unwrap_or(usize::MAX);
        let old = saved.robots.get(index).filter(|_| index < count);
        let name = f.v(&format!("{p}.name")).trim().to_string();
        if name.is_empty() || name.chars().count() > 64 {
            f.refuse(format!("{p}.name"), t.get("form.err_name"));
        } else if doc.robots.iter().any(|r| r.name == name) {
            f.refuse(format!("{p}.name"), t.get("ops_form.err_twice"));
        }
        let mut alerts: Vec<String> =
            all.iter().filter(|a| f.checked(&format!("{p}.alert.{a}"))).map(|a| a.to_string()).collect();
        // Alerts the form does not list stay as they were.
        alerts.extend(old.into_iter().flat_map(|o| o.alerts.iter()).filter(|a| !all.contains(&a.as_str())).cloned());
        if let Some(robot) = read_robot(f, t, &p, old) {
            doc.robots.push(RobotEntry { name, alerts, robot });
        }
    }
    doc.user_emails = emails(f, t, "u", "user", &known.users, &saved.user_emails);
    doc.department_emails = emails(f, t, "e", "department", &known.departments, &saved.department_emails);
    (!f.has_errors()).then_some(doc)
}

/// The form as shown from `f`; `shown` is the version in force as the JSON view shows it
/// (secrets masked), to say which robots have a secret saved.
pub fn view(f: &Fields, t: &T, shown: &RobotsDoc, known: &Known) -> OpsForm {
    let l = |k: &str| t.get(&format!("robots_form.{k}")).to_string();
    let kinds: Vec<(String, String)> = KINDS.iter().map(|k| (k.to_string(), l(&format!("kind_{k}")))).collect();
    let mut formats = vec![(String::new(), l("format_default"))];
    formats.extend(FORMATS.iter().map(|(x, _)| (x.to_string(), l(&format!("format_{x}")))));
    let heads = vec![l("name"), l("kind"), l("format"), l("url"), l("secret"), l("alerts")];
    let count = rows(f, "bcount");
    let mut robots = Table::build(
        "robots-list",
        l("robots"),
        "bcount",
        count,
        heads.clone(),
        |p| {
            let index: usize = p[1..].parse().unwrap_or(usize::MAX);
            let saved = shown.robots.get(index).filter(|_| index < count).map(|r| parts(&r.robot));
            let keep = l("secret_kept");
            let url = Input::new(f, format!("{p}.url"), &heads[3], Kind::Text).placeholder(
                if saved.as_ref().is_some_and(|s| s.0 != "generic") { keep.clone() } else { "https://".into() },
            );
            let mut secret = Input::new(f, format!("{p}.secret"), &heads[4], Kind::Secret);
            if saved.as_ref().is_some_and(|s| s.3.is_some_and(|x| !x.is_empty())) {
                secret.placeholder = keep;
            }
            let mut alerts = Input::new(f, format!("{p}.alerts"), &heads[5], Kind::Ticks);
            alerts.ticks = alert_kinds()
                .into_iter()
                .map(|a| {
                    let name = format!("{p}.alert.{a}");
                    Tick { on: f.checked(&name), label: l(&format!("alert_{a}")), name }
                })
                .collect();
            let mut cells = vec![
                Input::new(f, format!("{p}.name"), &heads[0], Kind::Text),
                Input::select(f, format!("{p}.kind"), &heads[1], &kinds),
                Input::select(f, format!("{p}.format"), &heads[2], &formats),
                url,
                secret,
                alerts,
            ];
            // Only a saved robot has a secret to clear.
            if saved.is_some() {
                cells.insert(5, Input::new(f, format!("{p}.clear_secret"), l("clear_secret"), Kind::Check));
            }
            cells
        },
        "b",
    );
    robots.cards = true;
    robots.hint = l("robots_hint");
    let email_table = |id: &str, letter: &str, key: &str, title: String, who: String, options: &[(String, String)]| {
        let options = with_blank("", options);
        let heads = vec![who, l("email")];
        Table::build(
            id,
            title,
            &format!("{letter}count"),
            rows(f, &format!("{letter}count")),
            heads.clone(),
            |p| {
                vec![
                    Input::select(f, format!("{p}.{key}"), &heads[0], &options),
                    Input::new(f, format!("{p}.email"), &heads[1], Kind::Text).placeholder("name@example.com"),
                ]
            },
            letter,
        )
    };
    OpsForm {
        id: "robots",
        title: l("title"),
        hint: l("hint"),
        single: Vec::new(),
        tables: vec![
            robots,
            email_table("robots-users", "u", "user", l("user_emails"), l("user"), &known.users),
            email_table(
                "robots-departments",
                "e",
                "department",
                l("department_emails"),
                l("department"),
                &known.departments,
            ),
        ],
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, DEFAULT_TZ};
    use loopdesk_app::documents::secrets::{masked, MASK};
    use loopdesk_app::documents::DocumentKind;
    use serde_json::json;

    fn known() -> Known {
        Known { users: vec![("7".into(), "王芳".into())], departments: vec![("1".into(), "客服部".into())] }
    }

    fn doc(v: serde_json::Value) -> RobotsDoc {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn robots_survive_their_own_form_with_secrets_never_shown_and_kept() {
        let t = T { lang: Lang::En, tz: DEFAULT_TZ };
        let empty = RobotsDoc::default();
        let back = apply(&mut fields(&empty), &t, &empty, &known()).unwrap();
        assert_eq!(serde_json::to_value(back).unwrap(), serde_json::to_value(&empty).unwrap());
        let saved_json = json!({
            "robots": [
                {"name": "值班群", "alerts": ["sla_breach", "someday"], "kind": "dingtalk",
                 "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=TOKEN", "secret": "SECxyz", "format": "text"},
                {"name": "hook", "alerts": [], "kind": "generic", "url": "https://example.com/hook", "secret": null},
            ],
            "user_emails": {"7": "wang@example.com"},
            "department_emails": {"1": "cs@example.com"},
        });
        let saved = doc(saved_json.clone());
        let shown = doc(masked(&DocumentKind::Robots, saved_json.clone()));
        let mut f = fields(&shown);
        assert!(f.v("b0.url").is_empty() && f.v("b0.secret").is_empty());
        assert!(!format!("{:?}", fields(&shown)).contains("TOKEN"));
        let back = apply(&mut f.clone(), &t, &saved, &known()).unwrap();
        assert_eq!(serde_json::to_value(back).unwrap(), saved_json);
        // Renamed, its secrets are still kept; a bad address is refused at its field.
        f.set("b0.name", "值班");
        f.set("b1.url", "ftp://x");
        assert_eq!(apply(&mut f, &t, &saved, &known()).map(|_| ()), None);
        assert!(f.err("b1.url").is_some() && f.err("b0.name").is_none());
        f = fields(&shown);
        f.set("b0.name", "值班");
        let back = serde_json::to_value(apply(&mut f, &t, &saved, &known()).unwrap()).unwrap();
        assert_eq!(back["robots"][0]["secret"], "SECxyz");
        assert_ne!(back["robots"][0]["webhook_url"], MASK);
        let mut f = fields(&shown);
        f.set("u0.email", "not an address");
        assert!(apply(&mut f, &t, &saved, &known()).is_none());
        assert!(f.err("u0.email").is_some());
    }
}
