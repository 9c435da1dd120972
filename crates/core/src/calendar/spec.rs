//! The editable description of a business calendar, as stored and exchanged (serde data).

use super::days::{DayInfo, DayKind, DayType, SpecialDay};
use super::holidays;
use super::hours::{check_day, day_minutes, Span, WeekHours};
use super::CalendarError;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The time zone of a new calendar unless told otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// A business calendar as data: zone, weekly hours, standard day and dated exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSpec {
    /// Name that SLA targets refer to, e.g. "default" or "24x7".
    pub name: String,
    /// IANA zone the hours are read in.
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// Round the clock: every instant is working time; hours and days are ignored.
    #[serde(default)]
    pub always_open: bool,
    /// Hours of each weekday.
    #[serde(default)]
    pub week: WeekHours,
    /// Hours of a listed working day without its own hours (调休); its length is one
    /// "working day" in working-day arithmetic.
    #[serde(default = "default_day")]
    pub workday_hours: Vec<Span>,
    /// Official holidays and make-up working days, one entry per date.
    #[serde(default)]
    pub days: Vec<SpecialDay>,
    /// Statutory holidays by rule for the years after the official schedule
    /// ([`HolidayRule`]); mainland China unless told `none`.
    #[serde(default, skip_serializing_if = "HolidayRule::is_default")]
    pub holiday_rule: HolidayRule,
}

crate::named_enum!(
    /// Which statutory holidays a calendar computes for years without an official schedule.
    HolidayRule {
        /// Mainland China's statutory days ([`super::statutory`]), marked provisional.
        China = "cn",
        /// None: years without listed days have only the weekly hours.
        None = "none",
    }
);

// `named_enum!` derives no `Default`, so the default variant is named here.
#[allow(clippy::derivable_impls)]
impl Default for HolidayRule {
    fn default() -> HolidayRule {
        HolidayRule::China
    }
}

impl HolidayRule {
    fn is_default(&self) -> bool {
        *self == HolidayRule::default()
    }
}

fn default_zone() -> String {
    DEFAULT_TIME_ZONE.to_string()
}

fn default_day() -> Vec<Span> {
    vec![Span::new(9 * 60, 18 * 60).expect("09:00-18:00 is a valid span")]
}

impl CalendarSpec {
    /// Mainland China: Asia/Shanghai, Mon–Fri 09:00–18:00, the official 2024–2026 schedule.
    pub fn china(name: impl Into<String>) -> CalendarSpec {
        CalendarSpec {
            name: name.into(),
            time_zone: default_zone(),
            always_open: false,
            week: WeekHours::weekdays(&default_day()),
            workday_hours: default_day(),
            days: holidays::china(),
            holiday_rule: HolidayRule::China,
        }
    }

    /// A 24×7 calendar: every minute is working time.
    pub fn always_open(name: impl Into<String>) -> CalendarSpec {
        CalendarSpec {
            name: name.into(),
            time_zone: default_zone(),
            always_open: true,
            week: WeekHours::default(),
            workday_hours: vec![Span::new(0, 24 * 60).expect("a whole day is a valid span")],
            days: vec![],
            holiday_rule: HolidayRule::default(),
        }
    }

    /// The parsed time zone.
    pub fn tz(&self) -> Result<Tz, CalendarError> {
        self.time_zone.parse::<Tz>().map_err(|_| CalendarError::UnknownTimeZone(self.time_zone.clone()))
    }

    /// Checks the zone, every day's spans, and that no date is listed twice.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.tz()?;
        for (_, spans) in self.week.days() {
            check_day(spans)?;
        }
        check_day(&self.workday_hours)?;
        if day_minutes(&self.workday_hours) == 0 {
            return Err(CalendarError::EmptyWorkday);
        }
        let mut seen = BTreeMap::new();
        for day in &self.days {
            if day.kind == DayKind::HolidayProvisional {
                return Err(CalendarError::ProvisionalListed(day.date));
            }
            if let Some(hours) = &day.hours {
                check_day(hours)?;
            }
            if seen.insert(day.date, ()).is_some() {
                return Err(CalendarError::DuplicateDate(day.date));
            }
        }
        Ok(())
    }

    /// Length in minutes of one standard working day.
    pub fn workday_minutes(&self) -> u32 {
        if self.always_open {
            24 * 60
        } else {
            day_minutes(&self.workday_hours)
        }
    }

    /// Adds or replaces the entries of `days`, keeping the list sorted by date.
    pub fn upsert_days(&mut self, days: impl IntoIterator<Item = SpecialDay>) {
        let mut by_date: BTreeMap<NaiveDate, SpecialDay> = self.days.drain(..).map(|d| (d.date, d)).collect();
        for d in days {
            by_date.insert(d.date, d);
        }
        self.days = by_date.into_values().collect();
    }

    /// What the calendar says about `date`, given its listed exceptions.
    pub fn day_info(&self, date: NaiveDate, listed: Option<&SpecialDay>) -> DayInfo {
        let weekly = self.week.get(date.weekday());
        let (kind, name, hours) = match listed {
            Some(d) if d.kind == DayKind::Holiday => (DayType::Holiday, Some(&d.name), vec![]),
            Some(d) if d.kind == DayKind::HolidayProvisional => (DayType::ProvisionalHoliday, Some(&d.name), vec![]),
            Some(d) => {
                let kind = if weekly.is_empty() { DayType::MakeUp } else { DayType::Special };
                let hours = d.hours.clone().unwrap_or_else(|| self.workday_hours.clone());
                (kind, Some(&d.name), hours)
            }
            None if weekly.is_empty() => (DayType::Weekend, None, vec![]),
            None => (DayType::Regular, None, weekly.to_vec()),
        };
        DayInfo { date, kind, name: name.cloned(), hours }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_spec_is_valid_and_round_trips_as_json() {
        let spec = CalendarSpec::china("default");
        spec.validate().unwrap();
        assert_eq!(spec.workday_minutes(), 540);
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.contains("\"mon\":[\"09:00-18:00\"]"));
        let back: CalendarSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec);
    }

    #[test]
    fn minimal_json_takes_the_defaults() {
        let spec: CalendarSpec =
            serde_json::from_str(r#"{"name":"x","week":{"mon":["08:00-12:00","13:00-17:00"]}}"#).unwrap();
        assert_eq!(spec.time_zone, "Asia/Shanghai");
        assert_eq!(spec.workday_minutes(), 540);
        assert!(spec.week.tue.is_empty());
        spec.validate().unwrap();
    }

    #[test]
    fn validation_names_the_problem() {
        let mut spec = CalendarSpec::china("x");
        spec.time_zone = "Mars/Olympus".into();
        assert!(matches!(spec.validate(), Err(CalendarError::UnknownTimeZone(_))));
        let mut spec = CalendarSpec::china("x");
        let d = spec.days[0].clone();
        spec.days.push(d);
        assert!(matches!(spec.validate(), Err(CalendarError::DuplicateDate(_))));
    }

    #[test]
    fn upsert_replaces_by_date() {
        let mut spec = CalendarSpec::china("x");
        let n = spec.days.len();
        let date = spec.days[3].date;
        spec.upsert_days([SpecialDay::workday(date, "改")]);
        assert_eq!(spec.days.len(), n);
        assert!(spec.days.iter().any(|d| d.date == date && d.name == "改"));
        assert!(spec.days.windows(2).all(|w| w[0].date < w[1].date));
    }
}
