//! Deadlines of problems and actions on the company's business calendar. A deadline given
//! as a date falls due at the end of that date's working hours in the calendar's zone (a
//! manager who says "by Friday" means by the end of Friday's work, not Friday 00:00); on a
//! date without working hours, at the end of the date.

use crate::calendar::Calendar;
use crate::Timestamp;
use chrono::{Duration, NaiveDate, TimeZone, Utc};

/// The due minute of `date` on `calendar`.
pub fn end_of_date(calendar: &Calendar, date: NaiveDate) -> Timestamp {
    let day = calendar.day(date);
    let minutes = day.hours.iter().map(|s| s.end()).max().unwrap_or(24 * 60);
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(i64::from(minutes));
    let tz = calendar.time_zone();
    // A local time skipped by a clock change falls due an hour later.
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc)),
    }
}

/// `n` working days of `calendar` after `from`, and that instant's local date.
pub fn after_working_days(calendar: &Calendar, from: Timestamp, n: i64) -> (Timestamp, NaiveDate) {
    let due = calendar.add_working_days(from, n);
    (due, due.with_timezone(&calendar.time_zone()).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_due_at_the_end_of_its_working_hours() {
        let cal = Calendar::china();
        // Friday 2026-11-06: the standard day ends at 18:00 in Shanghai, 10:00 UTC.
        let friday = NaiveDate::from_ymd_opt(2026, 11, 6).unwrap();
        assert_eq!(end_of_date(&cal, friday), Utc.with_ymd_and_hms(2026, 11, 6, 10, 0, 0).unwrap());
        // Saturday has no hours: the end of the day, 16:00 UTC.
        let saturday = NaiveDate::from_ymd_opt(2026, 11, 7).unwrap();
        assert_eq!(end_of_date(&cal, saturday), Utc.with_ymd_and_hms(2026, 11, 7, 16, 0, 0).unwrap());
    }

    #[test]
    fn working_days_skip_the_weekend() {
        let cal = Calendar::china();
        // Friday 10:00 Shanghai + 1 working day = Monday 10:00.
        let from = Utc.with_ymd_and_hms(2026, 11, 6, 2, 0, 0).unwrap();
        let (due, date) = after_working_days(&cal, from, 1);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 9, 2, 0, 0).unwrap());
        assert_eq!(date, NaiveDate::from_ymd_opt(2026, 11, 9).unwrap());
    }
}
