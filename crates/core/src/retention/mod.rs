//! Retention (seed 003 §五(二)): how long a finished ticket keeps its customer's personal
//! data, and what "anonymised" means for a ticket and its timeline. Anonymisation happens
//! in place: the statistics a report reads (category, channel, priority, times, SLA
//! results, satisfaction rating, cluster membership) stay; the person does not.

mod anonymise;
mod mask;
mod policy;

pub use anonymise::{anonymise_event, anonymise_ticket, Known};
pub use mask::{mask_personal_data, Placeholder};
pub use policy::{RetentionPolicy, RetentionRule, DEFAULT_KEEP_DAYS};
