//! Errors of the triage engine.

/// Everything that can go wrong when loading rules or models, or training.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    /// A rules, taxonomy or model document could not be parsed.
    #[error("invalid {what}: {source}")]
    Json {
        /// Which document.
        what: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A document parsed but is inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Training was asked for without usable examples.
    #[error("cannot train: {0}")]
    Training(String),
}

impl TriageError {
    /// Wraps a JSON error for the document `what`.
    pub fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> TriageError {
        move |source| TriageError::Json { what, source }
    }
}
