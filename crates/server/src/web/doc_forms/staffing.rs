//! Staffing as a form: per department its duty calendar and supervisor, and per person
//! their department, skills, own duty calendar and leave — people and departments shown by
//! name. Leave is one period a line, `2026-12-24 09:00 ~ 2026-12-26 18:00`, in the
//! reader's time zone.

use super::ops::{kept, rows, with_blank, Input, Kind, OpsForm, Table};
use super::{list, Fields};
use crate::web::i18n::T;
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use loopdesk_core::routing::{AgentProfile, DepartmentStaffing, Leave, Staffing};
use loopdesk_core::{DepartmentId, Timestamp, UserId};

/// What the form chooses from: (id, name) of departments and users, calendar names.
pub struct Known {
    pub departments: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
    pub calendars: Vec<String>,
}

fn when(t: &T, at: &Timestamp) -> String {
    let local = at.with_timezone(&t.tz);
    let seconds = local.format("%S").to_string();
    local.format(if seconds == "00" { "%Y-%m-%d %H:%M" } else { "%Y-%m-%d %H:%M:%S" }).to_string()
}

fn parse_when(t: &T, text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    t.tz.from_local_datetime(&naive).earliest().map(|l| l.with_timezone(&chrono::Utc))
}

/// The fields of `staffing`: department rows `d{i}.…`, people `a{i}.…`.
pub fn fields(staffing: &Staffing, t: &T) -> Fields {
    let mut f = Fields::default();
    for (i, d) in staffing.departments.iter().enumerate() {
        f.set(format!("d{i}.department"), d.department_id.0.to_string());
        f.set(format!("d{i}.calendar"), d.calendar.clone());
        f.set(format!("d{i}.supervisor"), d.supervisor_id.map(|u| u.0.to_string()).unwrap_or_default());
    }
    f.set("dcount", staffing.departments.len().to_string());
    for (i, a) in staffing.agents.iter().enumerate() {
        f.set(format!("a{i}.user"), a.user_id.0.to_string());
        f.set(format!("a{i}.department"), a.department_id.0.to_string());
        f.set(format!("a{i}.skills"), a.skills.join(", "));
        f.set(format!("a{i}.calendar"), a.calendar.clone().unwrap_or_default());
        let leave: Vec<String> =
            a.leave.iter().map(|l| format!("{} ~ {}", when(t, &l.from), when(t, &l.until))).collect();
        f.set(format!("a{i}.leave"), leave.join("\n"));
    }
    f.set("acount", staffing.agents.len().to_string());
    f
}

/// An id chosen in `name` among `known`, else a refusal there.
fn chosen(f: &mut Fields, t: &T, name: &str, known: &[(String, String)]) -> Option<i64> {
    let value = f.get(name).map(str::to_string);
    match value {
        Some(v) if known.iter().any(|k| k.0 == v) => v.parse().ok(),
        Some(_) => {
            f.refuse(name, t.get("ops_form.err_unknown"));
            None
        }
        None => {
            f.refuse(name, t.get("form.err_required"));
            None
        }
    }
}

fn calendar(f: &mut Fields, t: &T, name: &str, calendars: &[String]) -> Option<String> {
    let c = f.v(name).trim().to_string();
    if !c.is_empty() && !calendars.contains(&c) {
        f.refuse(name, t.get("form.err_calendar"));
    }
    Some(c).filter(|c| !c.is_empty())
}

fn leave(f: &mut Fields, t: &T, name: &str) -> Vec<Leave> {
    let mut out = Vec::new();
    for line in f.v(name).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>() {
        let period = line
            .split_once(['~', '～', '至'])
            .and_then(|(a, b)| Some(Leave { from: parse_when(t, a)?, until: parse_when(t, b)? }));
        match period {
            Some(p) if p.until > p.from => out.push(p),
            _ => f.refuse(name, t.get("ops_form.err_leave").replace("{value}", &line)),
        }
    }
    out
}

