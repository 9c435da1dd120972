use super::*;
use crate::calendar::ALWAYS_OPEN_CALENDAR;
use crate::{Customer, TriageSummary};
use chrono::TimeZone;
use proptest::prelude::*;

/// Monday 2026-11-02 10:00 in Shanghai: working time on the default calendar.
fn monday_10() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap()
}

/// Sunday 2026-11-01 10:00 in Shanghai: not working time.
fn sunday_10() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap()
}

/// Compiled once: compiling 100 years of calendar per proptest case would dominate.
fn cals() -> &'static Calendars {
    static CALS: std::sync::OnceLock<Calendars> = std::sync::OnceLock::new();
    CALS.get_or_init(Calendars::default)
}

fn ticket(category: &str, priority: Priority) -> Ticket {
    let mut t = Ticket::draft(Channel::Web, "x".into(), Customer::default(), monday_10(), monday_10());
    t.category = Some(category.into());
    t.priority = priority;
    t.triage = Some(TriageSummary { language: "zh".into(), ..TriageSummary::default() });
    t
}

fn rule(name: &str, categories: &[&str], departments: &[i64]) -> RoutingRule {
    RoutingRule {
        name: name.into(),
        when: Match { categories: categories.iter().map(|s| s.to_string()).collect(), ..Match::default() },
        departments: departments.iter().map(|d| DepartmentId(*d)).collect(),
        skills: vec![],
    }
}

fn rules() -> RoutingRules {
    RoutingRules {
        rules: vec![
            rule("quality", &["product_quality"], &[1]),
            rule("safety", &["product_quality", "technical"], &[2, 1]),
            rule("payments", &["payment"], &[3]),
        ],
        fallback_department: Some(DepartmentId(9)),
    }
}

fn agent(id: i64, dept: i64, skills: &[&str]) -> AgentProfile {
    AgentProfile {
        user_id: UserId(id),
        department_id: DepartmentId(dept),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        leave: vec![],
        calendar: None,
    }
}

fn query(skills: &[String], now: Timestamp) -> AgentQuery<'_> {
    AgentQuery { department: DepartmentId(1), skills, now, exclude: &[] }
}

#[test]
fn first_matching_rule_owns_and_urgent_involves_every_match() {
    let r = rules();
    let medium = r.route(&ticket("product_quality", Priority::Medium)).unwrap();
    assert_eq!(
        (medium.rule.as_deref(), medium.department, medium.involved.len()),
        (Some("quality"), DepartmentId(1), 0)
    );
    let urgent = r.route(&ticket("product_quality", Priority::Urgent)).unwrap();
    assert_eq!(urgent.department, DepartmentId(1));
    assert_eq!(urgent.involved, vec![DepartmentId(2)]);
    let other = r.route(&ticket("inquiry", Priority::Low)).unwrap();
    assert_eq!((other.rule, other.department), (None, DepartmentId(9)));
}

#[test]
fn every_condition_must_hold() {
    let mut t = ticket("payment", Priority::High);
    t.product.product = Some("扫地机器人 X20".into());
    t.subtags = vec!["退款".into()];
    let mut m = Match {
        categories: vec!["payment".into()],
        subtags: vec!["退款".into()],
        products: vec!["扫地机器人".into()],
        channels: vec![Channel::Web],
        languages: vec!["zh".into()],
        tiers: vec![CustomerTier::Standard],
        priorities: vec![Priority::High, Priority::Urgent],
    };
    assert!(m.matches(&t));
    m.tiers = vec![CustomerTier::Vip];
    assert!(!m.matches(&t));
    m.tiers.clear();
    m.languages = vec!["en".into()];
    assert!(!m.matches(&t));
}

