//! SLA policies as data: per priority (with optional overrides by category, customer tier
//! or priority), each target a working-time budget on a named calendar.

use super::SlaError;
use crate::calendar::{Calendar, Calendars, ALWAYS_OPEN_CALENDAR, DEFAULT_CALENDAR};
use crate::{Channel, CustomerTier, Priority, Ticket};
use chrono::Duration;
use serde::{Deserialize, Serialize};

crate::named_enum!(
    /// The clocks a ticket runs; the names are what `Extended { target }` refers to.
    TargetKind {
        /// Recorded in time after receipt (接收及时): received → recorded.
        Intake = "intake",
        /// The assignee accepts the ticket: each assignment → acknowledged.
        Acknowledge = "acknowledge",
        /// First reply to the customer: recorded → first public reply or resolution.
        FirstResponse = "first_response",
        /// Substantive response / plan / temporary measure: recorded → a public reply after
        /// the first response, an approval request, or resolution.
        Plan = "plan",
        /// Result: from the anchor (or the last reopening) → resolved.
        Result = "result",
        /// Supervisor's decision: approval requested → decided.
        Approval = "approval",
        /// The promise to an unsatisfied customer (the portal's "we contact you within N
        /// working hours"): an unsatisfied survey answer → staff's next public reply.
        Recontact = "recontact",
    }
);

crate::named_enum!(
    /// Where the result clock starts.
    Anchor {
        /// When the ticket was recorded.
        Created = "created",
        /// At the first response (seed 003: 自首响应日起).
        FirstResponse = "first_response",
    }
);

/// An amount of working time on the target's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Budget {
    WorkingMinutes(u32),
    WorkingHours(u32),
    /// N × the calendar's standard working day (see [`crate::calendar`]).
    WorkingDays(u32),
}

impl Budget {
    /// The budget as working time on `calendar`.
    pub fn on(self, calendar: &Calendar) -> Duration {
        match self {
            Budget::WorkingMinutes(n) => Duration::minutes(n.into()),
            Budget::WorkingHours(n) => Duration::hours(n.into()),
            Budget::WorkingDays(n) => Duration::minutes(calendar.working_day().num_minutes() * i64::from(n)),
        }
    }
}

/// One deadline: how much working time, counted on which calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    pub budget: Budget,
    pub calendar: String,
}

impl Target {
    /// A target on the named calendar.
    pub fn new(budget: Budget, calendar: &str) -> Target {
        Target { budget, calendar: calendar.to_string() }
    }
}

/// The targets of one priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityTargets {
    pub acknowledge: Target,
    pub first_response: Target,
    pub plan: Target,
    pub result: Target,
    pub result_from: Anchor,
    pub approval: Target,
}

/// Targets per priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ByPriority {
    pub urgent: PriorityTargets,
    pub high: PriorityTargets,
    pub medium: PriorityTargets,
    pub low: PriorityTargets,
}

/// Intake timeliness targets by how the feedback came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeTargets {
    /// Typed in by staff ([`Channel::is_staff_entered`]): 30 min by default.
    pub staff_entered: Target,
    /// Captured by a system form or channel: 5 min by default.
    pub system: Target,
}

/// Replacement targets for tickets matching every condition given (absent = any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyOverride {
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub tier: Option<CustomerTier>,
    pub acknowledge: Option<Target>,
    pub first_response: Option<Target>,
    pub plan: Option<Target>,
    pub result: Option<Target>,
    pub result_from: Option<Anchor>,
    pub approval: Option<Target>,
}

impl PolicyOverride {
    fn matches(&self, ticket: &Ticket) -> bool {
        self.priority.is_none_or(|p| p == ticket.priority)
            && self.tier.is_none_or(|t| t == ticket.customer.tier)
            && self.category.as_ref().is_none_or(|c| ticket.category.as_ref() == Some(c))
    }

    fn apply(&self, t: &mut PriorityTargets) {
        let set = |slot: &mut Target, v: &Option<Target>| {
            if let Some(v) = v {
                *slot = v.clone();
            }
        };
        set(&mut t.acknowledge, &self.acknowledge);
        set(&mut t.first_response, &self.first_response);
        set(&mut t.plan, &self.plan);
        set(&mut t.result, &self.result);
        set(&mut t.approval, &self.approval);
        t.result_from = self.result_from.unwrap_or(t.result_from);
    }
}

fn default_warn_percent() -> u8 {
    80
}