/// The staffing from the posted fields; `None` when a field was refused.
pub fn apply(f: &mut Fields, t: &T, known: &Known) -> Option<Staffing> {
    let mut staffing = Staffing::default();
    let filled = |f: &Fields, p: &str, key: &str| f.get(&format!("{p}.{key}")).is_some();
    let depts = kept(f, rows(f, "dcount"), "d", |p| filled(f, p, "department"));
    for p in depts {
        let supervisor = match f.get(&format!("{p}.supervisor")) {
            Some(_) => chosen(f, t, &format!("{p}.supervisor"), &known.users).map(UserId),
            None => None,
        };
        let cal = calendar(f, t, &format!("{p}.calendar"), &known.calendars);
        let Some(id) = chosen(f, t, &format!("{p}.department"), &known.departments).map(DepartmentId) else {
            continue;
        };
        if staffing.departments.iter().any(|d| d.department_id == id) {
            f.refuse(format!("{p}.department"), t.get("ops_form.err_twice"));
        }
        let calendar = cal.unwrap_or_else(|| loopdesk_core::calendar::DEFAULT_CALENDAR.to_string());
        staffing.departments.push(DepartmentStaffing { department_id: id, calendar, supervisor_id: supervisor });
    }
    let agents = kept(f, rows(f, "acount"), "a", |p| filled(f, p, "user"));
    for p in agents {
        let skills = list(f.v(&format!("{p}.skills")));
        if skills.iter().any(|s| s.len() > 64) {
            f.refuse(format!("{p}.skills"), t.get("ops_form.err_skill"));
        }
        let calendar = calendar(f, t, &format!("{p}.calendar"), &known.calendars);
        let leave = leave(f, t, &format!("{p}.leave"));
        let department = chosen(f, t, &format!("{p}.department"), &known.departments).map(DepartmentId);
        let Some(user) = chosen(f, t, &format!("{p}.user"), &known.users).map(UserId) else { continue };
        if staffing.agents.iter().any(|a| a.user_id == user) {
            f.refuse(format!("{p}.user"), t.get("ops_form.err_twice"));
        }
        if let Some(department_id) = department {
            staffing.agents.push(AgentProfile { user_id: user, department_id, skills, leave, calendar });
        }
    }
    (!f.has_errors()).then_some(staffing)
}

/// A department's calendar select, on the default calendar until one is chosen (as a
/// department not listed is).
fn default_calendar(mut x: Input) -> Input {
    if x.value.is_empty() {
        x.value = loopdesk_core::calendar::DEFAULT_CALENDAR.to_string();
    }
    x
}

/// The form as shown from `f`.
pub fn view(f: &Fields, t: &T, known: &Known) -> OpsForm {
    let l = |k: &str| t.get(&format!("staffing_form.{k}")).to_string();
    let calendars: Vec<(String, String)> = known.calendars.iter().map(|c| (c.clone(), c.clone())).collect();
    let departments = with_blank("", &known.departments);
    let users = with_blank("", &known.users);
    let dept_heads = vec![l("department"), l("calendar"), l("supervisor")];
    let mut dept_table = Table::build(
        "staffing-departments",
        l("departments"),
        "dcount",
        rows(f, "dcount"),
        dept_heads.clone(),
        |p| {
            vec![
                Input::select(f, format!("{p}.department"), &dept_heads[0], &departments),
                default_calendar(Input::select(f, format!("{p}.calendar"), &dept_heads[1], &calendars)),
                Input::select(f, format!("{p}.supervisor"), &dept_heads[2], &with_blank(&l("none"), &known.users)),
            ]
        },
        "d",
    );
    dept_table.hint = l("departments_hint");
    let agent_heads = vec![l("user"), l("department"), l("skills"), l("own_calendar"), l("leave")];
    let own_calendars = with_blank(&l("department_calendar"), &calendars);
    let mut agent_table = Table::build(
        "staffing-agents",
        l("agents"),
        "acount",
        rows(f, "acount"),
        agent_heads.clone(),
        |p| {
            vec![
                Input::select(f, format!("{p}.user"), &agent_heads[0], &users),
                Input::select(f, format!("{p}.department"), &agent_heads[1], &departments),
                Input::new(f, format!("{p}.skills"), &agent_heads[2], Kind::Text),
                Input::select(f, format!("{p}.calendar"), &agent_heads[3], &own_calendars),
                Input::new(f, format!("{p}.leave"), &agent_heads[4], Kind::Lines)
                    .placeholder("2026-12-24 09:00 ~ 2026-12-26 18:00"),
            ]
        },
        "a",
    );
    agent_table.hint = l("agents_hint");
    OpsForm {
        id: "staffing",
        title: l("title"),
        hint: l("hint"),
        single: Vec::new(),
        tables: vec![dept_table, agent_table],
        general: f.general.clone(),
    }
}

