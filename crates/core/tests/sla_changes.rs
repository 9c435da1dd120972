//! SLA clocks when the policy or the calendar changes mid-ticket, policy data, and
//! consistency properties over any `now`.

use chrono::Duration;
use loopdesk_core::calendar::{Calendar, CalendarSpec, Calendars, Span, SpecialDay, WeekHours};
use loopdesk_core::event::Command;
use loopdesk_core::sla::{self, Budget, ClockState, PolicyOverride, SlaPolicy, Target, TargetKind};
use loopdesk_core::{CustomerTier, Priority};
use support::{bj, Story};

mod support;

#[test]
fn a_policy_change_keeps_used_time_and_recounts_the_rest() {
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9).act(bj(2025, 11, 17, 9, 0), Command::Acknowledge).reply(bj(2025, 11, 17, 9, 0));
    let now = bj(2025, 11, 19, 9, 0);
    let cals = Calendars::default();
    let old = s.clock_with(TargetKind::Result, &SlaPolicy::default(), &cals, now);
    let mut policy = SlaPolicy::default();
    policy.priorities.medium.result = Target::new(Budget::WorkingDays(5), "default");
    let new = s.clock_with(TargetKind::Result, &policy, &cals, now);
    assert_eq!(old.used, new.used);
    // 5 working days = 45 h; 18 h used, 27 h left: Wed, Thu, Fri → Friday 18:00.
    assert_eq!(new.remaining, Duration::hours(27));
    assert_eq!(new.due_at, Some(bj(2025, 11, 21, 18, 0)));
}

#[test]
fn a_calendar_change_keeps_used_time_and_recounts_the_rest() {
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9).act(bj(2025, 11, 17, 9, 0), Command::Acknowledge).reply(bj(2025, 11, 17, 9, 0));
    // On Wednesday 19th 09:00 the admin extends the hours to 08:00–20:00 and declares
    // Friday 21st a company holiday. 18 h used so far must stay 18 h.
    let change = bj(2025, 11, 19, 9, 0);
    let mut spec = CalendarSpec::china("default");
    spec.week = WeekHours::weekdays(&[Span::parse("08:00-20:00").unwrap()]);
    spec.upsert_days([SpecialDay::holiday(chrono::NaiveDate::from_ymd_opt(2025, 11, 21).unwrap(), "司庆")]);
    let old = Calendar::china();
    let mut cals = Calendars::default();
    cals.insert(old.revised(change, &Calendar::new(spec).unwrap()));
    let c = s.clock_with(TargetKind::Result, &SlaPolicy::default(), &cals, change);
    assert_eq!(c.used, Duration::hours(18));
    // 63 h budget − 18 h = 45 h left at 12 h a day: Wed 11 h (09–20), Thu 12 h, Fri off,
    // Mon 12 h, Tue 10 h → Tue 25th 18:00.
    assert_eq!(c.due_at, Some(bj(2025, 11, 25, 18, 0)));
    // Without revising, the past is recounted on the new hours: Mon 11 h, Tue 12 h, Wed 1 h.
    let naive = {
        let mut spec = CalendarSpec::china("default");
        spec.week = WeekHours::weekdays(&[Span::parse("08:00-20:00").unwrap()]);
        let mut cals = Calendars::default();
        cals.insert(Calendar::new(spec).unwrap());
        s.clock_with(TargetKind::Result, &SlaPolicy::default(), &cals, change).used
    };
    assert_eq!(naive, Duration::hours(24));
}

#[test]
fn overrides_apply_by_tier_and_policies_are_serde_data() {
    let mut s = Story::opened(Priority::Low, bj(2025, 11, 17, 9, 0));
    s.ticket.customer.tier = CustomerTier::Vip;
    let mut policy = SlaPolicy::default();
    policy.overrides.push(PolicyOverride {
        tier: Some(CustomerTier::Vip),
        first_response: Some(Target::new(Budget::WorkingHours(4), "default")),
        ..PolicyOverride::default()
    });
    let c = s.clock_with(TargetKind::FirstResponse, &policy, &Calendars::default(), bj(2025, 11, 17, 9, 0));
    assert_eq!(c.due_at, Some(bj(2025, 11, 17, 13, 0)));
    let json = serde_json::to_string(&policy).unwrap();
    assert!(json.contains(r#""first_response":{"budget":{"working_hours":4},"calendar":"default"}"#));
    let back: SlaPolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(back, policy);
    policy.validate(&Calendars::default()).unwrap();
    policy.priorities.low.plan.calendar = "mars".into();
    assert_eq!(policy.validate(&Calendars::default()).unwrap_err().to_string(), "unknown calendar \"mars\"");
    let clock_json = serde_json::to_value(&c).unwrap();
    assert_eq!(clock_json["budget_seconds"], 4 * 3600);
    assert_eq!(clock_json["state"], "running");
}

/// A medium ticket opened just before Spring Festival 2026, answered after an hour, then
/// waiting for the customer from `pause_at` for `pause_len` minutes.
fn paused_story(pause_at: i64, pause_len: i64) -> Story {
    let t0 = bj(2026, 2, 10, 10, 0);
    let mut s = Story::opened(Priority::Medium, t0);
    s.assign(t0, 9).act(t0, Command::Acknowledge).reply(t0 + Duration::minutes(60));
    let ask = t0 + Duration::minutes(61 + pause_at);
    s.act(ask, Command::RequestInfo { message: "请补充".into() })
        .act(ask + Duration::minutes(pause_len), Command::ProvideInfo { body: "好".into() });
    s
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(128))]

    #[test]
    fn clocks_are_consistent_at_any_now(
        pause_at in 0i64..20 * 1440,
        pause_len in 0i64..10 * 1440,
        a in 0i64..40 * 1440,
        b in 0i64..40 * 1440,
    ) {
        let s = paused_story(pause_at, pause_len);
        let t0 = bj(2026, 2, 10, 10, 0);
        let (early, late) = (t0 + Duration::minutes(a.min(b)), t0 + Duration::minutes(a.max(b)));
        let cals = Calendars::default();
        let at = |now| sla::clocks(&s.ticket, &s.timeline, &SlaPolicy::default(), &cals, now).unwrap();
        let (before, after) = (at(early), at(late));
        for (c0, c1) in before.iter().zip(&after) {
            proptest::prop_assert_eq!(c1.used + c1.remaining, c1.budget);
            proptest::prop_assert!(c0.used <= c1.used, "used time never shrinks");
            if let Some(start) = c1.started_at {
                let cal = cals.get(&c1.calendar).unwrap();
                proptest::prop_assert!(c1.used <= cal.working_between(start, late).max(Duration::zero()));
            }
            match c1.state {
                ClockState::Running => proptest::prop_assert!(c1.due_at.unwrap() > late),
                ClockState::Breached if c1.stopped_at.is_none() => {
                    proptest::prop_assert!(c1.due_at.unwrap() <= late)
                }
                _ => {}
            }
        }
        if let Some(next) = sla::next_due(&after, late) {
            proptest::prop_assert!(next > late);
            // Unless an event happens first, nothing changes state before the next due instant.
            proptest::prop_assume!(s.timeline.iter().all(|e| e.at <= late || e.at >= next));
            let just_before = at(next - Duration::seconds(1));
            let states = |v: &[sla::Clock]| v.iter().map(|c| c.state).collect::<Vec<_>>();
            proptest::prop_assert_eq!(states(&just_before), states(&after));
        }
    }
}
