//! Business calendars: time zone, working hours per weekday, weekends, statutory holidays
//! and make-up working days (调休), plus a round-the-clock (24×7) calendar.
//!
//! A [`CalendarSpec`] is the editable data; [`Calendar::new`] compiles it once into sorted
//! UTC working intervals covering 2000–2100, after which every operation is a binary search:
//! exact to the microsecond, millions of operations a second. Instants outside the covered
//! years saturate at its ends.
//!
//! Years after the official holiday schedule get the statutory holidays by rule, marked
//! provisional (`provisional.rs`, `statutory.rs`), so a calendar never silently runs out.
//!
//! # Working days
//! "N working days" means N times the length of the standard working day
//! ([`CalendarSpec::workday_hours`], 9 h by default) of working time: 1 working day from
//! Monday 10:00 is Tuesday 10:00; from Friday 10:00 before a weekend it is Monday 10:00.
//! Counting working days as working time is what lets SLA clocks pause, resume and be
//! recounted after a calendar change without rounding to day ends.

mod compile;
pub mod csv;
mod days;
mod error;
mod exchange;
pub mod holidays;
mod hours;
pub mod ical;
mod provisional;
mod set;
pub mod solar_term;
mod spec;
pub mod statutory;
mod timeline;

pub use compile::{FIRST_YEAR, LAST_YEAR};
pub use days::{DayInfo, DayKind, DayType, SpecialDay};
pub use error::CalendarError;
pub use hours::{Span, WeekHours};
pub use provisional::{warning_starts, ScheduleWarning, WARNING_DAYS};
pub use set::{Calendars, ALWAYS_OPEN_CALENDAR, DEFAULT_CALENDAR};
pub use spec::{CalendarSpec, HolidayRule, DEFAULT_TIME_ZONE};

use crate::Timestamp;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::sync::Arc;
use timeline::Timeline;

/// A compiled business calendar; cheap to clone.
#[derive(Debug, Clone)]
pub struct Calendar {
    spec: Arc<CalendarSpec>,
    tz: Tz,
    listed: Arc<BTreeMap<NaiveDate, SpecialDay>>,
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    /// Every instant is working time: plain clock arithmetic.
    Always,
    Table(Arc<Timeline>),
}

fn micros(t: Timestamp) -> i64 {
    t.timestamp_micros()
}

fn instant(us: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_micros(us).expect("compiled instants are in chrono's range")
}

fn span_micros(d: Duration) -> i64 {
    d.num_microseconds().unwrap_or(if d < Duration::zero() { i64::MIN } else { i64::MAX })
}

impl Calendar {
    /// Validates and compiles `spec`.
    pub fn new(spec: CalendarSpec) -> Result<Calendar, CalendarError> {
        spec.validate()?;
        let tz = spec.tz()?;
        let listed = compile::index(&spec);
        let engine = match spec.always_open {
            true => Engine::Always,
            false => Engine::Table(Arc::new(compile::compile(&spec, &listed)?)),
        };
        Ok(Calendar { spec: Arc::new(spec), tz, listed: Arc::new(listed), engine })
    }

    /// [`DEFAULT_CALENDAR`]: mainland China with the shipped 2024–2026 schedule.
    pub fn china() -> Calendar {
        Calendar::new(CalendarSpec::china(DEFAULT_CALENDAR)).expect("the built-in spec is valid")
    }

    /// [`ALWAYS_OPEN_CALENDAR`]: round the clock.
    pub fn always_open() -> Calendar {
        Calendar::new(CalendarSpec::always_open(ALWAYS_OPEN_CALENDAR)).expect("the built-in spec is valid")
    }

    /// The name SLA targets use.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The data it was built from.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// The zone its hours are read in.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether `t` is working time.
    pub fn is_working(&self, t: Timestamp) -> bool {
        match &self.engine {
            Engine::Always => true,
            Engine::Table(tl) => tl.is_working(micros(t)),
        }
    }

