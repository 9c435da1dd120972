//! What reports filter on and break down by.

use super::fact::FactKey;
use crate::{Channel, CustomerTier, DepartmentId, Priority, UserId};

crate::named_enum!(
    /// A dimension of the rollups.
    Dimension {
        Channel = "channel",
        Category = "category",
        Subtag = "subtag",
        Product = "product",
        Department = "department",
        Agent = "agent",
        Priority = "priority",
        Tier = "tier",
    }
);

impl Dimension {
    /// The key's value on this dimension, as the queue's filter of the same name takes it
    /// (empty for none: no category, no department, ...).
    pub fn value(self, k: &FactKey) -> String {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        match self {
            Dimension::Channel => k.channel.as_str().to_string(),
            Dimension::Category => k.category.clone(),
            Dimension::Subtag => k.subtag.clone(),
            Dimension::Product => k.product.clone(),
            Dimension::Department => id(k.department_id.map(|d| d.0)),
            Dimension::Agent => id(k.agent_id.map(|u| u.0)),
            Dimension::Priority => k.priority.as_str().to_string(),
            Dimension::Tier => k.tier.as_str().to_string(),
        }
    }
}

/// Which rows a report counts: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub channel: Option<Channel>,
    pub category: Option<String>,
    pub subtag: Option<String>,
    pub product: Option<String>,
    pub department: Option<DepartmentId>,
    pub agent: Option<UserId>,
    pub priority: Option<Priority>,
    pub tier: Option<CustomerTier>,
}

impl Filter {
    pub fn matches(&self, k: &FactKey) -> bool {
        fn ok<T: PartialEq>(want: &Option<T>, have: &T) -> bool {
            want.as_ref().is_none_or(|w| w == have)
        }
        ok(&self.channel, &k.channel)
            && ok(&self.category, &k.category)
            && ok(&self.subtag, &k.subtag)
            && ok(&self.product, &k.product)
            && self.department.is_none_or(|d| k.department_id == Some(d))
            && self.agent.is_none_or(|a| k.agent_id == Some(a))
            && ok(&self.priority, &k.priority)
            && ok(&self.tier, &k.tier)
    }
}
