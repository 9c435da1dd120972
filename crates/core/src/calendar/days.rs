//! Exceptions to the weekly hours: statutory holidays and make-up working days (调休).

use super::hours::Span;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::named_enum!(
    /// Whether a listed date is a day off or a working day.
    DayKind {
        /// A statutory holiday (法定节假日) or any other day off, whatever its weekday.
        Holiday = "holiday",
        /// A working day, e.g. a make-up Saturday or Sunday (调休上班).
        Workday = "workday",
        /// A statutory holiday computed by rule for a year without an official schedule
        /// (see [`super::statutory`]); never stored, replaced when the notice is imported.
        HolidayProvisional = "holiday_provisional",
    }
);

/// A dated exception to the weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday it belongs to, e.g. "春节" (a make-up day carries its holiday's name).
    pub name: String,
    /// Hours of a working day; none means the calendar's standard working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<Span>>,
}

impl DayKind {
    /// Whether the day is off (official or provisional).
    pub fn is_day_off(self) -> bool {
        self != DayKind::Workday
    }
}

impl SpecialDay {
    /// A day off.
    pub fn holiday(date: NaiveDate, name: impl Into<String>) -> SpecialDay {
        SpecialDay { date, kind: DayKind::Holiday, name: name.into(), hours: None }
    }

    /// A working day with the standard hours.
    pub fn workday(date: NaiveDate, name: impl Into<String>) -> SpecialDay {
        SpecialDay { date, kind: DayKind::Workday, name: name.into(), hours: None }
    }
}

crate::named_enum!(
    /// Why a date is (not) worked.
    DayType {
        /// A weekday with hours in the weekly schedule.
        Regular = "regular",
        /// A day with no hours in the weekly schedule (usually Saturday/Sunday).
        Weekend = "weekend",
        /// A listed day off.
        Holiday = "holiday",
        /// A statutory holiday computed by rule, pending the official schedule of its year.
        ProvisionalHoliday = "holiday_provisional",
        /// A listed working day on what would otherwise be a day off (调休).
        MakeUp = "make_up",
        /// A listed working day with its own hours on a regular weekday.
        Special = "special",
    }
);

/// What the calendar says about one local date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub kind: DayType,
    /// Holiday name for listed days.
    pub name: Option<String>,
    /// Working hours of the date (empty on a day off).
    pub hours: Vec<Span>,
}

impl DayInfo {
    /// Whether the date has any working hours.
    pub fn is_working_day(&self) -> bool {
        !self.hours.is_empty()
    }
}