#[test]
fn agent_by_skills_duty_leave_and_load() {
    let calendars = cals();
    let mut staffing = Staffing {
        departments: vec![],
        agents: vec![agent(10, 1, &["electrical"]), agent(11, 1, &[]), agent(12, 1, &["electrical"])],
    };
    let mut loads = BTreeMap::new();
    loads.entry(UserId(10)).or_insert_with(Load::default).add(Priority::Urgent, 1);
    loads.entry(UserId(12)).or_insert_with(Load::default).add(Priority::Low, 3);
    let skills = vec!["electrical".to_string()];
    // 12 has three low tickets (3) against 10's one urgent (8).
    assert_eq!(choose_agent(&staffing, calendars, &loads, &query(&skills, monday_10())), Some(UserId(12)));
    // Without the skill requirement, 11 has no load at all.
    assert_eq!(choose_agent(&staffing, calendars, &loads, &query(&[], monday_10())), Some(UserId(11)));
    // 12 on leave: 10.
    staffing.agents[2].leave = vec![Leave { from: monday_10(), until: monday_10() + chrono::Duration::days(1) }];
    assert_eq!(choose_agent(&staffing, calendars, &loads, &query(&skills, monday_10())), Some(UserId(10)));
    // Sunday: nobody on duty on the default calendar, unless the department works 24×7.
    assert_eq!(choose_agent(&staffing, calendars, &loads, &query(&skills, sunday_10())), None);
    staffing.departments = vec![DepartmentStaffing {
        department_id: DepartmentId(1),
        calendar: ALWAYS_OPEN_CALENDAR.into(),
        supervisor_id: None,
    }];
    assert_eq!(choose_agent(&staffing, calendars, &loads, &query(&skills, sunday_10())), Some(UserId(12)));
    // The late agent is excluded.
    let q = AgentQuery { exclude: &[UserId(12)], ..query(&skills, sunday_10()) };
    assert_eq!(choose_agent(&staffing, calendars, &loads, &q), Some(UserId(10)));
}

#[test]
fn validation_names_the_field() {
    let mut r = rules();
    let err = r.validate(&[DepartmentId(1), DepartmentId(2), DepartmentId(9)]).unwrap_err();
    assert_eq!(err.field, "rules[2].departments");
    r.rules[0].name = " ".into();
    assert_eq!(r.validate(&[]).unwrap_err().field, "rules[0].name");
    let mut s = Staffing { departments: vec![], agents: vec![agent(10, 1, &[])] };
    s.agents[0].leave = vec![Leave { from: monday_10(), until: monday_10() }];
    let err = s.validate(cals(), &[DepartmentId(1)], &[UserId(10)]).unwrap_err();
    assert_eq!(err.field, "agents[0].leave[0].until");
}

proptest! {
    /// The chosen agent qualifies, and nobody who qualifies has a lower (load, count, id).
    #[test]
    fn choice_is_a_qualified_minimum(
        loads in proptest::collection::vec((0u32..5, 0u32..5), 1..8),
        leave in proptest::collection::vec(any::<bool>(), 8),
        skilled in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let calendars = cals();
        let now = monday_10();
        let mut staffing = Staffing::default();
        let mut load_map = BTreeMap::new();
        for (i, (urgent, low)) in loads.iter().enumerate() {
            let mut a = agent(100 - i as i64, 1, if skilled[i] { &["s"] } else { &[] });
            if leave[i] {
                a.leave.push(Leave { from: now, until: now + chrono::Duration::hours(1) });
            }
            staffing.agents.push(a);
            let l = load_map.entry(UserId(100 - i as i64)).or_insert_with(Load::default);
            l.add(Priority::Urgent, *urgent);
            l.add(Priority::Low, *low);
        }
        let skills = vec!["s".to_string()];
        let chosen = choose_agent(&staffing, calendars, &load_map, &query(&skills, now));
        let key = |id: UserId| { let l = load_map[&id]; (l.weighted, l.tickets, id) };
        let qualified: Vec<UserId> = staffing.agents.iter()
            .filter(|a| a.skills.contains(&skills[0]) && !a.on_leave(now)).map(|a| a.user_id).collect();
        match chosen {
            None => prop_assert!(qualified.is_empty()),
            Some(c) => {
                prop_assert!(qualified.contains(&c));
                prop_assert!(qualified.iter().all(|q| key(*q) >= key(c)));
            }
        }
    }

    /// Involved never repeats the owner; only urgent tickets reach beyond the deciding rule.
    #[test]
    fn routes_stay_within_the_rules(cat in prop::sample::select(vec!["product_quality", "technical", "payment", "x"]),
                                    urgent in any::<bool>()) {
        let r = rules();
        let p = if urgent { Priority::Urgent } else { Priority::Medium };
        let route = r.route(&ticket(cat, p)).unwrap();
        prop_assert!(!route.involved.contains(&route.department));
        // Not urgent: only the deciding rule's own departments take part.
        if let (false, Some(name)) = (urgent, route.rule.as_deref()) {
            let own = &r.rules.iter().find(|x| x.name == name).unwrap().departments;
            prop_assert!(route.involved.iter().all(|d| own.contains(d)));
        }
    }
}
