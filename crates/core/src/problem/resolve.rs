//! Resolving a fixed problem's tickets together: the ticket commands that take one linked
//! ticket from where it stands to resolved, through the ordinary lifecycle (every step its
//! own event, so each ticket's timeline, SLA clocks, notice and survey are exactly those
//! of a single resolve). Pure: the application applies them to the current ticket.

use crate::event::Command;
use crate::{DepartmentId, Outcome, OutcomeKind, State, Ticket, UserId};

/// Why a linked ticket is left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// Resolved already, closed, rejected or merged: the customer has their answer.
    Done,
    /// A plan waits for a supervisor's decision; deciding it is theirs, not a bulk step.
    AwaitingApproval,
}

impl Leave {
    /// The reason as a static text (the store's "moved" error carries it).
    pub fn as_str(self) -> &'static str {
        match self {
            Leave::Done => "already resolved or closed",
            Leave::AwaitingApproval => "awaiting approval",
        }
    }
}

/// The outcome every linked ticket is resolved with: solved, the one message as summary.
pub fn outcome(message: &str) -> Outcome {
    Outcome {
        kind: OutcomeKind::Solved,
        summary: message.trim().to_string(),
        unresolved: None,
        reason: None,
        alternative: None,
    }
}

/// The commands that resolve `t` with `outcome` as staff member `by`: an unowned ticket is
/// taken by `by` (in its department, else `department`) and acknowledged; one waiting for
/// the customer resumes with `note` (the fix made the missing information moot).
pub fn commands(
    t: &Ticket,
    by: UserId,
    department: Option<DepartmentId>,
    outcome: &Outcome,
    note: &str,
) -> Result<Vec<Command>, Leave> {
    let take = Command::Assign {
        department_id: t.department_id.or(department),
        assignee_id: Some(by),
        reason: Some(note.to_string()),
    };
    let resolve = Command::Resolve { outcome: outcome.clone() };
    Ok(match t.state {
        State::New => vec![take, Command::Acknowledge, resolve],
        State::Assigned | State::Reopened if t.assignee_id.is_none() => vec![take, Command::Acknowledge, resolve],
        State::Assigned | State::Reopened => vec![Command::Acknowledge, resolve],
        State::InProgress => vec![resolve],
        State::AwaitingCustomer => vec![Command::ProvideInfo { body: note.to_string() }, resolve],
        State::AwaitingApproval => return Err(Leave::AwaitingApproval),
        State::Resolved | State::Closed | State::Rejected | State::Merged => return Err(Leave::Done),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{apply, decide};
    use crate::{Actor, Channel, Customer, TicketId};
    use chrono::TimeZone;

    fn sample() -> Ticket {
        let t0 = chrono::Utc.with_ymd_and_hms(2026, 2, 3, 1, 0, 0).unwrap();
        let mut t = Ticket::draft(Channel::Web, "X20 升级后连不上 WiFi".into(), Customer::default(), t0, t0);
        t.id = TicketId(7);
        t
    }

    /// From every state a linked ticket can be in, the commands are legal one after the
    /// other and end resolved (or the ticket is left, for the two reasons above).
    #[test]
    fn every_open_state_reaches_resolved_through_the_lifecycle() {
        let by = UserId(7);
        let o = outcome("固件 2.3.1 已修复 WiFi 断连");
        for &state in State::ALL {
            for assignee in [None, Some(UserId(3))] {
                let mut t = sample();
                t.state = state;
                t.assignee_id = assignee;
                match commands(&t, by, Some(DepartmentId(1)), &o, "问题 #1 已修复") {
                    Ok(cmds) => {
                        for c in cmds {
                            let e = decide(&t, c, Actor::User { id: by, name: "s".into() }, t.updated_at)
                                .unwrap_or_else(|e| panic!("{state} {assignee:?}: {e}"));
                            apply(&mut t, &e);
                        }
                        assert_eq!(t.state, State::Resolved, "from {state}");
                    }
                    Err(Leave::AwaitingApproval) => assert_eq!(state, State::AwaitingApproval),
                    Err(Leave::Done) => assert!(!state.is_open() || state == State::Resolved, "{state}"),
                }
            }
        }
    }
}
