//! Errors of calendar data: bad hours, zones, files.

use chrono::NaiveDate;

/// A calendar could not be read or built; each variant says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A working-hours span is malformed or empty.
    #[error("bad working hours {0:?}: expected HH:MM-HH:MM with the start before the end")]
    BadSpan(String),
    /// Two spans of one day overlap or are out of order.
    #[error("working hours overlap or are out of order: {0}")]
    Overlap(String),
    /// The zone is not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// The standard working day has no hours.
    #[error("the standard working day (workday_hours) has no hours")]
    EmptyWorkday,
    /// The calendar has no working time at all.
    #[error("the calendar has no working time")]
    NoWorkingTime,
    /// A date is listed twice.
    #[error("{0} is listed twice")]
    DuplicateDate(NaiveDate),
    /// A provisional day was listed: those are computed by rule, never stored.
    #[error(
        "{0} is listed as holiday_provisional: provisional days are computed by rule; list it as holiday or workday"
    )]
    ProvisionalListed(NaiveDate),
    /// A listed date is outside the years a calendar can cover.
    #[error("a listed date is outside the supported years")]
    OutOfRange,
    /// A CSV row could not be read.
    #[error("csv line {line}: {message}")]
    Csv { line: usize, message: String },
    /// An iCalendar line could not be read.
    #[error("ical line {line}: {message}")]
    Ical { line: usize, message: String },
}
