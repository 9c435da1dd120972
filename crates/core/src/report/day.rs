//! Day rollups: the report rollups summed per local day of the company's zone (and
//! department and priority), so a month summary or a year's daily trend reads a few
//! thousand rows whatever the number of tickets. A day is named by the rollup hour it
//! starts at; a period is read as its whole days from the day rows and its partial days at
//! either end from the hour rows, which sums the same rows (see [`whole_days`]).

use super::fact::{hour_of, hour_start};
use super::period::midnight;
use chrono::Days;
use chrono_tz::Tz;

/// The rollup hour at which the local day holding `hour` starts in `tz` (floored to the
/// hour in a zone whose midnight falls inside one; such days are never read whole, see
/// [`whole_days`]). Never after `hour`, and never decreasing as `hour` grows.
pub fn day_of(hour: i64, tz: Tz) -> i64 {
    let date = hour_start(hour).with_timezone(&tz).date_naive();
    hour_of(midnight(tz, date)).min(hour)
}

/// The whole local days `[b, c)` inside the hours `[from, to)`, as hours that are both
/// day starts (`day_of(b) == b`), if there is at least one. Then every hour `h` of
/// `[b, c)`, and no other, has its day row in `[b, c)`: the hour rows of `[from, b)` and
/// `[c, to)` plus the day rows of `[b, c)` are exactly the hour rows of `[from, to)`.
pub fn whole_days(from: i64, to: i64, tz: Tz) -> Option<(i64, i64)> {
    let b = if day_of(from, tz) == from { from } else { next_day(from, tz)? };
    let c = day_of(to, tz);
    (b < c && day_of(b, tz) == b && day_of(c, tz) == c).then_some((b, c))
}

/// The rollup hour at which the local day after the one holding `hour` starts.
fn next_day(hour: i64, tz: Tz) -> Option<i64> {
    let date = hour_start(hour).with_timezone(&tz).date_naive().checked_add_days(Days::new(1))?;
    Some(hour_of(midnight(tz, date)))
}

/// The rows that sum the hours `[from, to)` when it holds a whole local day: the day rows of
/// `days`, plus or minus (`sign`) the hour rows of each of `hours`.
///
/// A partial day at either end is read from its own hours or — when the rest of its day is
/// shorter — as the whole day's row less the hours outside the period: a month up to now
/// reads today's day row and no hour at all (the hours after now are empty), and no end
/// reads more than half a day of hour rows, the widest rows of the rollups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    /// Day rows `[lo, hi)` (both day starts).
    pub days: (i64, i64),
    /// Hour rows `[lo, hi)` added (`1`) or taken away (`-1`).
    pub hours: Vec<(i64, i64, i64)>,
    /// The hours of `[from, to)` outside `days` (`1`) or the hours of `days` before `from`
    /// (`-1`): the backlog before `from` is the day rows before `days` less these.
    pub head: Option<(i64, i64, i64)>,
}

