//! The retention policy: how many days after a ticket ends its personal data is kept, by
//! category and channel. An admin edits it as a versioned configuration document; the
//! server's configuration sets a floor no rule may go under (seed 003: at least two years).

use crate::{Channel, DomainError, Timestamp};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// Two years, seed 003 §五(二)'s minimum.
pub const DEFAULT_KEEP_DAYS: u32 = 730;
/// A hundred years: longer is a typo, not a policy.
const MAX_KEEP_DAYS: u32 = 36_500;

/// How long personal data stays after a ticket ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Days kept when no rule matches.
    #[serde(default = "default_keep_days")]
    pub keep_days: u32,
    /// Exceptions; the most specific match wins (category and channel, then category, then
    /// channel), the first listed among equals.
    #[serde(default)]
    pub rules: Vec<RetentionRule>,
}

/// Days kept for one category and/or channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub channel: Option<Channel>,
    pub keep_days: u32,
}

fn default_keep_days() -> u32 {
    DEFAULT_KEEP_DAYS
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy { keep_days: DEFAULT_KEEP_DAYS, rules: Vec::new() }
    }
}

impl RetentionPolicy {
    /// Checks every period against the configured floor.
    pub fn validate(&self, floor_days: u32) -> Result<(), DomainError> {
        let check = |days: u32| {
            if days < floor_days {
                Err(DomainError::invalid(
                    "keep_days",
                    format!("{days} days is under the configured minimum of {floor_days} days"),
                ))
            } else if days > MAX_KEEP_DAYS {
                Err(DomainError::invalid("keep_days", format!("{days} days is more than {MAX_KEEP_DAYS}")))
            } else {
                Ok(())
            }
        };
        check(self.keep_days)?;
        for (i, rule) in self.rules.iter().enumerate() {
            check(rule.keep_days)?;
            if rule.category.as_deref().is_none_or(str::is_empty) && rule.channel.is_none() {
                return Err(DomainError::invalid("rules", format!("rule {} names no category and no channel", i + 1)));
            }
            if self.rules[..i].iter().any(|r| r.category == rule.category && r.channel == rule.channel) {
                return Err(DomainError::invalid("rules", format!("rule {} repeats an earlier rule", i + 1)));
            }
        }
        Ok(())
    }

    /// Days kept for a ticket of this category and channel.
    pub fn keep_days_for(&self, category: Option<&str>, channel: Channel) -> u32 {
        let score = |r: &RetentionRule| {
            let cat = match r.category.as_deref() {
                None => Some(0),
                Some(c) if Some(c) == category => Some(2),
                Some(_) => None,
            };
            let chan = match r.channel {
                None => Some(0),
                Some(c) if c == channel => Some(1),
                Some(_) => None,
            };
            Some(cat? + chan?)
        };
        let mut best: Option<(u32, u32)> = None;
        for r in &self.rules {
            if let Some(s) = score(r) {
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, r.keep_days));
                }
            }
        }
        best.map_or(self.keep_days, |(_, days)| days)
    }

    /// The shortest period of any rule: nothing that ended after `now` minus it is due.
    pub fn shortest_days(&self) -> u32 {
        self.rules.iter().map(|r| r.keep_days).chain([self.keep_days]).min().unwrap_or(self.keep_days)
    }

    /// Whether a ticket that ended at `ended_at` is due for anonymisation at `now`.
    pub fn is_due(&self, ended_at: Timestamp, category: Option<&str>, channel: Channel, now: Timestamp) -> bool {
        ended_at + Duration::days(i64::from(self.keep_days_for(category, channel))) <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn rule(category: Option<&str>, channel: Option<Channel>, keep_days: u32) -> RetentionRule {
        RetentionRule { category: category.map(String::from), channel, keep_days }
    }

    #[test]
    fn most_specific_rule_wins() {
        let p = RetentionPolicy {
            keep_days: 730,
            rules: vec![
                rule(None, Some(Channel::Phone), 900),
                rule(Some("投诉"), None, 1095),
                rule(Some("投诉"), Some(Channel::Phone), 1825),
            ],
        };
        assert_eq!(p.keep_days_for(Some("咨询"), Channel::Web), 730);
        assert_eq!(p.keep_days_for(Some("咨询"), Channel::Phone), 900);
        assert_eq!(p.keep_days_for(Some("投诉"), Channel::Web), 1095);
        assert_eq!(p.keep_days_for(Some("投诉"), Channel::Phone), 1825);
        assert_eq!(p.keep_days_for(None, Channel::Phone), 900);
        assert_eq!(p.shortest_days(), 730);
    }

    #[test]
    fn floor_and_shape_are_enforced() {
        let mut p = RetentionPolicy::default();
        assert!(p.validate(730).is_ok());
        assert!(p.validate(731).is_err());
        p.rules.push(rule(Some("投诉"), None, 365));
        let e = p.validate(730).unwrap_err();
        assert!(e.to_string().contains("365"), "{e}");
        p.rules[0].keep_days = 1000;
        p.rules.push(rule(None, None, 1000));
        assert!(p.validate(730).is_err());
        p.rules[1] = rule(Some("投诉"), None, 2000);
        assert!(p.validate(730).is_err(), "a repeated rule");
        let doc: Result<RetentionPolicy, _> = serde_json::from_str(r#"{"keep_days": 800, "rulez": []}"#);
        assert!(doc.is_err(), "unknown fields are refused");
        let doc: RetentionPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(doc, RetentionPolicy::default());
    }

    proptest! {
        /// A ticket is due exactly when its own period has passed, never earlier, and a
        /// ticket due under the shortest period's cut-off may still wait; never the reverse.
        #[test]
        fn due_exactly_after_its_period(days_kept in 730u32..4000, rule_days in 730u32..4000, ended in 0i64..4_000_000_000, after in -10i64..10) {
            let p = RetentionPolicy { keep_days: days_kept, rules: vec![rule(Some("投诉"), None, rule_days)] };
            let ended_at = chrono::Utc.timestamp_opt(ended, 0).unwrap();
            for (cat, days) in [(Some("投诉"), rule_days), (Some("咨询"), days_kept), (None, days_kept)] {
                let at = ended_at + Duration::days(i64::from(days)) + Duration::seconds(after);
                prop_assert_eq!(p.is_due(ended_at, cat, Channel::Web, at), after >= 0);
                let cutoff = at - Duration::days(i64::from(p.shortest_days()));
                if p.is_due(ended_at, cat, Channel::Web, at) {
                    prop_assert!(ended_at <= cutoff);
                }
            }
        }
    }
}
