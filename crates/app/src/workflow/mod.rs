//! The workflow around the ticket commands: routing and assignment, the acknowledgement
//! timer, approvals, resolution and the satisfaction loop. Every change goes through
//! [`crate::tickets::change`], so the jobs each event owes ([`effects`]) are written with it.

pub mod assignment;
pub mod config;
pub mod effects;
pub mod router;
pub mod staffing;
pub mod survey;
pub mod token;
