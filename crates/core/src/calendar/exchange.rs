//! Import and export of a calendar's listed days, for the admin API.

use super::{csv, ical, CalendarError, CalendarSpec};
use crate::Timestamp;
use chrono::Datelike;
use std::collections::BTreeSet;

impl CalendarSpec {
    /// The listed days as CSV (`date,kind,name,hours`).
    pub fn days_to_csv(&self) -> String {
        csv::write(&self.days)
    }

    /// The listed days as an iCalendar document; `stamp` is the export time.
    pub fn days_to_ical(&self, stamp: Timestamp) -> String {
        ical::write(&self.name, &self.days, stamp)
    }

    /// Merges days read from CSV (same dates are replaced); returns how many were read.
    pub fn import_csv(&mut self, text: &str) -> Result<usize, CalendarError> {
        let days = csv::parse(text)?;
        let n = days.len();
        self.upsert_days(days);
        Ok(n)
    }

    /// Merges days read from iCalendar (same dates are replaced); returns how many were read.
    pub fn import_ical(&mut self, text: &str) -> Result<usize, CalendarError> {
        let days = ical::parse(text)?;
        let n = days.len();
        self.upsert_days(days);
        Ok(n)
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
        let n = empty.import_csv(&spec.days_to_csv()).unwrap();
        assert_eq!((n, &empty.days), (spec.days.len(), &spec.days));
        let stamp = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let mut again = empty.clone();
        again.import_ical(&spec.days_to_ical(stamp)).unwrap();
        assert_eq!(again.days, spec.days);
        again.import_csv("2027-01-01,holiday,元旦\n2026-01-01,holiday,新年").unwrap();
        assert_eq!(again.days.len(), spec.days.len() + 1);
        assert!(again.days.iter().any(|d| d.name == "新年"));
    }
}
