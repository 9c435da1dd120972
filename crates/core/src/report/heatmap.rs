//! Volume by local weekday and hour of day (the heatmap of when feedback arrives), from
//! the tickets recorded per rollup hour. An hour counts under the local weekday and hour
//! it starts at in the company's zone (in a half-hour zone, the half hour it starts in).

use super::fact::hour_start;
use chrono::{Datelike, Timelike};
use chrono_tz::Tz;

/// Counts per weekday (Monday first) and local hour of `volumes`, `(rollup hour, tickets)`.
pub fn weekday_hours(volumes: &[(i64, i64)], tz: Tz) -> [[i64; 24]; 7] {
    let mut out = [[0; 24]; 7];
    for (hour, n) in volumes {
        let local = hour_start(*hour).with_timezone(&tz);
        out[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fact::hour_of;
    use chrono::TimeZone;

    #[test]
    fn hours_land_on_the_local_weekday_and_hour() {
        // Sunday 2026-03-01 17:00 UTC is Monday 01:00 in Shanghai.
        let h = hour_of(chrono::Utc.with_ymd_and_hms(2026, 3, 1, 17, 0, 0).unwrap());
        let m = weekday_hours(&[(h, 3), (h + 24, 2), (h + 7 * 24, 1)], chrono_tz::Asia::Shanghai);
        assert_eq!(m[0][1], 4);
        assert_eq!(m[1][1], 2);
        assert_eq!(m.iter().flatten().sum::<i64>(), 6);
    }
}