/// Where a save's refusal at `path` goes on the form.
pub fn place(path: &str) -> Option<String> {
    super::ops::row_field(path, "departments", "d", |k| match k {
        "supervisor_id" => "supervisor",
        "calendar" => "calendar",
        _ => "department",
    })
    .or_else(|| {
        super::ops::row_field(path, "agents", "a", |k| match k {
            "user_id" => "user",
            "department_id" => "department",
            "skills" => "skills",
            "calendar" => "calendar",
            "leave" => "leave",
            _ => "user",
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, DEFAULT_TZ};

    fn known() -> Known {
        Known {
            departments: vec![("1".into(), "客服部".into()), ("2".into(), "技术部".into())],
            users: vec![("7".into(), "王芳".into()), ("8".into(), "李雷".into())],
            calendars: vec!["default".into(), "24x7".into()],
        }
    }

    #[test]
    fn staffing_survives_its_own_form_and_a_bad_leave_is_refused_there() {
        let t = T { lang: Lang::En, tz: DEFAULT_TZ };
        let default = Staffing::default();
        assert_eq!(apply(&mut fields(&default, &t), &t, &known()), Some(default));
        let from = parse_when(&t, "2026-12-24 09:00").unwrap();
        let staffing = Staffing {
            departments: vec![DepartmentStaffing {
                department_id: DepartmentId(2),
                calendar: "24x7".into(),
                supervisor_id: Some(UserId(8)),
            }],
            agents: vec![AgentProfile {
                user_id: UserId(7),
                department_id: DepartmentId(1),
                skills: vec!["退款".into(), "物流".into()],
                leave: vec![Leave { from, until: from + chrono::Duration::hours(50) }],
                calendar: None,
            }],
        };
        let mut f = fields(&staffing, &t);
        assert_eq!(f.v("a0.leave"), "2026-12-24 09:00 ~ 2026-12-26 11:00");
        assert_eq!(apply(&mut f.clone(), &t, &known()), Some(staffing.clone()));
        f.set("a1.user", "8");
        f.set("a1.department", "2");
        f.set("d0.remove", "on");
        let changed = apply(&mut f, &t, &known()).unwrap();
        assert_eq!((changed.agents.len(), changed.departments.len()), (2, 0));
        let mut f = fields(&staffing, &t);
        f.set("a0.leave", "2026-12-26 ~ 2026-12-24");
        f.set("d0.calendar", "nowhere");
        assert_eq!(apply(&mut f, &t, &known()), None);
        assert!(f.err("a0.leave").is_some() && f.err("d0.calendar").is_some());
        assert_eq!(f.v("a0.leave"), "2026-12-26 ~ 2026-12-24");
    }

    #[test]
    fn save_refusals_land_on_their_row() {
        assert_eq!(place("body.agents[1].leave[0].until").as_deref(), Some("a1.leave"));
        assert_eq!(place("body.departments[0].supervisor_id").as_deref(), Some("d0.supervisor"));
    }
}
