//! What the customer portal needs beyond the ticket actions: the public address every link
//! to it is built on, the signed status link a customer bookmarks, and the company's
//! branding (the `portal` configuration document).

pub mod branding;
pub mod links;

use loopdesk_core::State;

/// The steps a customer sees their request go through, in plain words.
pub const STAGES: [&str; 4] = ["submitted", "handling", "resolved", "closed"];

/// Which of [`STAGES`] a ticket in `state` has reached; a rejected or merged ticket is on
/// none of them.
pub fn stage(state: State) -> Option<usize> {
    match state {
        State::New => Some(0),
        State::Assigned | State::InProgress | State::AwaitingCustomer | State::AwaitingApproval | State::Reopened => {
            Some(1)
        }
        State::Resolved => Some(2),
        State::Closed => Some(3),
        State::Rejected | State::Merged => None,
    }
}
