//! Years after the shipped schedule (2027, 2028, …): statutory holidays by rule, marked
//! provisional, against the published festival dates; and what importing a notice does.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use loopdesk_core::calendar::{statutory, Calendar, CalendarSpec, DayKind, DayType, SpecialDay};
use loopdesk_core::Timestamp;
use proptest::prelude::*;
use std::sync::OnceLock;

fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn china() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::china)
}

fn provisional(cal: &Calendar, day: NaiveDate, name: &str) {
    let info = cal.day(day);
    assert_eq!(info.kind, DayType::ProvisionalHoliday, "{day}");
    assert!(info.name.as_deref().unwrap_or("").contains(name), "{day}: {:?}", info.name);
    assert!(!info.is_working_day());
}

#[test]
fn year_2027_is_provisional_with_the_published_festival_dates() {
    let cal = china();
    provisional(cal, date(2027, 1, 1), "元旦");
    for d in 5..=8 {
        provisional(cal, date(2027, 2, d), "春节"); // 除夕 02-05, Spring Festival 02-06
    }
    assert_eq!(cal.day(date(2027, 2, 9)).kind, DayType::Regular, "no bridge days are guessed");
    provisional(cal, date(2027, 4, 5), "清明节");
    provisional(cal, date(2027, 5, 1), "劳动节");
    provisional(cal, date(2027, 5, 2), "劳动节");
    provisional(cal, date(2027, 6, 9), "端午节");
    provisional(cal, date(2027, 9, 15), "中秋节");
    for d in 1..=3 {
        provisional(cal, date(2027, 10, d), "国庆节");
    }
}

#[test]
fn year_2028_is_provisional_with_the_published_festival_dates() {
    let cal = china();
    provisional(cal, date(2028, 1, 25), "春节"); // 除夕
    provisional(cal, date(2028, 1, 26), "春节");
    provisional(cal, date(2028, 1, 28), "春节");
    assert_eq!(cal.day(date(2028, 1, 31)).kind, DayType::Regular);
    provisional(cal, date(2028, 4, 4), "清明节");
    assert_eq!(cal.day(date(2028, 4, 5)).kind, DayType::Regular);
    provisional(cal, date(2028, 5, 28), "端午节");
    provisional(cal, date(2028, 10, 3), "中秋节");
    provisional(cal, date(2028, 10, 3), "国庆节");
}

#[test]
fn sla_clocks_skip_the_provisional_spring_festival() {
    // Thursday 2027-02-04 17:00 + 2 working hours: Friday 02-05 (除夕) to Monday 02-08 are
    // off, so the deadline is Tuesday 02-09 10:00, not Friday morning.
    let cal = china();
    assert_eq!(cal.add_hours(bj(2027, 2, 4, 17, 0), 2), bj(2027, 2, 9, 10, 0));
    assert_eq!(cal.add_working_days(bj(2026, 12, 31, 10, 0), 1), bj(2027, 1, 4, 10, 0));
}

#[test]
fn an_imported_notice_takes_over_its_year_only() {
    let mut spec = CalendarSpec::china("default");
    // The 2027 notice (hypothetical here): 02-05..02-12 off, Saturday 02-20 worked.
    let notice: String = (5..=12)
        .map(|d| format!("2027-02-{d:02},holiday,春节\n"))
        .chain(["2027-02-20,workday,春节\n".to_string()])
        .collect();
    spec.import_csv(&notice).unwrap();
    let cal = Calendar::new(spec).unwrap();
    assert_eq!(cal.day(date(2027, 2, 9)).kind, DayType::Holiday);
    assert_eq!(cal.day(date(2027, 2, 20)).kind, DayType::MakeUp);
    assert_eq!(cal.day(date(2027, 10, 1)).kind, DayType::Regular, "2027 is official now: only its notice counts");
    assert_eq!(cal.day(date(2028, 1, 26)).kind, DayType::ProvisionalHoliday);
    let w = cal.schedule_warning(bj(2027, 10, 2, 12, 0)).unwrap();
    assert_eq!((w.official_until, w.days_left), (date(2027, 12, 31), 90));
    assert_eq!(cal.schedule_warning(bj(2027, 10, 1, 12, 0)), None);
}

/// Every year the lunar tables cover (all 74 of them, not a sample) gets 12 or 13 statutory
/// days (Mid-Autumn may fall on National Day), in its own year, off in the compiled
/// calendar, with the festivals in their seasons and one lunar month apart as the calendar
/// requires. The seasons are wide: the 5th of the 5th month falls as early as 27 May (2085).
#[test]
fn every_year_has_its_statutory_days() {
    for year in 2027i32..=2100 {
        let days = statutory::china(year);
        assert!(days.len() == 12 || days.len() == 13, "{year}");
        assert!(days.iter().all(|d| d.date.year() == year && d.kind == DayKind::HolidayProvisional));
        let of = |name: &str| days.iter().filter(|d| d.name.contains(name)).map(|d| d.date).collect::<Vec<_>>();
        let spring = of("春节");
        assert_eq!(spring.len(), 4, "{year}");
        assert!(spring[1] >= date(year, 1, 21) && spring[1] <= date(year, 2, 20), "{spring:?}");
        let dragon = of("端午节")[0];
        assert!(dragon >= date(year, 5, 23) && dragon <= date(year, 6, 26), "{dragon}");
        let autumn = of("中秋节")[0];
        assert!(autumn >= date(year, 9, 5) && autumn <= date(year, 10, 10), "{autumn}");
        // 4 lunar months from the 1st of the 1st month to the 5th of the 5th (one more
        // in a year with a leap month before it): 4 × 29.53 + 4 days, give or take a day or
        // a month.
        let gap = (dragon - spring[1]).num_days();
        assert!((120..=155).contains(&gap), "{year}: {gap}");
        for d in &days {
            assert!(!china().is_working_day(d.date), "{}", d.date);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Importing any non-empty set of official holidays for a year leaves no provisional day
    /// in it, and touches no other year.
    #[test]
    fn an_import_replaces_the_provisional_days_of_its_year(year in 2027i32..=2040, picks in prop::collection::btree_set(0u32..365, 1..20)) {
        let mut spec = CalendarSpec::china("default");
        let before_next = spec.provisional_days(year + 1).into_iter().filter(|d| d.date.year() == year + 1).count();
        let notice: Vec<SpecialDay> = picks
            .iter()
            .map(|n| SpecialDay::holiday(date(year, 1, 1) + Duration::days(i64::from(*n)), "假日"))
            .filter(|d| d.date.year() == year)
            .collect();
        spec.upsert_days(notice);
        let after = spec.provisional_days(year + 1);
        prop_assert!(after.iter().all(|d| d.date.year() != year));
        prop_assert_eq!(after.iter().filter(|d| d.date.year() == year + 1).count(), before_next);
    }
}
