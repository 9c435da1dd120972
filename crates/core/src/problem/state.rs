//! The lifecycles of a problem and of an action. Every transition is listed; anything else
//! is refused with the states it could go to, never skipped silently.

use serde::Serialize;

crate::named_enum!(
    /// Where a problem stands.
    ProblemState {
        /// Collecting facts; the cause is not known yet.
        Investigating = "investigating",
        /// The root cause is found.
        CauseKnown = "cause_known",
        /// Corrective work under way.
        FixInProgress = "fix_in_progress",
        /// The fix is in; its effect is not yet confirmed.
        Fixed = "fixed",
        /// The fix is confirmed to work.
        Verified = "verified",
        /// Deliberately not fixed (the reason is on the timeline).
        WontFix = "wont_fix",
    }
);

impl ProblemState {
    /// The states this one may move to. Going back one step is allowed (a cause proved
    /// wrong, a fix that did not hold), skipping forward is not; verified and won't-fix are
    /// reopened by investigating again.
    pub fn next(self) -> &'static [ProblemState] {
        use ProblemState::*;
        match self {
            Investigating => &[CauseKnown, WontFix],
            CauseKnown => &[FixInProgress, Investigating, WontFix],
            FixInProgress => &[Fixed, CauseKnown, WontFix],
            Fixed => &[Verified, FixInProgress],
            Verified => &[Investigating],
            WontFix => &[Investigating],
        }
    }

    /// Whether the fix is still to be made (a due date still binds).
    pub fn is_open(self) -> bool {
        matches!(self, ProblemState::Investigating | ProblemState::CauseKnown | ProblemState::FixInProgress)
    }

    /// `to` if the lifecycle allows it from here.
    pub fn to(self, to: ProblemState) -> Result<ProblemState, TransitionError> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            Err(TransitionError::new(self.as_str(), to.as_str(), self.next().iter().map(|s| s.as_str())))
        }
    }
}

crate::named_enum!(
    /// Where an improvement action stands.
    ActionState {
        Open = "open",
        Done = "done",
        Cancelled = "cancelled",
    }
);

impl ActionState {
    /// Done and cancelled are final; a new action is created instead of reopening one,
    /// so the record of what was promised stays.
    pub fn to(self, to: ActionState) -> Result<ActionState, TransitionError> {
        match (self, to) {
            (ActionState::Open, ActionState::Done | ActionState::Cancelled) => Ok(to),
            (ActionState::Open, _) => Err(TransitionError::new(self.as_str(), to.as_str(), ["done", "cancelled"])),
            _ => Err(TransitionError::new(self.as_str(), to.as_str(), [])),
        }
    }
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("cannot go from {from} to {to}; allowed from {from}: {}", if allowed.is_empty() { "nothing (final)".to_string() } else { allowed.join(", ") })]
pub struct TransitionError {
    pub from: &'static str,
    pub to: &'static str,
    pub allowed: Vec<&'static str>,
}

impl TransitionError {
    fn new(from: &'static str, to: &'static str, allowed: impl IntoIterator<Item = &'static str>) -> Self {
        TransitionError { from, to, allowed: allowed.into_iter().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_move_one_step_at_a_time() {
        use ProblemState::*;
        assert_eq!(Investigating.to(CauseKnown), Ok(CauseKnown));
        let e = Investigating.to(Fixed).unwrap_err();
        assert_eq!(e.allowed, vec!["cause_known", "wont_fix"]);
        assert!(e.to_string().contains("investigating to fixed"), "{e}");
        assert!(Fixed.to(Verified).is_ok() && Verified.to(Fixed).is_err());
        assert!(WontFix.to(Investigating).is_ok());
        // Every state is reachable from investigating.
        let mut seen = vec![Investigating];
        let mut i = 0;
        while i < seen.len() {
            for n in seen[i].next() {
                if !seen.contains(n) {
                    seen.push(*n);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), ProblemState::ALL.len());
    }

    #[test]
    fn actions_close_once() {
        assert_eq!(ActionState::Open.to(ActionState::Done), Ok(ActionState::Done));
        assert!(ActionState::Done.to(ActionState::Open).is_err());
        assert!(ActionState::Cancelled.to(ActionState::Done).is_err());
        assert!(ActionState::Open.to(ActionState::Open).is_err());
    }
}
