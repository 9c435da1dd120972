//! What spikes are watched and how: the dimensions counted, the window, the history and the
//! admin's fixed thresholds. An admin edits these as the `spike_rules` document.

use super::spike::SpikeRule;
use serde::{Deserialize, Serialize};

crate::named_enum!(
    /// What a spike counts reports of.
    SpikeDimension {
        Category = "category",
        Subtag = "subtag",
        Product = "product",
        /// A problem cluster (reports of one issue in any words), by its id.
        Cluster = "cluster",
    }
);

/// A fixed threshold: this many reports in a window is a spike whatever is usual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpikeThreshold {
    pub dimension: SpikeDimension,
    /// One value (`payment`, a product name, a cluster id); absent: every value.
    #[serde(default)]
    pub value: Option<String>,
    pub count: i64,
}

/// The `spike_rules` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpikeRules {
    /// Hours per window (1 to 24).
    pub window_hours: usize,
    /// Past weeks the usual level is read from (2 to 26).
    pub weeks: usize,
    /// How many spreads above the usual level is "well above" (at least 2).
    pub sigmas: f64,
    /// Fewer reports than this in a window are never unusual.
    pub min_count: i64,
    pub thresholds: Vec<SpikeThreshold>,
}

impl Default for SpikeRules {
    fn default() -> Self {
        let r = SpikeRule::default();
        SpikeRules {
            window_hours: r.window_hours,
            weeks: r.weeks,
            sigmas: r.sigmas,
            min_count: r.min_count,
            thresholds: Vec::new(),
        }
    }
}

impl SpikeRules {
    /// The rule a value of `dimension` is judged by: the lowest threshold naming it or its
    /// whole dimension.
    pub fn rule_for(&self, dimension: SpikeDimension, value: &str) -> SpikeRule {
        let threshold = self
            .thresholds
            .iter()
            .filter(|t| t.dimension == dimension && t.value.as_deref().is_none_or(|v| v == value))
            .map(|t| t.count)
            .min();
        SpikeRule {
            window_hours: self.window_hours,
            weeks: self.weeks,
            sigmas: self.sigmas,
            min_count: self.min_count,
            threshold,
        }
    }

    /// The smallest count that can be a spike in `dimension` (values below it need no
    /// history read).
    pub fn least_count(&self, dimension: SpikeDimension) -> i64 {
        self.thresholds.iter().filter(|t| t.dimension == dimension).map(|t| t.count).fold(self.min_count, i64::min)
    }

    /// Checks the numbers: the field at fault and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |field: &str, why: &str| Err((field.to_string(), why.to_string()));
        if !(1..=24).contains(&self.window_hours) {
            return bad("body.window_hours", "must be 1 to 24");
        }
        if !(2..=26).contains(&self.weeks) {
            return bad("body.weeks", "must be 2 to 26");
        }
        if !(self.sigmas >= 2.0 && self.sigmas <= 20.0) {
            return bad("body.sigmas", "must be 2 to 20");
        }
        if self.min_count < 1 {
            return bad("body.min_count", "must be at least 1");
        }
        if let Some(i) = self.thresholds.iter().position(|t| t.count < 1) {
            return bad(&format!("body.thresholds[{i}].count"), "must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_matching_threshold_applies() {
        let rules = SpikeRules {
            thresholds: vec![
                SpikeThreshold { dimension: SpikeDimension::Category, value: None, count: 50 },
                SpikeThreshold { dimension: SpikeDimension::Category, value: Some("payment".into()), count: 10 },
            ],
            ..SpikeRules::default()
        };
        assert_eq!(rules.rule_for(SpikeDimension::Category, "payment").threshold, Some(10));
        assert_eq!(rules.rule_for(SpikeDimension::Category, "logistics").threshold, Some(50));
        assert_eq!(rules.rule_for(SpikeDimension::Product, "X1").threshold, None);
        assert_eq!(rules.least_count(SpikeDimension::Category), 5);
        assert!(rules.validate().is_ok());
        assert!(SpikeRules { weeks: 1, ..rules }.validate().is_err());
    }
}
