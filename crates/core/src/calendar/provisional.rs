//! Years without an official schedule: which they are, their statutory days by rule
//! (marked provisional), and the warning that the official data is about to end.
//!
//! A year is *official* when the calendar lists at least one holiday in it (make-up working
//! days alone, e.g. a company's stock-taking Saturday, do not make a year official). Every
//! year after the first official one that has no listed holiday gets the statutory days of
//! the calendar's [`HolidayRule`], so a calendar never silently runs out: the SLA clocks
//! keep the New Year and Spring Festival off even before the notice is imported. Importing
//! the notice lists the year's holidays, which makes it official and drops its provisional
//! days at once.

use super::days::{DayKind, SpecialDay};
use super::spec::{CalendarSpec, HolidayRule};
use super::statutory;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Admins are warned from this many days before the official schedule ends.
pub const WARNING_DAYS: i64 = 90;

/// The official schedule of a calendar ends soon (or has ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleWarning {
    /// The calendar's name.
    pub calendar: String,
    /// The last day covered by an official schedule (31 December of its last year).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub official_until: NaiveDate,
    /// Days from today to that day (negative once provisional days are in force).
    pub days_left: i64,
    /// The first year whose holidays are provisional.
    pub provisional_from: i32,
}

impl ScheduleWarning {
    /// One line for logs, alerts and the console, in both languages.
    pub fn message(&self) -> String {
        let year = self.provisional_from;
        format!(
            "日历 {} 的官方节假日安排截至 {}；{year} 年起的法定假日按规则暂定，调休未知，请导入国务院办公厅发布的 {year} 年安排。 \
             Calendar {:?}: the official holiday schedule ends {}; holidays from {year} on are provisional \
             (computed by rule, make-up days unknown): import the State Council's {year} schedule.",
            self.calendar, self.official_until, self.calendar, self.official_until
        )
    }
}

impl CalendarSpec {
    /// Years with at least one listed (official) holiday.
    pub fn official_years(&self) -> BTreeSet<i32> {
        self.days.iter().filter(|d| d.kind == DayKind::Holiday).map(|d| d.date.year()).collect()
    }

    /// Whether the calendar computes provisional days at all.
    fn follows_rule(&self) -> bool {
        !self.always_open && self.holiday_rule != HolidayRule::None
    }

    /// The last day of the official schedule; none for a calendar that follows no schedule
    /// (round the clock, rule `none`, or no holiday listed).
    pub fn official_until(&self) -> Option<NaiveDate> {
        let last = self.official_years().last().copied().filter(|_| self.follows_rule())?;
        NaiveDate::from_ymd_opt(last, 12, 31)
    }

    /// The provisional days of every year after the first official one, through
    /// `last_year`, that lists no holiday; a date listed for another reason keeps its entry.
    pub fn provisional_days(&self, last_year: i32) -> Vec<SpecialDay> {
        let official = self.official_years();
        let Some(first) = official.first().copied().filter(|_| self.follows_rule()) else {
            return Vec::new();
        };
        let listed: BTreeSet<NaiveDate> = self.days.iter().map(|d| d.date).collect();
        (first + 1..=last_year)
            .filter(|y| !official.contains(y))
            .flat_map(|y| match self.holiday_rule {
                HolidayRule::China => statutory::china(y),
                HolidayRule::None => Vec::new(),
            })
            .filter(|d| !listed.contains(&d.date))
            .collect()
    }

    /// The listed days and the provisional days through `last_year`, by date: what the
    /// calendar says about every date that is not a plain weekday or weekend.
    pub fn effective_days(&self, last_year: i32) -> Vec<SpecialDay> {
        let mut by_date: BTreeMap<NaiveDate, SpecialDay> =
            self.provisional_days(last_year).into_iter().map(|d| (d.date, d)).collect();
        by_date.extend(self.days.iter().map(|d| (d.date, d.clone())));
        by_date.into_values().collect()
    }

    /// The last year a file export lists provisional days for: next year, and at least the
    /// first provisional year, so an admin always sees what stands in for the missing notice.
    pub fn export_through(&self, today: NaiveDate) -> i32 {
        let after_official = self.official_until().map_or(today.year(), |d| d.year() + 1);
        (today.year() + 1).max(after_official)
    }

    /// The warning owed on `today` (local date): from [`WARNING_DAYS`] before the official
    /// schedule ends, and every day after it.
    pub fn schedule_warning(&self, today: NaiveDate) -> Option<ScheduleWarning> {
        let until = self.official_until()?;
        let days_left = (until - today).num_days();
        (days_left <= WARNING_DAYS).then(|| ScheduleWarning {
            calendar: self.name.clone(),
            official_until: until,
            days_left,
            provisional_from: until.year() + 1,
        })
    }
}

/// The first day admins are warned about a schedule ending on `until`.
pub fn warning_starts(until: NaiveDate) -> NaiveDate {
    until - Duration::days(WARNING_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn shipped_schedule_ends_with_2026_and_warns_from_october() {
        let spec = CalendarSpec::china("default");
        assert_eq!(spec.official_until(), Some(date(2026, 12, 31)));
        assert_eq!(warning_starts(date(2026, 12, 31)), date(2026, 10, 2));
        assert_eq!(spec.schedule_warning(date(2026, 10, 1)), None);
        let w = spec.schedule_warning(date(2026, 12, 7)).unwrap();
        assert_eq!((w.days_left, w.provisional_from), (24, 2027));
        assert!(w.message().contains("2027"));
        assert_eq!(spec.schedule_warning(date(2027, 3, 1)).unwrap().days_left, -60);
    }

    #[test]
    fn provisional_days_fill_only_years_without_holidays() {
        let mut spec = CalendarSpec::china("default");
        let days = spec.provisional_days(2028);
        assert!(days.iter().all(|d| (2027..=2028).contains(&d.date.year())));
        assert_eq!(days.len(), 13 + 12);
        spec.upsert_days([SpecialDay::holiday(date(2027, 1, 1), "元旦")]);
        assert!(spec.provisional_days(2028).iter().all(|d| d.date.year() == 2028));
        assert_eq!(spec.official_until(), Some(date(2027, 12, 31)));
        // A make-up day alone does not make 2028 official, and keeps its own entry.
        spec.upsert_days([SpecialDay::workday(date(2028, 1, 26), "盘点")]);
        assert_eq!(spec.provisional_days(2028).len(), 11);
        let eff = spec.effective_days(2028);
        assert!(eff.iter().any(|d| d.date == date(2028, 1, 26) && d.kind == DayKind::Workday));
        assert_eq!(spec.export_through(date(2026, 12, 7)), 2028);
    }

    #[test]
    fn calendars_without_a_schedule_or_rule_get_nothing() {
        let mut spec = CalendarSpec::china("x");
        spec.holiday_rule = HolidayRule::None;
        assert!(spec.provisional_days(2030).is_empty());
        assert_eq!(spec.schedule_warning(date(2026, 12, 7)), None);
        let mut bare = CalendarSpec::china("y");
        bare.days.clear();
        assert!(bare.provisional_days(2030).is_empty());
        assert_eq!(bare.official_until(), None);
        assert!(CalendarSpec::always_open("z").provisional_days(2030).is_empty());
    }
}
