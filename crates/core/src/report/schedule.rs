//! When a scheduled summary is sent and what it covers: on the n-th working day of each
//! week or month (on the company's business calendar, so after a holiday it waits for the
//! first day people are back) at a local time, covering the whole period before.

use super::period::{Period, PeriodKind};
use crate::calendar::Calendar;
use crate::Timestamp;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};

crate::named_enum!(
    /// How often a summary is sent.
    Every {
        Week = "week",
        Month = "month",
    }
);

impl Every {
    fn period_kind(self) -> PeriodKind {
        match self {
            Every::Week => PeriodKind::Week,
            Every::Month => PeriodKind::Month,
        }
    }
}

/// When a summary goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRule {
    pub every: Every,
    /// Which working day of the period, from 1.
    pub working_day: u8,
    /// Local time on the calendar's zone.
    pub at: NaiveTime,
}

/// One sending: when, and the period it reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sending {
    pub at: Timestamp,
    pub covers: Period,
}

/// The first sending strictly after `after`.
pub fn next_sending(rule: SendRule, calendar: &Calendar, after: Timestamp) -> Sending {
    let tz = calendar.time_zone();
    let mut period = Period::containing(rule.every.period_kind(), after, tz);
    loop {
        let at = send_time(rule, calendar, period);
        if at > after {
            let covers = Period::containing(rule.every.period_kind(), period.from - Duration::seconds(1), tz);
            return Sending { at, covers };
        }
        period = Period::containing(rule.every.period_kind(), period.to, tz);
    }
}

/// The n-th working day of `period` at the rule's time; a period with fewer working days
/// (a week of holidays) sends on its last working day, or its last day if it has none.
fn send_time(rule: SendRule, calendar: &Calendar, period: Period) -> Timestamp {
    let tz = calendar.time_zone();
    let first = period.from.with_timezone(&tz).date_naive();
    let last = (period.to - Duration::seconds(1)).with_timezone(&tz).date_naive();
    let mut n = 0u8;
    let mut day = first;
    let mut chosen = None;
    while day <= last {
        if calendar.is_working_day(day) {
            n += 1;
            chosen = Some(day);
            if n >= rule.working_day.max(1) {
                break;
            }
        }
        day = day.succ_opt().unwrap_or(last + Duration::days(1));
    }
    let chosen = chosen.unwrap_or(last);
    local_instant(calendar, chosen, rule.at)
}

/// `date` at `time` in the calendar's zone (the first such instant; a time skipped by a
/// clock change moves to the next that exists).
fn local_instant(calendar: &Calendar, date: NaiveDate, time: NaiveTime) -> Timestamp {
    let tz = calendar.time_zone();
    let mut probe = date.and_time(time);
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&chrono::Utc);
        }
        probe += Duration::minutes(30);
    }
    tz.from_utc_datetime(&probe).with_timezone(&chrono::Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Utc, Weekday};
    use proptest::prelude::*;

    fn rule(every: Every, n: u8) -> SendRule {
        SendRule { every, working_day: n, at: NaiveTime::from_hms_opt(9, 0, 0).expect("time") }
    }

    fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
        chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("local").with_timezone(&Utc)
    }

    #[test]
    fn the_first_working_day_of_october_is_after_the_national_day_holiday() {
        // 2025: 1–8 October are holidays, Saturday 11 October is a make-up working day.
        let s = next_sending(rule(Every::Month, 1), &Calendar::china(), shanghai(2025, 9, 30, 12, 0));
        assert_eq!(s.at, shanghai(2025, 10, 9, 9, 0));
        assert_eq!(s.covers.from, shanghai(2025, 9, 1, 0, 0));
        assert_eq!(s.covers.to, shanghai(2025, 10, 1, 0, 0));
    }

    #[test]
    fn a_weekly_summary_goes_out_monday_morning_for_the_week_before() {
        let s = next_sending(rule(Every::Week, 1), &Calendar::china(), shanghai(2026, 3, 4, 10, 0));
        assert_eq!(s.at, shanghai(2026, 3, 9, 9, 0));
        assert_eq!(s.covers.from, shanghai(2026, 3, 2, 0, 0));
        assert_eq!(s.covers.to, shanghai(2026, 3, 9, 0, 0));
        // At the sending instant itself, the next one is a week later.
        let again = next_sending(rule(Every::Week, 1), &Calendar::china(), s.at);
        assert_eq!(again.at, shanghai(2026, 3, 16, 9, 0));
    }

    proptest! {
        #[test]
        fn every_sending_is_on_its_working_day_after_the_period_it_covers(
            secs in 1_700_000_000i64..1_800_000_000,
            monthly in any::<bool>(),
            n in 1u8..4,
        ) {
            let cal = Calendar::china();
            let tz = cal.time_zone();
            let every = if monthly { Every::Month } else { Every::Week };
            let after = chrono::DateTime::from_timestamp(secs, 0).expect("instant");
            let s = next_sending(rule(every, n), &cal, after);
            prop_assert!(s.at > after);
            prop_assert!(s.covers.to <= s.at);
            let day = s.at.with_timezone(&tz).date_naive();
            // The n-th working day of its period (or the period's last day).
            let start = s.covers.to.with_timezone(&tz).date_naive();
            let working = (0..(day - start).num_days() + 1)
                .filter(|i| cal.is_working_day(start + Duration::days(*i)))
                .count();
            prop_assert!(working <= usize::from(n));
            if working < usize::from(n) {
                // Fewer working days: the last of them (or the last day, with none).
                let after_send = day + Duration::days(1);
                // The next sending covers the period this one was sent in.
                let period_end = next_sending(rule(every, n), &cal, s.at).covers.to.with_timezone(&tz).date_naive();
                let rest = (period_end - after_send).num_days().max(0);
                prop_assert!((0..rest).all(|i| !cal.is_working_day(after_send + Duration::days(i))));
            }
            // The covered period is the whole period just before the sending's.
            match every {
                Every::Month => prop_assert_eq!(s.covers.from.with_timezone(&tz).day(), 1),
                Every::Week => prop_assert_eq!(s.covers.from.with_timezone(&tz).weekday(), Weekday::Mon),
            }
            // Nothing is skipped: the sending before this one is not after `after`.
            let earlier = next_sending(rule(every, n), &cal, s.covers.from - Duration::seconds(1));
            prop_assert!(earlier.at <= after, "{:?} lies between {after} and {:?}", earlier.at, s.at);
        }
    }
}
