//! Errors of the pure domain layer.

use crate::lifecycle::{Action, State};

/// A rule of the domain was broken; each variant names what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The lifecycle does not allow `action` in `state`.
    #[error("cannot {action} a ticket that is {state}")]
    IllegalTransition { state: State, action: Action },
    /// A field failed validation.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The ticket is no longer where the change expected it (a job or a second person got
    /// there first); the change is moot, not wrong.
    #[error("the ticket changed meanwhile: {0}")]
    Moved(&'static str),
}

impl DomainError {
    /// Shorthand for a validation failure of one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid { field, message: message.into() }
    }
}
