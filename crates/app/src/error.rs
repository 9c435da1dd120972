//! What a use case can answer besides success. The adapters map each variant to their own
//! terms once (the server: one table to HTTP status and error code); nothing here knows
//! HTTP. Failures of the database or of a channel keep their cause for the log.

use loopdesk_core::DomainError;
use loopdesk_store::StoreError;

/// The error of every use case.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing there, or nothing the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Credentials are missing or wrong (a channel's token, a sign-in).
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// The password was right but the sign-in needs a second-factor code: missing
    /// (`totp_required`) or wrong (`bad_totp`); the field to fill is `code`.
    #[error("{message}")]
    SecondFactor { code: &'static str, message: String },
    /// The input could not be read at all (broken JSON from a channel, a bad query).
    #[error("{message}")]
    Malformed { code: &'static str, message: String, field: Option<String> },
    /// Well-formed but invalid: `field` names what to fix.
    #[error("{message}")]
    Invalid { code: &'static str, field: Option<String>, message: String },
    /// A file (or the whole upload) is over its size limit.
    #[error("{message}")]
    TooLarge { field: String, message: String },
    /// A file of a type that is not accepted.
    #[error("{message}")]
    UnsupportedType { field: String, message: String },
    /// The request conflicts with the current state (an illegal transition, a duplicate).
    #[error("{message}")]
    Conflict { code: &'static str, message: String, field: Option<String> },
    /// Someone else saved a newer version first.
    #[error("the document was changed meanwhile; the current version is {current}")]
    StaleVersion { current: i64 },
    /// A link that was valid and is no longer (an expired survey).
    #[error("{0}")]
    Gone(String),
    /// Slow down.
    #[error("too many requests; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// Starting, stopping or overloaded; try again shortly.
    #[error("the service is starting or shutting down; try again shortly")]
    Unavailable,
    /// A failed dependency or a bug; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// Invalid `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid { code: "invalid_field", field: Some(field.into()), message: message.into() }
    }

    /// A failure with only a description (a broken invariant, a parse of our own data).
    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::Internal(message.into().into())
    }

    /// A conflict with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Conflict { code, message: message.into(), field: None }
    }

    /// Whether retrying the same thing later may succeed (jobs retry these).
    pub fn is_transient(&self) -> bool {
        matches!(self, AppError::Internal(_) | AppError::Unavailable | AppError::RateLimited { .. })
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::IllegalTransition { state, action } => AppError::Conflict {
                code: "illegal_transition",
                message: format!(
                    "cannot {action} a ticket that is {state}; allowed now: {}",
                    state.allowed_actions().iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                ),
                field: None,
            },
            DomainError::Invalid { field, message } => AppError::invalid(field, message),
            DomainError::Moved(why) => {
                AppError::conflict("ticket_moved", format!("the ticket changed meanwhile: {why}"))
            }
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => AppError::NotFound(format!("{what} not found")),
            StoreError::Conflict => AppError::conflict("conflict", e.to_string()),
            StoreError::IdempotencyMismatch => AppError::Invalid {
                code: "idempotency_key_reused",
                message: e.to_string(),
                field: Some("Idempotency-Key".into()),
            },
            StoreError::Duplicate { field } => {
                AppError::Conflict { code: "duplicate", message: e.to_string(), field: Some(field.into()) }
            }
            StoreError::StaleVersion { current } => AppError::StaleVersion { current },
            StoreError::Domain(d) => d.into(),
            StoreError::WriterGone => AppError::Unavailable,
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(Box::new(e))
    }
}