/// A versionable SLA policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    /// A warning fires when this share of a target's working time is used (default 80).
    #[serde(default = "default_warn_percent")]
    pub warn_percent: u8,
    pub intake: IntakeTargets,
    pub priorities: ByPriority,
    /// Applied in order after the priority's targets; later matches win.
    #[serde(default)]
    pub overrides: Vec<PolicyOverride>,
    /// On a breach, also take the ticket from its assignee and return it to the
    /// department's queue (to be reassigned), besides escalating.
    #[serde(default)]
    pub reassign_on_breach: bool,
    /// The working time promised to an unsatisfied customer before staff contact them,
    /// counted on the calendar of the ticket's result target. Not part of the SLA policy
    /// document: the application sets it from the portal document's promise
    /// (`unsatisfied.contact_within_working_hours`), so what the customer is told is what
    /// the clock measures. `None`: no such clock.
    #[serde(skip)]
    pub recontact: Option<Budget>,
}

impl SlaPolicy {
    /// The targets for `ticket`: its priority's, then every matching override.
    pub fn targets_for(&self, ticket: &Ticket) -> PriorityTargets {
        let mut t = match ticket.priority {
            Priority::Urgent => &self.priorities.urgent,
            Priority::High => &self.priorities.high,
            Priority::Medium => &self.priorities.medium,
            Priority::Low => &self.priorities.low,
        }
        .clone();
        for o in self.overrides.iter().filter(|o| o.matches(ticket)) {
            o.apply(&mut t);
        }
        t
    }

    /// The intake target for a channel.
    pub fn intake_for(&self, channel: Channel) -> &Target {
        match channel.is_staff_entered() {
            true => &self.intake.staff_entered,
            false => &self.intake.system,
        }
    }

    /// Checks the warning share and that every calendar named exists in `calendars`.
    pub fn validate(&self, calendars: &Calendars) -> Result<(), SlaError> {
        if !(1..=100).contains(&self.warn_percent) {
            return Err(SlaError::BadWarnPercent(self.warn_percent));
        }
        let p = &self.priorities;
        let per_priority = [&p.urgent, &p.high, &p.medium, &p.low]
            .into_iter()
            .flat_map(|t| [&t.acknowledge, &t.first_response, &t.plan, &t.result, &t.approval]);
        let overrides = self
            .overrides
            .iter()
            .flat_map(|o| [&o.acknowledge, &o.first_response, &o.plan, &o.result, &o.approval].into_iter().flatten());
        [&self.intake.staff_entered, &self.intake.system].into_iter().chain(per_priority).chain(overrides).try_for_each(
            |t| match calendars.get(&t.calendar) {
                Some(_) => Ok(()),
                None => Err(SlaError::UnknownCalendar(t.calendar.clone())),
            },
        )
    }
}

impl Default for SlaPolicy {
    /// The design's defaults (seed 003): see the table in `DESIGN.md`, "SLA defaults".
    fn default() -> SlaPolicy {
        use Budget::*;
        let day = |b| Target::new(b, DEFAULT_CALENDAR);
        let clock = |b| Target::new(b, ALWAYS_OPEN_CALENDAR);
        // "24 h / 48 h" outside urgent are read as 1 / 2 working days: hours that fall
        // on weekends and holidays do not count.
        let business = |first, plan, result| PriorityTargets {
            acknowledge: day(WorkingMinutes(15)),
            first_response: day(WorkingDays(first)),
            plan: day(plan),
            result: day(WorkingDays(result)),
            result_from: Anchor::FirstResponse,
            approval: day(WorkingDays(1)),
        };
        SlaPolicy {
            warn_percent: default_warn_percent(),
            intake: IntakeTargets { staff_entered: day(WorkingMinutes(30)), system: day(WorkingMinutes(5)) },
            priorities: ByPriority {
                urgent: PriorityTargets {
                    acknowledge: clock(WorkingMinutes(15)),
                    first_response: clock(WorkingHours(2)),
                    plan: clock(WorkingHours(2)),
                    result: clock(WorkingHours(24)),
                    result_from: Anchor::Created,
                    approval: clock(WorkingHours(24)),
                },
                high: business(1, WorkingDays(1), 3),
                medium: business(2, WorkingDays(3), 7),
                low: business(2, WorkingDays(7), 10),
            },
            overrides: vec![],
            reassign_on_breach: false,
            recontact: None,
        }
    }
}
