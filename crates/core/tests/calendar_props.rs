//! Properties of calendar arithmetic, on the China calendar, one with a lunch break, and 24×7.

use chrono::{Duration, TimeZone, Timelike, Utc};
use loopdesk_core::calendar::{Calendar, CalendarSpec, Span, WeekHours};
use loopdesk_core::Timestamp;
use proptest::prelude::*;
use std::sync::OnceLock;

fn china() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::china)
}

fn lunch() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        let mut spec = CalendarSpec::china("lunch");
        let hours = vec![Span::parse("08:30-12:00").unwrap(), Span::parse("13:00-17:30").unwrap()];
        spec.week = WeekHours::weekdays(&hours);
        spec.week.sat = vec![Span::parse("10:00-14:00").unwrap()];
        spec.workday_hours = hours;
        Calendar::new(spec).unwrap()
    })
}

fn calendars() -> impl Strategy<Value = &'static Calendar> {
    prop_oneof![Just(china()), Just(lunch())]
}

/// Instants from 2023-06 to 2027-06, to the minute, so holidays of 2024–2026 are crossed.
fn instant() -> impl Strategy<Value = Timestamp> {
    let base = Utc.with_ymd_and_hms(2023, 6, 1, 0, 0, 0).unwrap();
    (0i64..4 * 365 * 1440).prop_map(move |m| base + Duration::minutes(m))
}

/// Up to 30 working days of minutes.
fn amount() -> impl Strategy<Value = Duration> {
    (0i64..30 * 540).prop_map(Duration::minutes)
}

/// Counts working minutes by stepping minute by minute through the local days' hours: an
/// oracle that never touches the compiled interval table.
fn oracle_add(cal: &Calendar, t: Timestamp, n: i64) -> Timestamp {
    let mut at = t;
    let mut left = n;
    while left > 0 {
        let local = at.with_timezone(&cal.time_zone());
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let day = cal.day(local.date_naive());
        if day.hours.iter().any(|s| s.start() <= minute && minute < s.end()) {
            left -= 1;
        }
        at += Duration::minutes(1);
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn add_then_diff_gives_back_n(cal in calendars(), t in instant(), n in amount()) {
        let end = cal.add(t, n);
        prop_assert!(end >= t);
        prop_assert_eq!(cal.working_between(t, end), n);
    }

    #[test]
    fn diff_is_additive_over_a_split(cal in calendars(), a in instant(), b in instant(), c in instant()) {
        prop_assert_eq!(
            cal.working_between(a, c),
            cal.working_between(a, b) + cal.working_between(b, c)
        );
        prop_assert_eq!(cal.working_between(a, b), -cal.working_between(b, a));
    }

    #[test]
    fn add_is_monotonic(cal in calendars(), a in instant(), b in instant(), n in amount(), m in amount()) {
        let (a, b) = (a.min(b), a.max(b));
        prop_assert!(cal.add(a, n) <= cal.add(b, n));
        let (n, m) = (n.min(m), n.max(m));
        prop_assert!(cal.add(a, n) <= cal.add(a, m));
        prop_assert!(cal.working_between(a, b) >= Duration::zero());
    }

    #[test]
    fn results_lie_in_working_time(cal in calendars(), t in instant(), n in amount()) {
        prop_assume!(n > Duration::zero());
        let end = cal.add(t, n);
        // The deadline closes a working stretch: the minute before it is worked.
        prop_assert!(cal.is_working(end - Duration::minutes(1)));
        let next = cal.next_working(t);
        prop_assert!(cal.is_working(next) && next >= t);
        prop_assert_eq!(cal.working_between(t, next), Duration::zero());
    }

    #[test]
    fn going_back_undoes_going_forward(cal in calendars(), t in instant(), n in amount()) {
        prop_assume!(n > Duration::zero());
        let start = cal.next_working(t);
        let back = cal.add(cal.add(start, n), -n);
        prop_assert_eq!(cal.working_between(back, start), Duration::zero());
        prop_assert!(back <= start);
    }

    #[test]
    fn always_open_is_wall_clock(t in instant(), u in instant(), n in amount()) {
        let cal = Calendar::always_open();
        prop_assert_eq!(cal.add(t, n), t + n);
        prop_assert_eq!(cal.working_between(t, u), u - t);
        prop_assert!(cal.is_working(t));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn add_agrees_with_a_minute_by_minute_walk(cal in calendars(), t in instant(), n in 1i64..1500) {
        prop_assert_eq!(cal.add_minutes(t, n), oracle_add(cal, t, n));
    }
}
