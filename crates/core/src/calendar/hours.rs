//! Working hours: spans of a local day ("09:00-12:00") and the hours of each weekday.

use super::CalendarError;
use chrono::Weekday;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Minutes in a day; a span may end at "24:00".
pub(crate) const DAY_MINUTES: u16 = 24 * 60;

/// A working interval of a local day, `[start, end)` in minutes after midnight; written
/// `"09:00-18:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span {
    start: u16,
    end: u16,
}

/// `"HH:MM-HH:MM"` in the calendar's local time.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Span {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Span {}

impl Span {
    /// A span from `start` to `end` minutes after local midnight (end ≤ 1440, start < end).
    pub fn new(start: u16, end: u16) -> Result<Span, CalendarError> {
        if start >= end || end > DAY_MINUTES {
            return Err(CalendarError::BadSpan(format!("{}-{}", hhmm(start), hhmm(end))));
        }
        Ok(Span { start, end })
    }

    /// Minutes after midnight where the span starts.
    pub fn start(self) -> u16 {
        self.start
    }

    /// Minutes after midnight where the span ends (exclusive).
    pub fn end(self) -> u16 {
        self.end
    }

    /// Length in minutes.
    pub fn minutes(self) -> u16 {
        self.end - self.start
    }

    /// Parses `"HH:MM-HH:MM"`.
    pub fn parse(s: &str) -> Result<Span, CalendarError> {
        let bad = || CalendarError::BadSpan(s.to_string());
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let start = parse_hhmm(a).ok_or_else(bad)?;
        let end = parse_hhmm(b).ok_or_else(bad)?;
        Span::new(start, end).map_err(|_| bad())
    }
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

impl TryFrom<String> for Span {
    type Error = CalendarError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Span::parse(&s)
    }
}

impl From<Span> for String {
    fn from(s: Span) -> String {
        s.to_string()
    }
}

/// Checks that spans are sorted and do not overlap.
pub(crate) fn check_day(spans: &[Span]) -> Result<(), CalendarError> {
    for pair in spans.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(CalendarError::Overlap(format!("{} and {}", pair[0], pair[1])));
        }
    }
    Ok(())
}

/// Total minutes of a day's spans.
pub(crate) fn day_minutes(spans: &[Span]) -> u32 {
    spans.iter().map(|s| u32::from(s.minutes())).sum()
}

/// Parses spans written one after another, separated by spaces or `;` ("09:00-12:00 13:00-18:00").
pub(crate) fn parse_spans(s: &str) -> Result<Vec<Span>, CalendarError> {
    s.split([' ', ';']).filter(|p| !p.trim().is_empty()).map(Span::parse).collect()
}

/// Writes spans as [`parse_spans`] reads them.
pub(crate) fn format_spans(spans: &[Span]) -> String {
    spans.iter().map(Span::to_string).collect::<Vec<_>>().join(" ")
}

/// Working hours of each weekday; an empty list is a day off (weekend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekHours {
    pub mon: Vec<Span>,
    pub tue: Vec<Span>,
    pub wed: Vec<Span>,
    pub thu: Vec<Span>,
    pub fri: Vec<Span>,
    pub sat: Vec<Span>,
    pub sun: Vec<Span>,
}

impl WeekHours {
    /// The same spans Monday to Friday, weekend off.
    pub fn weekdays(spans: &[Span]) -> WeekHours {
        WeekHours {
            mon: spans.to_vec(),
            tue: spans.to_vec(),
            wed: spans.to_vec(),
            thu: spans.to_vec(),
            fri: spans.to_vec(),
            sat: vec![],
            sun: vec![],
        }
    }

    /// The hours of one weekday.
    pub fn get(&self, day: Weekday) -> &[Span] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// Every weekday with its hours, Monday first.
    pub fn days(&self) -> [(Weekday, &[Span]); 7] {
        use Weekday::*;
        [Mon, Tue, Wed, Thu, Fri, Sat, Sun].map(|d| (d, self.get(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_and_print() {
        let s = Span::parse("09:00-18:00").unwrap();
        assert_eq!((s.start(), s.end(), s.minutes()), (540, 1080, 540));
        assert_eq!(s.to_string(), "09:00-18:00");
        assert_eq!(Span::parse("00:00-24:00").unwrap().minutes(), 1440);
        for bad in ["18:00-09:00", "9-18", "09:00-24:30", "25:00-26:00", "09:60-10:00"] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
        let two = parse_spans("09:00-12:00 13:00-18:00").unwrap();
        assert_eq!(day_minutes(&two), 480);
        assert_eq!(format_spans(&two), "09:00-12:00 13:00-18:00");
        assert!(check_day(&two).is_ok());
        assert!(check_day(&parse_spans("09:00-13:00;12:00-18:00").unwrap()).is_err());
    }

    #[test]
    fn spans_are_strings_in_json() {
        let s: Span = serde_json::from_str("\"13:30-17:45\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"13:30-17:45\"");
        assert!(serde_json::from_str::<Span>("\"x\"").is_err());
    }
}
