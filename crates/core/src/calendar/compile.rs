//! Turns a [`CalendarSpec`] into its [`Timeline`]: each local date's spans, read in the
//! calendar's zone (DST-aware), as UTC microseconds.

use super::days::SpecialDay;
use super::spec::CalendarSpec;
use super::timeline::Timeline;
use super::CalendarError;
use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// First year compiled; earlier listed dates widen the span.
pub const FIRST_YEAR: i32 = 2000;
/// Last year compiled; later listed dates widen the span.
pub const LAST_YEAR: i32 = 2100;

/// The listed days of `spec` and its provisional ones through [`LAST_YEAR`], by date.
pub(crate) fn index(spec: &CalendarSpec) -> BTreeMap<NaiveDate, SpecialDay> {
    spec.effective_days(LAST_YEAR).into_iter().map(|d| (d.date, d)).collect()
}

/// Compiles every date from [`FIRST_YEAR`] to [`LAST_YEAR`] (or the listed dates' years).
pub(crate) fn compile(
    spec: &CalendarSpec,
    listed: &BTreeMap<NaiveDate, SpecialDay>,
) -> Result<Timeline, CalendarError> {
    let tz = spec.tz()?;
    let first_year = listed.keys().next().map_or(FIRST_YEAR, |d| d.year().min(FIRST_YEAR));
    let last_year = listed.keys().last().map_or(LAST_YEAR, |d| d.year().max(LAST_YEAR));
    let first = NaiveDate::from_ymd_opt(first_year, 1, 1).ok_or(CalendarError::OutOfRange)?;
    let last = NaiveDate::from_ymd_opt(last_year, 12, 31).ok_or(CalendarError::OutOfRange)?;
    let mut intervals = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        let info = spec.day_info(date, listed.get(&date));
        for span in info.hours {
            let start = local_to_utc(tz, date, span.start());
            let end = local_to_utc(tz, date, span.end());
            intervals.push((start, end));
        }
    }
    // A DST fall-back can make a later local span start before an earlier one ends.
    intervals.sort_unstable();
    let timeline = Timeline::from_sorted(intervals);
    if timeline.is_empty() {
        return Err(CalendarError::NoWorkingTime);
    }
    Ok(timeline)
}

/// µs since the epoch of `minute` minutes after local midnight of `date` in `tz`. A time
/// that does not exist (DST gap) maps to the first existing one after it; an ambiguous
/// one to its earlier reading.
pub(crate) fn local_to_utc(tz: Tz, date: NaiveDate, minute: u16) -> i64 {
    let naive: NaiveDateTime =
        date.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::minutes(i64::from(minute));
    let mut probe = naive;
    loop {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                return t.timestamp_micros();
            }
            // Gaps are at most a few hours; step through in quarter hours.
            LocalResult::None => probe += Duration::minutes(15),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::hours::{Span, WeekHours};

    #[test]
    fn shanghai_is_utc_plus_eight() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap();
        let t = local_to_utc(chrono_tz::Asia::Shanghai, d, 9 * 60);
        assert_eq!(chrono::DateTime::from_timestamp_micros(t).unwrap().to_rfc3339(), "2026-02-02T01:00:00+00:00");
    }

    #[test]
    fn dst_gap_maps_forward() {
        // Berlin springs forward at 02:00 on 2026-03-29.
        let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let tz = chrono_tz::Europe::Berlin;
        assert_eq!(local_to_utc(tz, d, 150), local_to_utc(tz, d, 180));
    }

    #[test]
    fn calendar_without_hours_is_refused() {
        let mut spec = CalendarSpec::china("x");
        spec.week = WeekHours::default();
        spec.days.clear();
        assert_eq!(compile(&spec, &index(&spec)), Err(CalendarError::NoWorkingTime));
        spec.week = WeekHours::weekdays(&[Span::parse("09:00-10:00").unwrap()]);
        assert!(compile(&spec, &index(&spec)).is_ok());
    }
}