/// How to read `[from, to)` from day rows and the fewest hour rows (see [`Cover`]), when
/// it holds a whole local day of `tz`.
pub fn cover(from: i64, to: i64, tz: Tz) -> Option<Cover> {
    let (b, c) = whole_days(from, to, tz)?;
    let mut lo = b;
    let mut hi = c;
    let mut hours = Vec::new();
    let mut head = None;
    if from < b {
        let d0 = day_of(from, tz);
        let piece = if d0 == from || from - d0 >= b - from {
            (from, b, 1)
        } else {
            lo = d0;
            (d0, from, -1)
        };
        hours.push(piece);
        head = Some(piece);
    }
    if c < to {
        let d1 = next_day(c, tz).filter(|&d| day_of(d, tz) == d && d > to);
        match d1 {
            Some(d1) if d1 - to < to - c => {
                hi = d1;
                hours.push((to, d1, -1));
            }
            _ => hours.push((c, to, 1)),
        }
    }
    Some(Cover { days: (lo, hi), hours, head })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hour(y: i32, m: u32, d: u32, h: u32) -> i64 {
        hour_of(chrono::Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap())
    }

    #[test]
    fn days_start_at_local_midnight() {
        let sh = chrono_tz::Asia::Shanghai;
        // 2026-03-02 10:00 in Shanghai is 02:00 UTC; its day began 2026-03-01 16:00 UTC.
        assert_eq!(day_of(hour(2026, 3, 2, 2), sh), hour(2026, 3, 1, 16));
        assert_eq!(day_of(hour(2026, 3, 1, 16), sh), hour(2026, 3, 1, 16));
        assert_eq!(
            whole_days(hour(2026, 3, 2, 2), hour(2026, 3, 5, 3), sh),
            Some((hour(2026, 3, 2, 16), hour(2026, 3, 4, 16)))
        );
        assert_eq!(whole_days(hour(2026, 3, 2, 2), hour(2026, 3, 2, 20), sh), None);
        // Over a change of clocks the days are 23 and 25 hours long.
        let ny = chrono_tz::America::New_York;
        assert_eq!(day_of(hour(2026, 3, 8, 12), ny), hour(2026, 3, 8, 5));
        assert_eq!(day_of(hour(2026, 3, 9, 12), ny), hour(2026, 3, 9, 4));
        // A half-hour zone has no whole days on the hour grid.
        let india = chrono_tz::Asia::Kolkata;
        assert_eq!(whole_days(hour(2026, 3, 1, 0), hour(2026, 3, 9, 0), india), None);
    }

    /// Every hour is counted once inside the period and never outside it, by the day row of
    /// its day and the signed hour pieces; the backlog before `from` likewise.
    #[test]
    fn a_cover_counts_each_hour_of_the_period_once() {
        let start = hour(2026, 3, 1, 0);
        for tz in [chrono_tz::Asia::Shanghai, chrono_tz::America::New_York, chrono_tz::Asia::Kolkata] {
            for from in (start..start + 24 * 12).step_by(5) {
                for len in [1, 7, 23, 24, 25, 30, 47, 48, 49, 70, 24 * 9 + 13] {
                    let to = from + len;
                    let Some(c) = cover(from, to, tz) else {
                        assert!(whole_days(from, to, tz).is_none(), "{tz} {from} {to}");
                        continue;
                    };
                    assert!(c.hours.iter().map(|(lo, hi, _)| hi - lo).all(|n| n > 0 && n <= 13), "{tz} {c:?}");
                    for h in from - 30..to + 30 {
                        let in_days = i64::from(c.days.0 <= day_of(h, tz) && day_of(h, tz) < c.days.1);
                        let pieces: i64 = c.hours.iter().filter(|(lo, hi, _)| *lo <= h && h < *hi).map(|p| p.2).sum();
                        assert_eq!(in_days + pieces, i64::from(from <= h && h < to), "{tz} {from} {to} {h} {c:?}");
                        let before_days = i64::from(day_of(h, tz) < c.days.0);
                        let head = c.head.filter(|(lo, hi, _)| *lo <= h && h < *hi).map_or(0, |p| p.2);
                        assert_eq!(before_days - head, i64::from(h < from), "opening {tz} {from} {to} {h} {c:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_month_up_to_now_reads_todays_day_row() {
        let sh = chrono_tz::Asia::Shanghai;
        // Up to 18:00 in Shanghai on 2026-12-07 (10:00 UTC), 30 days back.
        let to = hour(2026, 12, 7, 10);
        let from = to - 30 * 24;
        let c = cover(from, to, sh).unwrap();
        // The first day's last 6 hours from its hours, today from its day row less the
        // (empty) 6 hours after now.
        assert_eq!(c.hours, vec![(from, hour(2026, 11, 7, 16), 1), (to, hour(2026, 12, 7, 16), -1)]);
        assert_eq!(c.days, (hour(2026, 11, 7, 16), hour(2026, 12, 7, 16)));
    }

    #[test]
    fn day_of_is_monotone_and_never_after_the_hour() {
        for tz in [chrono_tz::Asia::Shanghai, chrono_tz::America::New_York, chrono_tz::Asia::Kolkata] {
            let start = hour(2026, 1, 1, 0);
            let mut last = i64::MIN;
            for h in start..start + 24 * 400 {
                let d = day_of(h, tz);
                assert!(d <= h && d >= last && h - d < 26, "{tz} {h}");
                last = d;
            }
        }
    }
}
