//! China's official holiday schedule, shipped as data (`data/cn-holidays.csv`). Years after
//! it get the statutory days by rule, marked provisional ([`super::statutory`]), until the
//! next notice is imported.

use super::csv;
use super::days::SpecialDay;

/// The embedded schedule: State Council notices for 2024–2026.
pub const CHINA_CSV: &str = include_str!("../../data/cn-holidays.csv");

/// The official holidays and make-up working days of mainland China.
pub fn china() -> Vec<SpecialDay> {
    csv::parse(CHINA_CSV).expect("the embedded holiday file is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::DayKind;

    #[test]
    fn embedded_schedule_covers_2024_to_2026() {
        let days = china();
        for year in [2024, 2025, 2026] {
            let n = days
                .iter()
                .filter(|d| d.date.format("%Y").to_string() == year.to_string())
                .filter(|d| d.kind == DayKind::Holiday)
                .count();
            assert!(n >= 25, "{year}: {n} holiday dates");
        }
    }
}