    /// `t` if it is working time, else the start of the next working interval.
    pub fn next_working(&self, t: Timestamp) -> Timestamp {
        match &self.engine {
            Engine::Always => t,
            Engine::Table(tl) if tl.is_working(micros(t)) => t,
            Engine::Table(tl) => instant(tl.next_working(micros(t))),
        }
    }

    /// Working time from `a` to `b` (negative when `b` is before `a`).
    pub fn working_between(&self, a: Timestamp, b: Timestamp) -> Duration {
        match &self.engine {
            Engine::Always => b - a,
            Engine::Table(tl) => Duration::microseconds(tl.cum(micros(b)) - tl.cum(micros(a))),
        }
    }

    /// `t` plus `d` of working time: the earliest instant with that much working time
    /// after `t` (so a deadline can fall at 18:00, not the next 09:00). A negative `d`
    /// goes back to the latest instant that much working time before `t`.
    pub fn add(&self, t: Timestamp, d: Duration) -> Timestamp {
        match &self.engine {
            Engine::Always => t.checked_add_signed(d).unwrap_or(t),
            Engine::Table(_) if d.is_zero() => t,
            Engine::Table(tl) => instant(tl.add(micros(t), span_micros(d))),
        }
    }

    /// `t` plus `n` working minutes.
    pub fn add_minutes(&self, t: Timestamp, n: i64) -> Timestamp {
        self.add(t, Duration::minutes(n))
    }

    /// `t` plus `n` working hours.
    pub fn add_hours(&self, t: Timestamp, n: i64) -> Timestamp {
        self.add(t, Duration::hours(n))
    }

    /// `t` plus `n` working days, each [`Calendar::working_day`] long (see the module doc).
    pub fn add_working_days(&self, t: Timestamp, n: i64) -> Timestamp {
        self.add(t, Duration::minutes(i64::from(self.spec.workday_minutes()).saturating_mul(n)))
    }

    /// The length of one working day: the standard day's hours (24 h when always open).
    pub fn working_day(&self) -> Duration {
        Duration::minutes(i64::from(self.spec.workday_minutes()))
    }

    /// What the calendar says about a local date.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        if self.spec.always_open {
            return DayInfo {
                date,
                kind: DayType::Regular,
                name: None,
                hours: vec![Span::new(0, hours::DAY_MINUTES).expect("a whole day is valid")],
            };
        }
        self.spec.day_info(date, self.listed.get(&date))
    }

    /// The local date of `t` in the calendar's zone.
    pub fn local_date(&self, t: Timestamp) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The warning owed at `now` that the official holiday schedule ends soon or has ended.
    pub fn schedule_warning(&self, now: Timestamp) -> Option<ScheduleWarning> {
        self.spec.schedule_warning(self.local_date(now))
    }

    /// Whether a local date has working hours.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).is_working_day()
    }

    /// This calendar until `at` and `new` from `at` on, under `new`'s name and data: working
    /// time already spent keeps its old count when a calendar is edited.
    pub fn revised(&self, at: Timestamp, new: &Calendar) -> Calendar {
        let engine = match (&self.engine, &new.engine) {
            (Engine::Always, Engine::Always) => Engine::Always,
            (old, fresh) => {
                let bounds = [old, fresh].iter().find_map(|e| match e {
                    Engine::Table(tl) => Some(tl.bounds()),
                    Engine::Always => None,
                });
                let (lo, hi) = bounds.expect("one side is a table");
                let table = |e: &Engine| match e {
                    Engine::Table(tl) => Arc::clone(tl),
                    Engine::Always => Arc::new(Timeline::from_sorted([(lo, hi)])),
                };
                let spliced = Timeline::splice(&table(old), &table(fresh), micros(at));
                Engine::Table(Arc::new(spliced))
            }
        };
        Calendar { engine, ..new.clone() }
    }
}

#[cfg(test)]
mod tests;
