//! Periods and grains in the company's time zone. A period is a half-open interval of
//! instants; its comparisons are the period before it (the previous calendar month for a
//! month, the same number of days for a run of whole days, the same length otherwise) and
//! the same local dates a year earlier.

use crate::Timestamp;
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

crate::named_enum!(
    /// The width of a trend's buckets.
    Grain {
        Hour = "hour",
        Day = "day",
        Week = "week",
        Month = "month",
    }
);

crate::named_enum!(
    /// A calendar period containing a given instant (or `custom`: given bounds).
    PeriodKind {
        Day = "day",
        Week = "week",
        Month = "month",
        Quarter = "quarter",
        Custom = "custom",
    }
);

/// Why a period cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period must end after it starts")]
    Empty,
    #[error("a trend may have at most {max} buckets; this one has {n}: choose a coarser grain")]
    TooManyBuckets { n: usize, max: usize },
}

/// Buckets a trend may have (a year by the hour is 8,784).
pub const MAX_BUCKETS: usize = 9_000;

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// The instant of a local date-time in `tz`; in a gap (spring forward) the first instant
/// after it, in a fold the earlier one.
fn instant(tz: Tz, local: NaiveDateTime) -> Timestamp {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&chrono::Utc);
        }
        probe += Duration::minutes(30);
    }
    tz.from_utc_datetime(&local).with_timezone(&chrono::Utc)
}

pub(crate) fn midnight(tz: Tz, d: NaiveDate) -> Timestamp {
    instant(tz, d.and_time(NaiveTime::MIN))
}

