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
    let b = if day_of(from, tz) == from {
        from
    } else {
        let date = hour_start(from).with_timezone(&tz).date_naive().checked_add_days(Days::new(1))?;
        hour_of(midnight(tz, date))
    };
    let c = day_of(to, tz);
    (b < c && day_of(b, tz) == b && day_of(c, tz) == c).then_some((b, c))
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
