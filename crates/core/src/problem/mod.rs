//! Problems (issue 17): tracked work on a cluster of feedback — the root-cause analysis,
//! the improvement actions with owners and deadlines, and the problem's own timeline. The
//! types and rules are here (pure); the store keeps them and the application runs the use
//! cases. The lifecycle is in [`state`], deadlines on the business calendar in [`due`], and
//! what each field may hold in [`limits`].

pub mod due;
pub mod effect;
pub mod limits;
pub mod resolve;
pub mod state;

use crate::{ActionId, TicketId};
use crate::{DepartmentId, ProblemId, Timestamp, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use state::{ActionState, ProblemState, TransitionError};

crate::named_enum!(
    /// Where a root cause lies (the seeds' review meetings sort causes this way).
    CauseCategory {
        People = "people",
        Process = "process",
        Product = "product",
        Supplier = "supplier",
        System = "system",
        Other = "other",
    }
);

crate::named_enum!(
    /// What an improvement action is for.
    ActionKind {
        /// Fixes what went wrong this time.
        Corrective = "corrective",
        /// Keeps it from happening again.
        Preventive = "preventive",
    }
);

crate::named_enum!(
    /// What an entry of a problem's timeline records.
    ProblemEventKind {
        Created = "created",
        Edited = "edited",
        StateChanged = "state_changed",
        RcaUpdated = "rca_updated",
        TicketsLinked = "tickets_linked",
        TicketUnlinked = "ticket_unlinked",
        ActionAdded = "action_added",
        ActionStateChanged = "action_state_changed",
        /// An open action passed its due minute; its owners' supervisors were alerted.
        Escalated = "escalated",
        /// Its open tickets are being resolved together with one customer message.
        TicketsResolving = "tickets_resolving",
        /// The resolving finished: how many were resolved and left.
        TicketsResolved = "tickets_resolved",
        /// Matching feedback kept arriving after it was verified: back to investigating.
        Recurred = "recurred",
    }
);

/// The root-cause analysis, as structured fields so reviews can count causes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RootCause {
    /// What happened, as observed.
    #[serde(default)]
    pub what_happened: String,
    /// The chain of whys, from the symptom down to the cause (5 Whys).
    #[serde(default)]
    pub whys: Vec<String>,
    #[serde(default)]
    pub cause_category: Option<CauseCategory>,
}

/// When a verified problem counts as come back: at least `tickets` new matching reports
/// within `days` days (the problem reopens and its owners are alerted, once per
/// verification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecurrenceRule {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub tickets: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub days: u32,
}

impl Default for RecurrenceRule {
    /// Three reports in a week: one is noise (a late report of the old fault), three
    /// within seven days from different tickets is a pattern.
    fn default() -> Self {
        RecurrenceRule { tickets: 3, days: 7 }
    }
}

impl RecurrenceRule {
    /// The rule if its numbers are within bounds, else the field that is not.
    pub fn check(self) -> Result<RecurrenceRule, crate::DomainError> {
        if !(1..=10_000).contains(&self.tickets) {
            return Err(crate::DomainError::invalid("recurrence.tickets", "must be 1 to 10000"));
        }
        if !(1..=90).contains(&self.days) {
            return Err(crate::DomainError::invalid("recurrence.days", "must be 1 to 90"));
        }
        Ok(self)
    }
}

/// Tracked work on one issue many customers reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: ProblemId,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub products: Vec<String>,
    pub state: ProblemState,
    /// The department that owns the work, and the person in it.
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// The problem cluster it was created from.
    #[serde(default)]
    pub cluster_id: Option<i64>,
    /// When the work is due (working days on the company calendar from creation).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due: Option<Timestamp>,
    /// The due minute an overdue escalation was sent for (one per due minute).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub escalated_due: Option<Timestamp>,
    #[serde(default)]
    pub rca: RootCause,
    /// When it counts as come back after "verified".
    #[serde(default)]
    pub recurrence: RecurrenceRule,
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Bumped by every change; a change based on an older version is refused.
    pub version: i64,
}

/// An improvement action of a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImprovementAction {
    pub id: ActionId,
    pub problem_id: ProblemId,
    pub title: String,
    pub kind: ActionKind,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    /// The due date, on the company calendar.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: NaiveDate,
    /// The due minute: the end of the due date's working hours (see [`due`]).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due: Timestamp,
    pub state: ActionState,
    /// When it was escalated as overdue (once per due minute).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub escalated_at: Option<Timestamp>,
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub version: i64,
}

impl ImprovementAction {
    /// Open and past its due minute at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.state == ActionState::Open && self.due <= now
    }
}

/// One entry of a problem's timeline: who (none for the system), when, what, and the
/// details of what (before → after, the reason, the tickets, the action).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The staff member, or none for the system (an escalation).
    pub actor_id: Option<UserId>,
    pub kind: ProblemEventKind,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

impl ProblemEvent {
    /// An event by `actor` (none: the system) at `at`.
    pub fn new(at: Timestamp, actor_id: Option<UserId>, kind: ProblemEventKind, data: serde_json::Value) -> Self {
        ProblemEvent { at, actor_id, kind, data }
    }
}

/// The tickets of a link event, as the timeline records them.
pub fn ticket_list(ids: &[TicketId]) -> serde_json::Value {
    serde_json::json!({ "ticket_ids": ids })
}
