//! Import and export of a calendar's listed days, for the admin API.

use super::{csv, ical, CalendarError, CalendarSpec, DayKind, SpecialDay};
use crate::Timestamp;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

impl CalendarSpec {
    /// The listed days as CSV (`date,kind,name,hours`), with the provisional days through
    /// [`CalendarSpec::export_through`] `today` (kind `holiday_provisional`).
    pub fn days_to_csv(&self, today: NaiveDate) -> String {
        csv::write(&self.effective_days(self.export_through(today)))
    }

    /// The listed and provisional days as an iCalendar document; `stamp` is the export time.
    pub fn days_to_ical(&self, stamp: Timestamp) -> String {
        let through = self.export_through(stamp.date_naive());
        ical::write(&self.name, &self.effective_days(through), stamp)
    }

    /// Merges the official days read from CSV (same dates are replaced); returns how many
    /// were read. Provisional rows (an export read back) are skipped: they are computed,
    /// and a year with an imported holiday is official, which drops its provisional days.
    pub fn import_csv(&mut self, text: &str) -> Result<usize, CalendarError> {
        Ok(self.merge_official(csv::parse(text)?))
    }

    /// Merges the official days read from iCalendar, as [`CalendarSpec::import_csv`].
    pub fn import_ical(&mut self, text: &str) -> Result<usize, CalendarError> {
        Ok(self.merge_official(ical::parse(text)?))
    }

    fn merge_official(&mut self, days: Vec<SpecialDay>) -> usize {
        let official: Vec<SpecialDay> = days.into_iter().filter(|d| d.kind != DayKind::HolidayProvisional).collect();
        let n = official.len();
        self.upsert_days(official);
        n
    }

    /// Years with at least one listed holiday, so an admin can see which year's official
    /// schedule is still missing.
    pub fn scheduled_years(&self) -> BTreeSet<i32> {
        self.days.iter().map(|d| d.date.year()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn export_then_import_is_lossless_and_merges_by_date() {
        let spec = CalendarSpec::china("default");
        assert_eq!(spec.scheduled_years(), BTreeSet::from([2024, 2025, 2026]));
        let mut empty = CalendarSpec::china("copy");
        empty.days.clear();
        let stamp = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let n = empty.import_csv(&spec.days_to_csv(stamp.date_naive())).unwrap();
        assert_eq!((n, &empty.days), (spec.days.len(), &spec.days));
        let mut again = empty.clone();
        again.import_ical(&spec.days_to_ical(stamp)).unwrap();
        assert_eq!(again.days, spec.days);
        again.import_csv("2027-01-01,holiday,元旦\n2026-01-01,holiday,新年").unwrap();
        assert_eq!(again.days.len(), spec.days.len() + 1);
        assert!(again.days.iter().any(|d| d.name == "新年"));
    }
}

#[cfg(test)]
mod provisional_tests {
    use super::*;
    use chrono::TimeZone;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn exports_list_provisional_days_with_their_own_kind() {
        let spec = CalendarSpec::china("default");
        let csv = spec.days_to_csv(today());
        assert!(csv.contains("2027-02-05,holiday_provisional,春节,\n"), "{csv}");
        assert!(csv.contains("2027-09-15,holiday_provisional,中秋节,\n"));
        assert!(!csv.contains("2028-"), "through next year only");
        let stamp = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
        let ics = spec.days_to_ical(stamp);
        assert!(ics.contains("X-LOOPDESK-KIND:holiday_provisional\r\n"));
        assert!(ics.contains("SUMMARY:端午节（休，暂定）\r\n"));
        // Read back, an export changes nothing: provisional rows are computed, not stored.
        for mut copy in [spec.clone(), spec.clone()] {
            copy.import_csv(&csv).unwrap();
            assert_eq!(copy, spec);
        }
        let mut copy = spec.clone();
        copy.import_ical(&ics).unwrap();
        assert_eq!(copy, spec);
    }

    #[test]
    fn importing_the_official_notice_replaces_the_year_s_provisional_days() {
        let mut spec = CalendarSpec::china("default");
        // A notice as published: a longer break with bridge days and make-up Saturdays.
        let notice = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-05,holiday,春节\n\
                      2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n2027-02-08,holiday,春节\n\
                      2027-02-09,holiday,春节\n2027-02-10,holiday,春节\n2027-02-11,holiday,春节\n\
                      2027-02-12,holiday,春节\n2027-02-20,workday,春节\n";
        assert_eq!(spec.import_csv(notice).unwrap(), 10);
        let days = spec.effective_days(2028);
        let in_2027: Vec<&SpecialDay> = days.iter().filter(|d| d.date.year() == 2027).collect();
        assert_eq!(in_2027.len(), 10);
        assert!(in_2027.iter().all(|d| d.kind != DayKind::HolidayProvisional));
        assert!(days.iter().filter(|d| d.date.year() == 2028).all(|d| d.kind == DayKind::HolidayProvisional));
        assert_eq!(spec.official_until(), NaiveDate::from_ymd_opt(2027, 12, 31));
    }

    #[test]
    fn a_listed_provisional_day_is_refused() {
        let mut spec = CalendarSpec::china("default");
        spec.days.push(SpecialDay { kind: DayKind::HolidayProvisional, ..SpecialDay::holiday(today(), "x") });
        assert!(matches!(spec.validate(), Err(CalendarError::ProvisionalListed(_))));
    }
}
