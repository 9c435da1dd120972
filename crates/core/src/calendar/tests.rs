//! Unit tests of the compiled calendar (the official schedules are in `tests/`).

use super::*;
use chrono::TimeZone;

/// An instant written in Beijing time.
fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&chrono::Utc)
}

fn lunch_calendar() -> Calendar {
    let mut spec = CalendarSpec::china("lunch");
    let hours = hours::parse_spans("09:00-12:00 13:30-18:00").unwrap();
    spec.week = WeekHours::weekdays(&hours);
    spec.workday_hours = hours;
    Calendar::new(spec).unwrap()
}

#[test]
fn adds_across_a_weekend() {
    let cal = Calendar::china();
    // Friday 2025-11-21 17:00 + 2 h = Monday 10:00.
    assert_eq!(cal.add_hours(bj(2025, 11, 21, 17, 0), 2), bj(2025, 11, 24, 10, 0));
    assert_eq!(cal.working_between(bj(2025, 11, 21, 17, 0), bj(2025, 11, 24, 10, 0)), Duration::hours(2));
    // Ends exactly at closing time rather than the next morning.
    assert_eq!(cal.add_hours(bj(2025, 11, 21, 17, 0), 1), bj(2025, 11, 21, 18, 0));
}

#[test]
fn starts_outside_hours_count_from_opening() {
    let cal = Calendar::china();
    assert_eq!(cal.add_minutes(bj(2025, 11, 22, 3, 0), 15), bj(2025, 11, 24, 9, 15));
    assert_eq!(cal.next_working(bj(2025, 11, 21, 18, 0)), bj(2025, 11, 24, 9, 0));
    assert!(cal.is_working(bj(2025, 11, 21, 17, 59)));
    assert!(!cal.is_working(bj(2025, 11, 21, 18, 0)));
}

#[test]
fn lunch_break_is_skipped() {
    let cal = lunch_calendar();
    assert_eq!(cal.working_day(), Duration::hours(7) + Duration::minutes(30));
    assert_eq!(cal.add_minutes(bj(2025, 11, 20, 11, 30), 60), bj(2025, 11, 20, 14, 0));
    assert!(!cal.is_working(bj(2025, 11, 20, 12, 45)));
    assert_eq!(cal.add_working_days(bj(2025, 11, 20, 10, 0), 1), bj(2025, 11, 21, 10, 0));
}

#[test]
fn working_days_keep_the_time_of_day() {
    let cal = Calendar::china();
    // Monday 10:00 + 1 working day = Tuesday 10:00; Friday 10:00 + 1 = Monday 10:00.
    assert_eq!(cal.add_working_days(bj(2025, 11, 17, 10, 0), 1), bj(2025, 11, 18, 10, 0));
    assert_eq!(cal.add_working_days(bj(2025, 11, 21, 10, 0), 1), bj(2025, 11, 24, 10, 0));
    // From 09:00 a working day ends at 18:00 the same day.
    assert_eq!(cal.add_working_days(bj(2025, 11, 17, 9, 0), 1), bj(2025, 11, 17, 18, 0));
}

#[test]
fn always_open_is_clock_arithmetic() {
    let cal = Calendar::always_open();
    let t = bj(2026, 2, 16, 23, 30);
    assert_eq!(cal.add_hours(t, 2), t + Duration::hours(2));
    assert!(cal.is_working(t));
    assert_eq!(cal.working_day(), Duration::hours(24));
    assert_eq!(cal.day(t.date_naive()).hours.len(), 1);
}

#[test]
fn day_info_names_holidays_and_make_up_days() {
    let cal = Calendar::china();
    let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let sat = cal.day(d(2, 14));
    assert_eq!((sat.kind, sat.name.as_deref()), (DayType::MakeUp, Some("春节")));
    assert_eq!(sat.hours.len(), 1);
    assert_eq!(cal.day(d(2, 16)).kind, DayType::Holiday);
    assert_eq!(cal.day(d(3, 7)).kind, DayType::Weekend);
    assert_eq!(cal.day(d(3, 9)).kind, DayType::Regular);
    assert!(cal.is_working_day(d(2, 28)) && !cal.is_working_day(d(2, 23)));
}

#[test]
fn revised_calendar_keeps_the_past() {
    let old = Calendar::china();
    let mut spec = CalendarSpec::china(DEFAULT_CALENDAR);
    spec.week = WeekHours::weekdays(&[Span::parse("08:00-20:00").unwrap()]);
    let new = Calendar::new(spec).unwrap();
    let at = bj(2025, 11, 19, 12, 0);
    let cal = old.revised(at, &new);
    // Tuesday counts 9 h (old), Thursday 12 h (new); Wednesday 09:00–12:00 old, 12:00–20:00 new.
    let (tue, thu) = (bj(2025, 11, 18, 0, 0), bj(2025, 11, 20, 0, 0));
    assert_eq!(cal.working_between(tue, thu), Duration::hours(9 + 3 + 8));
    assert_eq!(cal.working_between(thu, thu + Duration::days(1)), Duration::hours(12));
    let both = Calendar::always_open().revised(at, &Calendar::always_open());
    assert_eq!(both.add_hours(at, 1), at + Duration::hours(1));
    let to24 = old.revised(at, &Calendar::always_open());
    assert_eq!(to24.add_hours(bj(2025, 11, 22, 0, 0), 1), bj(2025, 11, 22, 1, 0));
}

#[test]
fn other_zones_and_dst_are_honoured() {
    let mut spec = CalendarSpec::china("berlin");
    spec.time_zone = "Europe/Berlin".into();
    spec.days.clear();
    let cal = Calendar::new(spec).unwrap();
    let berlin =
        |m, d, h| chrono_tz::Europe::Berlin.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap().with_timezone(&chrono::Utc);
    // Friday before and Monday after the spring-forward weekend: still 09:00 local.
    assert_eq!(cal.add_hours(berlin(3, 27, 17), 1), berlin(3, 27, 18));
    assert_eq!(cal.add_hours(berlin(3, 27, 17), 2), berlin(3, 30, 10));
}
