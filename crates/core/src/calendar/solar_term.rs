//! The Qingming solar term (清明), computed from the Sun's apparent longitude.
//!
//! Qingming is the day (Beijing time) the Sun's apparent ecliptic longitude reaches 15°.
//! The longitude uses the low-precision solar theory of Meeus (*Astronomical Algorithms*,
//! ch. 25), good to about 0.01° (a quarter of an hour of the Sun's motion): enough to name
//! the day except when the term falls within minutes of midnight, which tests check for
//! the years that matter against the published dates.

use chrono::{DateTime, Duration, NaiveDate};

/// Julian day of the Unix epoch.
const UNIX_EPOCH_JD: f64 = 2_440_587.5;
/// Julian day of J2000.0.
const J2000: f64 = 2_451_545.0;
/// TT − UTC in days (about 69 s this century; the error it leaves is seconds).
const DELTA_T_DAYS: f64 = 70.0 / 86_400.0;
/// Beijing time is UTC+8 all year.
const BEIJING_OFFSET_DAYS: f64 = 8.0 / 24.0;

/// The Sun's apparent longitude in degrees [0, 360) at Julian day `jd` (TT).
fn apparent_longitude(jd: f64) -> f64 {
    let t = (jd - J2000) / 36_525.0;
    let l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t;
    let m = (357.52911 + 35999.05029 * t - 0.0001537 * t * t).to_radians();
    let c = (1.914602 - 0.004817 * t - 0.000014 * t * t) * m.sin()
        + (0.019993 - 0.000101 * t) * (2.0 * m).sin()
        + 0.000289 * (3.0 * m).sin();
    let omega = (125.04 - 1934.136 * t).to_radians();
    (l0 + c - 0.00569 - 0.00478 * omega.sin()).rem_euclid(360.0)
}

/// The Julian day (TT) near `guess` when the Sun's apparent longitude is `target` degrees.
fn when_longitude(target: f64, guess: f64) -> f64 {
    let mut jd = guess;
    for _ in 0..6 {
        // The difference folded into [-180, 180) so the step goes the short way.
        let diff = (target - apparent_longitude(jd) + 540.0).rem_euclid(360.0) - 180.0;
        jd += diff * 365.2422 / 360.0;
    }
    jd
}

/// The date of Qingming (Sun at 15°) in `year`, in Beijing time.
pub fn qingming(year: i32) -> Option<NaiveDate> {
    let guess_date = NaiveDate::from_ymd_opt(year, 4, 5)?;
    let guess = UNIX_EPOCH_JD + guess_date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() as f64 / 86_400.0;
    let jd_utc = when_longitude(15.0, guess) - DELTA_T_DAYS;
    let micros = ((jd_utc - UNIX_EPOCH_JD + BEIJING_OFFSET_DAYS) * 86_400e6).round() as i64;
    let local = DateTime::from_timestamp_micros(micros)?.naive_utc();
    Some(local.date()).filter(|d| (*d - guess_date).abs() < Duration::days(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn matches_the_published_dates() {
        // Each year's Qingming as in the State Council notices and the Purple Mountain
        // Observatory's almanac.
        for (y, d) in [(2020, 4), (2023, 5), (2024, 4), (2025, 4), (2026, 5), (2027, 5), (2028, 4)] {
            assert_eq!(qingming(y), Some(date(y, 4, d)), "{y}");
        }
    }

    #[test]
    fn falls_on_april_3_to_6_every_year() {
        for year in 2001..=2100 {
            let d = qingming(year).unwrap();
            assert!(d.month() == 4 && (3..=6).contains(&d.day()), "{year}: {d}");
        }
    }
}
