//! The shipped China calendar against the State Council schedules for 2025 and 2026, and
//! cross-checked day by day against the `chinese-calendar` package's data for 2024–2026.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use loopdesk_core::calendar::{Calendar, DayType};
use loopdesk_core::Timestamp;

fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn assert_days(cal: &Calendar, from: NaiveDate, to: NaiveDate, expect: DayType, name: &str) {
    for day in from.iter_days().take_while(|d| *d <= to) {
        let info = cal.day(day);
        assert_eq!(info.kind, expect, "{day}");
        assert!(info.name.as_deref().unwrap_or("").contains(name), "{day}");
    }
}

#[test]
fn spring_festival_2026_and_its_make_up_saturdays() {
    let cal = Calendar::china();
    assert_days(&cal, date(2026, 2, 15), date(2026, 2, 23), DayType::Holiday, "春节");
    assert_days(&cal, date(2026, 2, 14), date(2026, 2, 14), DayType::MakeUp, "春节");
    assert_days(&cal, date(2026, 2, 28), date(2026, 2, 28), DayType::MakeUp, "春节");
    // Friday 13th 17:00 + 2 h lands on the make-up Saturday.
    assert_eq!(cal.add_hours(bj(2026, 2, 13, 17, 0), 2), bj(2026, 2, 14, 10, 0));
    // From the make-up Saturday, the next working hour is after the nine-day break.
    assert_eq!(cal.add_hours(bj(2026, 2, 14, 17, 0), 2), bj(2026, 2, 24, 10, 0));
    assert_eq!(cal.working_between(bj(2026, 2, 13, 9, 0), bj(2026, 2, 24, 9, 0)), Duration::hours(18));
    // 3 working days from Thursday 12th 10:00: Fri 13, Sat 14 (make-up), Tue 24.
    assert_eq!(cal.add_working_days(bj(2026, 2, 12, 10, 0), 3), bj(2026, 2, 24, 10, 0));
    // The Sunday before, and the Sunday between the break and the 28th, are weekends.
    assert_eq!(cal.day(date(2026, 3, 1)).kind, DayType::Weekend);
}

#[test]
fn national_day_2025_with_mid_autumn_and_make_up_days() {
    let cal = Calendar::china();
    assert_days(&cal, date(2025, 10, 1), date(2025, 10, 8), DayType::Holiday, "国庆节");
    assert_days(&cal, date(2025, 9, 28), date(2025, 9, 28), DayType::MakeUp, "国庆节");
    assert_days(&cal, date(2025, 10, 11), date(2025, 10, 11), DayType::MakeUp, "国庆节");
    assert_eq!(cal.add_hours(bj(2025, 9, 30, 17, 0), 2), bj(2025, 10, 9, 10, 0));
    // Sunday 28 September is a working day: Saturday 27th 12:00 + 1 h = Sunday 10:00.
    assert_eq!(cal.add_hours(bj(2025, 9, 27, 12, 0), 1), bj(2025, 9, 28, 10, 0));
    // Friday 10th 10:00 + 2 working days: Fri 10th, Sat 11th (make-up), Mon 13th 10:00.
    assert_eq!(cal.add_working_days(bj(2025, 10, 10, 10, 0), 2), bj(2025, 10, 13, 10, 0));
}

#[test]
fn spring_festival_2025_and_the_other_2025_26_holidays() {
    let cal = Calendar::china();
    assert_days(&cal, date(2025, 1, 28), date(2025, 2, 4), DayType::Holiday, "春节");
    assert_days(&cal, date(2025, 1, 26), date(2025, 1, 26), DayType::MakeUp, "春节");
    assert_days(&cal, date(2025, 2, 8), date(2025, 2, 8), DayType::MakeUp, "春节");
    assert_eq!(cal.add_hours(bj(2025, 1, 27, 17, 30), 1), bj(2025, 2, 5, 9, 30));
    assert_days(&cal, date(2025, 5, 1), date(2025, 5, 5), DayType::Holiday, "劳动节");
    assert_days(&cal, date(2025, 4, 27), date(2025, 4, 27), DayType::MakeUp, "劳动节");
    assert_days(&cal, date(2026, 1, 1), date(2026, 1, 3), DayType::Holiday, "元旦");
    assert_days(&cal, date(2026, 1, 4), date(2026, 1, 4), DayType::MakeUp, "元旦");
    assert_days(&cal, date(2026, 10, 1), date(2026, 10, 7), DayType::Holiday, "国庆节");
    assert_days(&cal, date(2026, 9, 20), date(2026, 9, 20), DayType::MakeUp, "国庆节");
    assert_days(&cal, date(2026, 10, 10), date(2026, 10, 10), DayType::MakeUp, "国庆节");
    assert_days(&cal, date(2026, 9, 25), date(2026, 9, 27), DayType::Holiday, "中秋节");
}

#[test]
fn working_day_counts_per_year() {
    let cal = Calendar::china();
    let count = |y| date(y, 1, 1).iter_days().take_while(|d| d.year() == y).filter(|d| cal.is_working_day(*d)).count();
    // 2024: 251; 2025 and 2026: 248 (two more statutory days from 2025 on).
    assert_eq!((count(2024), count(2025), count(2026)), (251, 248, 248));
    let year = cal.working_between(bj(2025, 1, 1, 0, 0), bj(2026, 1, 1, 0, 0));
    assert_eq!(year, Duration::hours(9 * 248));
}

/// English names of the reference data → the names in our file.
fn chinese_name(english: &str) -> &'static str {
    match english {
        "New Year's Day" => "元旦",
        "Spring Festival" => "春节",
        "Tomb-sweeping Day" => "清明节",
        "Labour Day" => "劳动节",
        "Dragon Boat Festival" => "端午节",
        "Mid-autumn Festival" => "中秋节",
        "National Day" => "国庆节",
        other => panic!("unexpected holiday name {other:?}"),
    }
}

#[test]
fn matches_the_chinese_calendar_package_2024_to_2026() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cn-workdays-2020-2026.csv");
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("note: {path} is absent; skipping the cross-check");
        return;
    };
    let cal = Calendar::china();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let day = NaiveDate::parse_from_str(fields[0], "%Y-%m-%d").unwrap();
        if day.year() < 2024 {
            continue;
        }
        let info = cal.day(day);
        assert_eq!(info.is_working_day(), fields[1] == "true", "{day}");
        match fields.get(2).filter(|n| !n.is_empty()) {
            Some(name) => {
                let ours = info.name.unwrap_or_default();
                assert!(ours.contains(chinese_name(name)), "{day}: {ours} vs {name}");
            }
            None => assert_eq!(info.name, None, "{day}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 366 + 365 + 365);
}
