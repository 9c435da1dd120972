//! Loopdesk's domain model. Pure: no IO, no async, no clock reads (time is always passed in).

#[macro_use]
mod named;

pub mod access;
pub mod approval;
pub mod calendar;
pub mod channel;
pub mod contact;
pub mod error;
pub mod event;
pub mod ids;
pub mod lifecycle;
pub mod priority;
pub mod problem;
pub mod report;
pub mod retention;
pub mod routing;
pub mod sla;
pub mod ticket;
pub mod tracking;

pub use access::{Principal, Role};
pub use channel::Channel;
pub use contact::{Email, Phone};
pub use error::DomainError;
pub use event::{Actor, Event, EventData};
pub use ids::{ActionId, DepartmentId, ProblemId, TicketId, UserId};
pub use lifecycle::{Action, State};
pub use priority::{CustomerTier, ImpactScope, Priority, Urgency};
pub use ticket::{
    Attachment, Customer, FileRef, Outcome, OutcomeKind, ProductInfo, Satisfaction, Ticket, TriageSummary,
};
pub use tracking::TrackingNo;

/// Instants are UTC everywhere in the domain; calendars interpret them in their own zone.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
