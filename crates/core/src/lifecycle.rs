//! The ticket lifecycle of the design, as a typed state machine.
//!
//! Every action a person or the system can take on a ticket is an [`Action`]; [`State::apply`]
//! says which state it leads to, or refuses it with an error naming the state and the action.
//! Actions that do not move the ticket (a reply, a note) are checked the same way, so "reply
//! to a closed ticket" is refused as clearly as "resolve a new one".

use crate::DomainError;

crate::named_enum!(
    /// Where a ticket is in its life (design, "Lifecycle").
    State {
        /// 待处理: recorded and triaged, not yet accepted by anyone.
        New = "new",
        /// 已分派: given to a department/agent, waiting for acknowledgement.
        Assigned = "assigned",
        /// 处理中: accepted and being worked on.
        InProgress = "in_progress",
        /// 待客户补充: waiting for the customer; resolution clock paused.
        AwaitingCustomer = "awaiting_customer",
        /// 待审批: the plan waits for a supervisor.
        AwaitingApproval = "awaiting_approval",
        /// 已处理: outcome recorded and sent; survey sent.
        Resolved = "resolved",
        /// 已关闭: satisfied/neutral, or no survey answer in time.
        Closed = "closed",
        /// 重新打开: customer unsatisfied or came back; escalated.
        Reopened = "reopened",
        /// 无效: spam, abuse, irrelevant or out of scope.
        Rejected = "rejected",
        /// 已合并: duplicate of another ticket of the same customer.
        Merged = "merged",
    }
);

crate::named_enum!(
    /// Something done to a ticket.
    Action {
        /// Give to a department/agent (also reassign and transfer).
        Assign = "assign",
        /// The assignee accepts the ticket.
        Acknowledge = "acknowledge",
        /// Public reply to the customer.
        Reply = "reply",
        /// Internal note, never shown to the customer.
        Note = "note",
        /// Ask the customer for more information.
        RequestInfo = "request_info",
        /// The customer supplied what was asked (or the agent resumes).
        ProvideInfo = "provide_info",
        /// Submit the plan for a supervisor's approval.
        RequestApproval = "request_approval",
        /// The supervisor decides on the plan (approve or refuse).
        DecideApproval = "decide_approval",
        /// Record the outcome and tell the customer.
        Resolve = "resolve",
        /// Close (survey answered satisfied/neutral, or no answer in time).
        Close = "close",
        /// Open again (unsatisfied, or the customer came back).
        Reopen = "reopen",
        /// Mark as spam/abuse/irrelevant/out of scope.
        Reject = "reject",
        /// A person restores a rejected ticket.
        Restore = "restore",
        /// Merge into another ticket of the same customer.
        Merge = "merge",
    }
);

impl State {
    /// The state `action` leads to from `self`, or an error naming both.
    pub fn apply(self, action: Action) -> Result<State, DomainError> {
        use Action as A;
        use State as S;
        let next = match (self, action) {
            (S::New, A::Assign) => S::Assigned,
            (S::New, A::Reject) => S::Rejected,
            (S::New, A::Merge) => S::Merged,
            (S::Assigned, A::Acknowledge) => S::InProgress,
            (S::Assigned, A::Assign) => S::Assigned,
            (S::InProgress, A::RequestInfo) => S::AwaitingCustomer,
            (S::InProgress, A::RequestApproval) => S::AwaitingApproval,
            (S::InProgress, A::Resolve) => S::Resolved,
            (S::InProgress, A::Assign) => S::Assigned,
            (S::AwaitingCustomer, A::ProvideInfo) => S::InProgress,
            (S::AwaitingApproval, A::DecideApproval) => S::InProgress,
            (S::Resolved, A::Close) => S::Closed,
            (S::Resolved, A::Reopen) => S::Reopened,
            (S::Closed, A::Reopen) => S::Reopened,
            (S::Reopened, A::Assign) => S::Assigned,
            (S::Reopened, A::Acknowledge) => S::InProgress,
            (S::Rejected, A::Restore) => S::New,
            // Replies and notes do not move the ticket, but only make sense while it is open.
            (s, A::Reply) if s.accepts_replies() => s,
            (s, A::Note) if s != S::Merged => s,
            (state, action) => return Err(DomainError::IllegalTransition { state, action }),
        };
        Ok(next)
    }

    /// Whether a public reply may be sent in this state.
    pub fn accepts_replies(self) -> bool {
        matches!(
            self,
            State::Assigned
                | State::InProgress
                | State::AwaitingCustomer
                | State::AwaitingApproval
                | State::Reopened
                | State::Resolved
        )
    }

    /// Open tickets are the ones somebody still owes work on.
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Rejected | State::Merged)
    }

    /// The actions allowed in this state, for UIs and error hints.
    pub fn allowed_actions(self) -> Vec<Action> {
        Action::ALL.iter().copied().filter(|a| self.apply(*a).is_ok()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use State as S;

    /// The design's table, column "leaves to", for every state.
    fn leaves_to(s: State) -> Vec<State> {
        match s {
            S::New => vec![S::Assigned, S::Rejected, S::Merged],
            S::Assigned => vec![S::InProgress, S::Assigned],
            S::InProgress => vec![S::AwaitingCustomer, S::AwaitingApproval, S::Resolved, S::Assigned],
            S::AwaitingCustomer => vec![S::InProgress],
            S::AwaitingApproval => vec![S::InProgress],
            S::Resolved => vec![S::Closed, S::Reopened],
            S::Closed => vec![S::Reopened],
            S::Reopened => vec![S::Assigned, S::InProgress],
            S::Rejected => vec![S::New],
            S::Merged => vec![],
        }
    }

    #[test]
    fn transitions_match_the_design_table_exactly() {
        for &from in State::ALL {
            let mut reached: Vec<State> = Action::ALL
                .iter()
                .filter(|a| !matches!(a, A::Reply | A::Note))
                .filter_map(|a| from.apply(*a).ok())
                .collect();
            reached.sort();
            reached.dedup();
            let mut expected = leaves_to(from);
            expected.sort();
            assert_eq!(reached, expected, "from {from}");
        }
    }

    #[test]
    fn illegal_transition_names_state_and_action() {
        let err = S::New.apply(A::Resolve).unwrap_err();
        assert_eq!(err, DomainError::IllegalTransition { state: S::New, action: A::Resolve });
        assert_eq!(err.to_string(), "cannot resolve a ticket that is new");
        assert!(S::Closed.apply(A::Reply).is_err());
        assert!(S::Merged.apply(A::Note).is_err());
        assert_eq!(S::Closed.apply(A::Note), Ok(S::Closed));
    }

    #[test]
    fn merged_is_terminal() {
        assert!(S::Merged.allowed_actions().is_empty());
    }
}
