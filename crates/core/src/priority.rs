//! Priority, urgency, impact scope and customer tier.

crate::named_enum!(
    /// How soon a ticket must be handled; decided by explainable rules (seed 003 §三).
    Priority {
        Urgent = "urgent",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

impl Priority {
    /// Sort rank: 0 is the most pressing. Stored beside the name so queues sort by it.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Urgent => 0,
            Priority::High => 1,
            Priority::Medium => 2,
            Priority::Low => 3,
        }
    }

    /// The inverse of [`Priority::rank`].
    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    /// One step more pressing (urgent stays urgent).
    pub fn raised(self) -> Priority {
        Priority::from_rank((self.rank() - 1).max(0)).unwrap_or(self)
    }
}

crate::named_enum!(
    /// Urgency as stated by the customer or detected (seed 000).
    Urgency {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

crate::named_enum!(
    /// How many customers a problem touches, from its cluster's size (seed 000).
    ImpactScope {
        Single = "single",
        Some = "some",
        All = "all",
    }
);

crate::named_enum!(
    /// Customer value tier (seed 003: VIP / key account raise priority).
    CustomerTier {
        Standard = "standard",
        Vip = "vip",
        KeyAccount = "key_account",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_round_trips_and_orders() {
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
        assert!(Priority::Urgent.rank() < Priority::Low.rank());
        assert_eq!(Priority::Low.raised(), Priority::Medium);
        assert_eq!(Priority::Urgent.raised(), Priority::Urgent);
    }

    #[test]
    fn names_parse_back() {
        assert_eq!("key_account".parse::<CustomerTier>(), Ok(CustomerTier::KeyAccount));
        let err = "vvip".parse::<CustomerTier>().unwrap_err();
        assert!(err.to_string().contains("expected one of standard, vip, key_account"));
    }
}
