//! Errors of the storage layer. The application maps each variant to one of its own.

use loopdesk_core::DomainError;

/// Something the store could not do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// 404: no such row.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// 409: somebody changed the row meanwhile and retries did not settle it.
    #[error("the ticket was changed by someone else; reload and try again")]
    Conflict,
    /// 409: a document was saved by someone else since the version the change was based on.
    #[error("this was changed meanwhile (now version {current}); reload and apply your change again")]
    StaleVersion { current: i64 },
    /// 422: an Idempotency-Key was reused for a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    /// 409: a unique value is taken.
    #[error("{field} is already taken")]
    Duplicate { field: &'static str },
    /// 400/409/422: the domain refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// 500: misconfiguration.
    #[error("configuration: {0}")]
    Config(String),
    /// 500: stored data could not be decoded.
    #[error("corrupt stored document: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// 503: the intake writer has stopped (shutting down).
    #[error("the intake writer is not running")]
    WriterGone,
    /// 500: the database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// 500: migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Maps a unique-constraint violation to a field error, anything else to `Database`.
    pub(crate) fn on_unique(err: sqlx::Error, field: &'static str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate { field },
            _ => StoreError::Database(err),
        }
    }
}
