//! The effect of a fix, measured (issue 17): matching feedback per week before and after
//! the hour a problem was fixed, and the change of the weekly mean.
//!
//! Time is counted in whole hours (unix ms / 3,600,000, as the report rollups count it).
//! Week `k` is the 168 hours starting `k × 168` hours after the fix hour (the hour the
//! problem was fixed in); weeks `-n … -1` are before the fix, weeks `0 … n-1` after, where
//! `n` is the number of whole weeks between the fix hour and now, at most `max_weeks`: the
//! two windows are always equally long, and a week still running is not counted.
//!
//! The change is `(mean_after − mean_before) / mean_before × 100`, the weekly means taken
//! over the `n` weeks on each side (so it equals the change of the totals). It is absent
//! when there is no whole week after the fix yet, or nothing matched before it (a change
//! from zero has no percentage). −65 means 65 % fewer reports a week after the fix.

use serde::Serialize;

/// Hours in a week.
pub const WEEK_HOURS: i64 = 168;

/// One week's count.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekCount {
    /// Weeks from the fix: −1 is the week before it, 0 the first week after.
    pub week: i64,
    /// Its first hour, as unix hours.
    pub start_hour: i64,
    pub count: u64,
}

/// Matching feedback before and after a fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Effect {
    /// The hour the problem was fixed in (unix hours).
    pub fix_hour: i64,
    /// Whole weeks compared on each side.
    pub weeks: i64,
    /// Oldest first: `weeks` before, then `weeks` after.
    pub counts: Vec<WeekCount>,
    pub mean_before: f64,
    pub mean_after: f64,
    /// `(mean_after − mean_before) / mean_before × 100`; absent without a base.
    pub change_pct: Option<f64>,
}

/// The whole weeks after `fix_hour` up to `now_hour`, at most `max_weeks`.
pub fn weeks_after(fix_hour: i64, now_hour: i64, max_weeks: i64) -> i64 {
    ((now_hour - fix_hour).max(0) / WEEK_HOURS).min(max_weeks.max(0))
}

/// The hours `[from, to)` to read counts for.
pub fn window(fix_hour: i64, now_hour: i64, max_weeks: i64) -> (i64, i64) {
    let n = weeks_after(fix_hour, now_hour, max_weeks);
    (fix_hour - n * WEEK_HOURS, fix_hour + n * WEEK_HOURS)
}

/// Measures the effect from `hourly` (hour, count) pairs of matching feedback, in any
/// order, pairs outside the window ignored.
pub fn measure(fix_hour: i64, now_hour: i64, max_weeks: i64, hourly: &[(i64, u64)]) -> Effect {
    let n = weeks_after(fix_hour, now_hour, max_weeks);
    let mut counts: Vec<WeekCount> =
        (-n..n).map(|week| WeekCount { week, start_hour: fix_hour + week * WEEK_HOURS, count: 0 }).collect();
    for &(hour, c) in hourly {
        let week = (hour - fix_hour).div_euclid(WEEK_HOURS);
        if (-n..n).contains(&week) {
            counts[(week + n) as usize].count += c;
        }
    }
    let sum = |after: bool| counts.iter().filter(|w| (w.week >= 0) == after).map(|w| w.count).sum::<u64>();
    let (before, after) = (sum(false), sum(true));
    let mean = |total: u64| if n == 0 { 0.0 } else { total as f64 / n as f64 };
    let (mean_before, mean_after) = (mean(before), mean(after));
    let change_pct = (n > 0 && before > 0).then(|| (mean_after - mean_before) / mean_before * 100.0);
    Effect { fix_hour, weeks: n, counts, mean_before, mean_after, change_pct }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seed_example_fell_sixty_five_percent() {
        // 20 a week for two weeks before, 7 a week after: −65 %.
        let fix = 500_000;
        let mut hourly = vec![(fix - 300, 20), (fix - 1, 20), (fix, 3), (fix + 200, 7), (fix + 10, 4)];
        hourly.push((fix - 400, 99)); // three weeks before: outside the window
        hourly.push((fix + 340, 99)); // the week still running
        let e = measure(fix, fix + 2 * WEEK_HOURS + 5, 8, &hourly);
        assert_eq!(e.weeks, 2);
        assert_eq!(e.counts.iter().map(|w| w.count).collect::<Vec<_>>(), [20, 20, 7, 7]);
        assert_eq!((e.mean_before, e.mean_after), (20.0, 7.0));
        assert!((e.change_pct.unwrap() + 65.0).abs() < 1e-9);
        assert_eq!(measure(fix, fix + 100, 8, &hourly).change_pct, None, "no whole week after yet");
        assert_eq!(measure(fix, fix + 400, 8, &[(fix + 1, 3)]).change_pct, None, "nothing before");
    }

    proptest! {
        /// Equal windows: as many weeks on each side; every count inside them is in exactly
        /// one week; the change is the change of the totals; scaling every count by k
        /// changes no percentage.
        #[test]
        fn weeks_partition_the_window_and_the_change_is_of_the_means(
            fix in 1_000i64..100_000,
            elapsed in 0i64..3_000,
            max_weeks in 0i64..12,
            hourly in proptest::collection::vec((-3_000i64..3_000, 0u64..50), 0..60),
            k in 1u64..5,
        ) {
            let hourly: Vec<(i64, u64)> = hourly.into_iter().map(|(h, c)| (fix + h, c)).collect();
            let e = measure(fix, fix + elapsed, max_weeks, &hourly);
            prop_assert_eq!(e.counts.len() as i64, 2 * e.weeks);
            prop_assert!(e.weeks <= max_weeks && e.weeks * WEEK_HOURS <= elapsed);
            let (from, to) = window(fix, fix + elapsed, max_weeks);
            let inside: u64 = hourly.iter().filter(|(h, _)| (from..to).contains(h)).map(|(_, c)| c).sum();
            prop_assert_eq!(e.counts.iter().map(|w| w.count).sum::<u64>(), inside);
            let before: u64 = hourly.iter().filter(|(h, _)| (from..fix).contains(h)).map(|(_, c)| c).sum();
            let after = inside - before;
            match e.change_pct {
                Some(p) => {
                    let expected = (after as f64 - before as f64) / before as f64 * 100.0;
                    prop_assert!((p - expected).abs() < 1e-9);
                }
                None => prop_assert!(e.weeks == 0 || before == 0),
            }
            let scaled: Vec<(i64, u64)> = hourly.iter().map(|(h, c)| (*h, c * k)).collect();
            let s = measure(fix, fix + elapsed, max_weeks, &scaled);
            match (s.change_pct, e.change_pct) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-6),
                (a, b) => {
                    prop_assert_eq!(a.is_some(), b.is_some());
                }
            }
        }
    }
}
