//! Mainland China's statutory holidays computed by rule, for years whose official schedule
//! (the State Council notice, published late in the year before) is not imported yet.
//!
//! The rule is the 全国年节及纪念日放假办法 as amended in 2024 (in force from 2025), one
//! entry per statutory day:
//! - New Year's Day (元旦): 1 January, 1 day;
//! - Spring Festival (春节): New Year's Eve (除夕) and the 1st–3rd of the first lunar month,
//!   4 days;
//! - Qingming (清明节): the day of the Qingming solar term (4 or 5 April), 1 day;
//! - Labour Day (劳动节): 1–2 May, 2 days;
//! - Dragon Boat (端午节): the 5th of the 5th lunar month, 1 day;
//! - Mid-Autumn (中秋节): the 15th of the 8th lunar month, 1 day;
//! - National Day (国庆节): 1–3 October, 3 days.
//!
//! Only the statutory days are given: the bridge days and weekend swaps (调休) that make
//! the official breaks longer, and the make-up working days, are unknown until the notice
//! is published, so they are left out rather than guessed. Every day is marked
//! [`DayKind::HolidayProvisional`].

use super::days::{DayKind, SpecialDay};
use super::solar_term::qingming;
use chinese_lunisolar_calendar::LunisolarDate;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// The Gregorian date of `day` of lunar `month` (not a leap month) of the lunar year that
/// starts in `year`; none outside the lunar tables' years (1901–2100).
fn lunar(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let year = u16::try_from(year).ok()?;
    LunisolarDate::from_ymd(year, month, false, day).ok().map(|d| d.to_naive_date())
}

/// The statutory days of `year` by rule, sorted by date, each marked provisional. A date
/// that is two holidays at once (Mid-Autumn on National Day) is listed once under both names.
pub fn china(year: i32) -> Vec<SpecialDay> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let mut days: Vec<(Option<NaiveDate>, &str)> = vec![(ymd(1, 1), "元旦")];
    let spring = lunar(year, 1, 1);
    for offset in -1..=2 {
        days.push((spring.map(|d| d + Duration::days(offset)), "春节"));
    }
    days.push((qingming(year), "清明节"));
    days.extend([(ymd(5, 1), "劳动节"), (ymd(5, 2), "劳动节")]);
    days.push((lunar(year, 5, 5), "端午节"));
    days.extend([(ymd(10, 1), "国庆节"), (ymd(10, 2), "国庆节"), (ymd(10, 3), "国庆节")]);
    // Last, so a shared date reads "国庆节、中秋节" as the notices write it.
    days.push((lunar(year, 8, 15), "中秋节"));
    let mut by_date: BTreeMap<NaiveDate, String> = BTreeMap::new();
    for (date, name) in days.into_iter().filter_map(|(d, n)| d.map(|d| (d, n))) {
        by_date
            .entry(date)
            .and_modify(|names| {
                if !names.split('、').any(|n| n == name) {
                    names.push('、');
                    names.push_str(name);
                }
            })
            .or_insert_with(|| name.to_string());
    }
    by_date
        .into_iter()
        .map(|(date, name)| SpecialDay { date, kind: DayKind::HolidayProvisional, name, hours: None })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn named(year: i32, name: &str) -> Vec<NaiveDate> {
        china(year).into_iter().filter(|d| d.name.split('、').any(|n| n == name)).map(|d| d.date).collect()
    }

    #[test]
    fn year_2027_against_the_published_festival_dates() {
        // Spring Festival 2027-02-06 (除夕 02-05), Qingming 04-05, Dragon Boat 06-09,
        // Mid-Autumn 09-15.
        assert_eq!(named(2027, "春节"), [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]);
        assert_eq!(named(2027, "清明节"), [date(2027, 4, 5)]);
        assert_eq!(named(2027, "端午节"), [date(2027, 6, 9)]);
        assert_eq!(named(2027, "中秋节"), [date(2027, 9, 15)]);
        assert_eq!(named(2027, "元旦"), [date(2027, 1, 1)]);
        assert_eq!(named(2027, "劳动节"), [date(2027, 5, 1), date(2027, 5, 2)]);
        assert_eq!(named(2027, "国庆节"), [date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]);
        assert_eq!(china(2027).len(), 13);
    }

    #[test]
    fn year_2028_against_the_published_festival_dates() {
        // Spring Festival 2028-01-26 (除夕 01-25), Qingming 04-04, Dragon Boat 05-28,
        // Mid-Autumn 10-03 (on National Day: one date, both names).
        assert_eq!(named(2028, "春节"), [date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28)]);
        assert_eq!(named(2028, "清明节"), [date(2028, 4, 4)]);
        assert_eq!(named(2028, "端午节"), [date(2028, 5, 28)]);
        assert_eq!(named(2028, "中秋节"), [date(2028, 10, 3)]);
        let days = china(2028);
        assert_eq!(days.len(), 12);
        assert!(days.iter().any(|d| d.date == date(2028, 10, 3) && d.name == "国庆节、中秋节"));
        assert!(days.iter().all(|d| d.kind == DayKind::HolidayProvisional && d.hours.is_none()));
    }

    #[test]
    fn the_rule_agrees_with_the_official_2025_and_2026_notices() {
        // Every statutory day of the rule is a day off in the published schedule (the
        // notices add bridge days, never remove a statutory one).
        let official: BTreeMap<NaiveDate, SpecialDay> =
            super::super::holidays::china().into_iter().map(|d| (d.date, d)).collect();
        for year in [2025, 2026] {
            for day in china(year) {
                let listed = official.get(&day.date).unwrap_or_else(|| panic!("{} not in the notice", day.date));
                assert_eq!(listed.kind, DayKind::Holiday, "{}", day.date);
                let first = day.name.split('、').next().unwrap();
                assert!(
                    listed.name.contains(&first[..first.len() - 3]),
                    "{}: {} vs {}",
                    day.date,
                    listed.name,
                    day.name
                );
            }
        }
    }
}
