//! What one ticket contributes to the report rollups: its key (the dimensions reports
//! filter and break down by) and its counts, each at the instant of the event it counts.
//! This is the only place that decides which ticket counts as what; the store only sums.

use crate::ticket::Rating;
use crate::{Channel, CustomerTier, DepartmentId, Priority, State, Ticket, Timestamp, UserId};

/// Intake within this long counts as timely for forms the system captures (seed 003).
const INTAKE_SYSTEM_MS: i64 = 5 * 60 * 1000;
/// ... and for feedback staff record by hand.
const INTAKE_STAFF_MS: i64 = 30 * 60 * 1000;

/// Whether the ticket was recorded in time after it was received (接收及时).
pub fn intake_on_time(t: &Ticket) -> bool {
    let limit = if t.channel.is_public_form() { INTAKE_SYSTEM_MS } else { INTAKE_STAFF_MS };
    (t.recorded_at - t.received_at).num_milliseconds() <= limit
}

/// The dimensions of a ticket that reports filter and break down by, as the ticket is now.
/// Text dimensions are empty when the ticket has none; a ticket with several sub-tags is
/// counted under its first (the one triage or the agent put first), so shares add up to 100%.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactKey {
    pub channel: Channel,
    pub category: String,
    pub subtag: String,
    pub product: String,
    pub department_id: Option<DepartmentId>,
    pub agent_id: Option<UserId>,
    pub priority: Priority,
    pub tier: CustomerTier,
}

impl FactKey {
    pub fn of(t: &Ticket) -> FactKey {
        FactKey {
            channel: t.channel,
            category: t.category.clone().unwrap_or_default(),
            subtag: t.subtags.first().cloned().unwrap_or_default(),
            product: t.product.product.as_deref().map(str::trim).unwrap_or_default().to_string(),
            department_id: t.department_id,
            agent_id: t.assignee_id,
            priority: t.priority,
            tier: t.customer.tier,
        }
    }
}