fn local(tz: Tz, t: Timestamp) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// First day of the quarter of `d`.
fn quarter_start(d: NaiveDate) -> NaiveDate {
    let month0 = (d.month0() / 3) * 3;
    NaiveDate::from_ymd_opt(d.year(), month0 + 1, 1).unwrap_or(d)
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

impl Period {
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Period, PeriodError> {
        if to <= from {
            return Err(PeriodError::Empty);
        }
        Ok(Period { from, to })
    }

    /// The calendar period of `kind` containing `at` (`custom` gives the day).
    pub fn containing(kind: PeriodKind, at: Timestamp, tz: Tz) -> Period {
        let d = local(tz, at).date();
        let (start, end) = match kind {
            PeriodKind::Day | PeriodKind::Custom => (d, d + Duration::days(1)),
            PeriodKind::Week => (week_start(d), week_start(d) + Duration::days(7)),
            PeriodKind::Month => (month_start(d), month_start(d) + Months::new(1)),
            PeriodKind::Quarter => (quarter_start(d), quarter_start(d) + Months::new(3)),
        };
        Period { from: midnight(tz, start), to: midnight(tz, end) }
    }

    /// Whole local months from `from` to `to`, if both are first-of-month midnights.
    fn whole_months(&self, tz: Tz) -> Option<u32> {
        let (a, b) = (local(tz, self.from), local(tz, self.to));
        let at_month_start = |x: NaiveDateTime| x.day() == 1 && x.time() == NaiveTime::MIN;
        if !(at_month_start(a) && at_month_start(b)) {
            return None;
        }
        let n = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
        u32::try_from(n).ok().filter(|n| *n > 0)
    }

    /// Whole local days from `from` to `to`, if both are midnights.
    fn whole_days(&self, tz: Tz) -> Option<i64> {
        let (a, b) = (local(tz, self.from), local(tz, self.to));
        let midnights = a.time() == NaiveTime::MIN && b.time() == NaiveTime::MIN;
        midnights.then(|| (b.date() - a.date()).num_days()).filter(|n| *n > 0)
    }

    /// The period just before, of the same calendar length.
    pub fn previous(&self, tz: Tz) -> Period {
        if let Some(n) = self.whole_months(tz) {
            let shift = |t: Timestamp| {
                let l = local(tz, t);
                instant(tz, l.checked_sub_months(Months::new(n)).unwrap_or(l))
            };
            return Period { from: shift(self.from), to: self.from };
        }
        if let Some(n) = self.whole_days(tz) {
            let start = local(tz, self.from).date() - Duration::days(n);
            return Period { from: midnight(tz, start), to: self.from };
        }
        Period { from: self.from - (self.to - self.from), to: self.from }
    }

    /// The same local dates and times a year earlier (29 February becomes the 28th).
    pub fn year_earlier(&self, tz: Tz) -> Period {
        let shift = |t: Timestamp| {
            let l = local(tz, t);
            instant(tz, l.checked_sub_months(Months::new(12)).unwrap_or(l))
        };
        Period { from: shift(self.from), to: shift(self.to) }
    }

    /// The starts of the `grain` buckets covering the period, each aligned to the grain in
    /// `tz` (the first bucket starts at the period's start), and the period's end last.
    pub fn boundaries(&self, grain: Grain, tz: Tz) -> Result<Vec<Timestamp>, PeriodError> {
        let mut out = vec![self.from];
        let mut at = local(tz, self.from);
        loop {
            let next = next_start(at, grain);
            let t = instant(tz, next);
            if t >= self.to {
                break;
            }
            if t > *out.last().unwrap_or(&self.from) {
                out.push(t);
            }
            if out.len() > MAX_BUCKETS {
                let n = (self.to - self.from).num_hours() as usize;
                return Err(PeriodError::TooManyBuckets { n: n.max(out.len()), max: MAX_BUCKETS });
            }
            at = next;
        }
        out.push(self.to);
        Ok(out)
    }
}

/// The start of the bucket after the one containing the local time `at`.
fn next_start(at: NaiveDateTime, grain: Grain) -> NaiveDateTime {
    let d = at.date();
    match grain {
        Grain::Hour => {
            at.with_minute(0).and_then(|x| x.with_second(0)).unwrap_or(at).with_nanosecond(0).unwrap_or(at)
                + Duration::hours(1)
        }
        Grain::Day => (d + Duration::days(1)).and_time(NaiveTime::MIN),
        Grain::Week => (week_start(d) + Duration::days(7)).and_time(NaiveTime::MIN),
        Grain::Month => (month_start(d) + Months::new(1)).and_time(NaiveTime::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> Timestamp {
        s.parse::<chrono::DateTime<Utc>>().unwrap()
    }

    #[test]
    fn a_month_in_shanghai_compares_with_the_month_before_and_a_year_earlier() {
        let p = Period::containing(PeriodKind::Month, at("2026-03-15T12:00:00Z"), SH);
        assert_eq!(p.from, at("2026-02-28T16:00:00Z"));
        assert_eq!(p.to, at("2026-03-31T16:00:00Z"));
        let prev = p.previous(SH);
        assert_eq!((prev.from, prev.to), (at("2026-01-31T16:00:00Z"), p.from));
        let year = p.year_earlier(SH);
        assert_eq!((year.from, year.to), (at("2025-02-28T16:00:00Z"), at("2025-03-31T16:00:00Z")));
    }

    #[test]
    fn quarters_weeks_and_custom_lengths() {
        let q = Period::containing(PeriodKind::Quarter, at("2026-05-20T00:00:00Z"), SH);
        assert_eq!(q.from, at("2026-03-31T16:00:00Z"));
        assert_eq!(q.previous(SH).from, at("2025-12-31T16:00:00Z"));
        let w = Period::containing(PeriodKind::Week, at("2026-12-06T10:00:00Z"), SH);
        assert_eq!(w.from, at("2026-11-29T16:00:00Z"), "Monday 30 November, Shanghai");
        let c = Period::new(at("2026-01-01T10:00:00Z"), at("2026-01-01T13:00:00Z")).unwrap();
        assert_eq!(c.previous(SH).from, at("2026-01-01T07:00:00Z"));
        assert_eq!(Period::new(c.to, c.from), Err(PeriodError::Empty));
    }

    #[test]
    fn buckets_follow_the_local_calendar() {
        let p = Period::containing(PeriodKind::Month, at("2026-03-15T12:00:00Z"), SH);
        let days = p.boundaries(Grain::Day, SH).unwrap();
        assert_eq!(days.len(), 32, "31 days and the end");
        assert_eq!(days[1], at("2026-03-01T16:00:00Z"));
        let weeks = p.boundaries(Grain::Week, SH).unwrap();
        assert_eq!(weeks[1], at("2026-03-01T16:00:00Z"), "Monday 2 March");
        let hours = Period::new(p.from, p.from + Duration::minutes(150)).unwrap().boundaries(Grain::Hour, SH);
        assert_eq!(hours.unwrap().len(), 4);
        let year = Period::new(at("2020-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")).unwrap();
        assert!(matches!(year.boundaries(Grain::Hour, SH), Err(PeriodError::TooManyBuckets { .. })));
    }
}