/// Declares [`Counts`]: named sums that are also an array in column order, so the store
/// writes and reads them without repeating the list.
macro_rules! counts {
    ($($(#[$doc:meta])* $field:ident),+ $(,)?) => {
        /// Sums of one rollup row. Which instant each sum is counted at is said per field.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Counts {
            $($(#[$doc])* pub $field: i64,)+
        }

        impl Counts {
            /// Column names, in the order of [`Counts::to_array`].
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            pub fn to_array(&self) -> Vec<i64> {
                vec![$(self.$field),+]
            }

            /// The sums from values in column order (missing values are 0).
            pub fn from_slice(values: &[i64]) -> Counts {
                let mut it = values.iter().copied();
                Counts { $($field: it.next().unwrap_or(0)),+ }
            }

            /// Adds `other` times `by` (1 to add, -1 to remove).
            pub fn add(&mut self, other: &Counts, by: i64) {
                $(self.$field += other.$field * by;)+
            }
        }
    };
}

counts! {
    /// Tickets recorded (at recording).
    recorded,
    /// ... of them recorded in time after receipt.
    intake_on_time,
    /// ... of them with a first response, and the sum of their waits (received → first response).
    first_responses,
    first_response_ms,
    /// Latest resolutions (at resolution) and the sum of their handling times (received → resolved).
    resolved,
    handling_ms,
    /// ... of them with a survey answer (a follow-up that reached the customer).
    followed_up,
    /// Latest survey answers (at the answer), by rating, and the scores given.
    answered,
    satisfied,
    neutral,
    unsatisfied,
    scored,
    score_sum,
    /// Tickets recorded that were escalated, reopened, rejected (spam, abuse, out of scope),
    /// merged as duplicates, or sent to manual triage (at recording).
    escalated,
    reopened,
    rejected,
    merged,
    manual_triage,
    /// +1 at recording, -1 when the ticket stopped being open: the backlog at an instant is
    /// the sum of everything before it.
    backlog,
    /// Customers' look-ups of the ticket's status by its tracking number (self-service
    /// tracking use), at the look-up, under the ticket's key then: a look-up is history,
    /// like a stopped SLA clock, and stays where it was counted when the ticket moves.
    tracked,
}

/// An instant the ticket stopped being open (resolved, closed, rejected or merged), if it
/// did. Rejections and merges carry no instant of their own: the ticket's last change is
/// the rejection or the merge, as nothing changes such a ticket afterwards.
fn left_open_at(t: &Ticket) -> Option<Timestamp> {
    match t.state {
        State::Resolved | State::Closed => t.resolved_at.or(t.closed_at).or(Some(t.updated_at)),
        State::Rejected | State::Merged => Some(t.updated_at),
        _ => None,
    }
}

/// The ticket's contribution to the rollups: counts at the instants they belong to.
pub fn contributions(t: &Ticket) -> Vec<(Timestamp, Counts)> {
    let manual = t.triage.as_ref().is_some_and(|x| x.needs_manual_triage);
    let mut at_record = Counts {
        recorded: 1,
        intake_on_time: i64::from(intake_on_time(t)),
        escalated: i64::from(t.escalated),
        reopened: i64::from(t.reopened),
        rejected: i64::from(t.state == State::Rejected),
        merged: i64::from(t.state == State::Merged),
        manual_triage: i64::from(manual),
        backlog: 1,
        ..Counts::default()
    };
    if let Some(at) = t.first_response_at {
        at_record.first_responses = 1;
        at_record.first_response_ms = (at - t.received_at).num_milliseconds();
    }
    let mut out = vec![(t.recorded_at, at_record)];
    if let Some(at) = t.resolved_at {
        let c = Counts {
            resolved: 1,
            handling_ms: (at - t.received_at).num_milliseconds(),
            followed_up: i64::from(t.satisfaction.is_some()),
            ..Counts::default()
        };
        out.push((at, c));
    }
    if let Some(s) = &t.satisfaction {
        let c = Counts {
            answered: 1,
            satisfied: i64::from(s.rating == Rating::Satisfied),
            neutral: i64::from(s.rating == Rating::Neutral),
            unsatisfied: i64::from(s.rating == Rating::Unsatisfied),
            scored: i64::from(s.score.is_some()),
            score_sum: s.score.map(i64::from).unwrap_or(0),
            ..Counts::default()
        };
        out.push((s.answered_at, c));
    }
    if let Some(at) = left_open_at(t) {
        out.push((at, Counts { backlog: -1, ..Counts::default() }));
    }
    out
}

/// What one status look-up of `t` at `at` contributes (see [`Counts::tracked`]); not part
/// of [`contributions`], which say what the ticket is now and move with it.
pub fn lookup(t: &Ticket, at: Timestamp) -> (i64, FactKey, Counts) {
    (hour_of(at), FactKey::of(t), Counts { tracked: 1, ..Counts::default() })
}

/// The first-response wait of a ticket that got one, for the percentile sketch.
pub fn first_response_wait_ms(t: &Ticket) -> Option<i64> {
    t.first_response_at.map(|at| (at - t.received_at).num_milliseconds())
}

/// A rollup row: one hour (unix ms / 3,600,000), one key, its sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub hour: i64,
    pub key: FactKey,
    pub counts: Counts,
}

/// Stopped SLA clocks of one hour, key and target: met and breached. Recorded with the
/// ticket's key when the clock stopped and never moved afterwards (a result is history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaFact {
    pub hour: i64,
    pub key: FactKey,
    pub target: crate::sla::TargetKind,
    pub met: i64,
    pub breached: i64,
}

/// First-response waits of tickets recorded in one hour with one key, in one sketch bucket
/// (see [`super::sketch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitFact {
    pub hour: i64,
    pub key: FactKey,
    pub bucket: u32,
    pub n: i64,
}

/// One rollup bucket: an hour, as unix ms / [`HOUR_MS`].
pub const HOUR_MS: i64 = 3_600_000;

/// The rollup hour of an instant.
pub fn hour_of(t: Timestamp) -> i64 {
    t.timestamp_millis().div_euclid(HOUR_MS)
}

/// The instant a rollup hour starts.
pub fn hour_start(hour: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(hour.saturating_mul(HOUR_MS)).unwrap_or_default()
}
