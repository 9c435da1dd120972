//! Signed webhooks, in and out. A request carries `X-Loopdesk-Timestamp` (Unix seconds)
//! and `X-Loopdesk-Signature: v1=<hex>`, the HMAC-SHA256 of `timestamp + "." + body`
//! under the source's secret. The timestamp bounds replays; the external id (or a body
//! digest) lets the server refuse the same delivery twice.

mod mapping;
mod signing;

pub use mapping::{FieldMapping, IntakeRecord};
pub use signing::{sign, sign_request, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};

use loopdesk_core::Timestamp;
use serde::{Deserialize, Serialize};

/// One inbound source (an app, a mini program, an SMS gateway, a social platform).
#[derive(Clone, Serialize, Deserialize)]
pub struct WebhookSource {
    /// Short name, recorded on tickets and used in dedupe keys.
    pub name: String,
    /// Current secret; `previous_secret` is also accepted while a rotation is under way.
    pub secret: String,
    /// The secret being rotated out, still accepted until removed.
    #[serde(default)]
    pub previous_secret: Option<String>,
    /// Largest accepted distance between the request's timestamp and now, in seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_secs: i64,
    /// Where the fields are in the source's JSON.
    pub mapping: FieldMapping,
}

fn default_tolerance() -> i64 {
    300
}

impl std::fmt::Debug for WebhookSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSource")
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("tolerance_secs", &self.tolerance_secs)
            .field("mapping", &self.mapping)
            .finish()
    }
}

/// Why an inbound webhook was refused. The first three mean 401, the rest 400/422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// A required header is absent.
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// No signature matched.
    #[error("signature does not match")]
    BadSignature,
    /// The timestamp is unreadable or too far from now.
    #[error("timestamp is malformed or outside the allowed window (possible replay)")]
    StaleTimestamp,
    /// The body is not JSON.
    #[error("body is not JSON: {0}")]
    BadJson(String),
    /// A required field is absent.
    #[error("field {pointer} ({field}) is missing or not text")]
    MissingField {
        /// The intake field.
        field: &'static str,
        /// The JSON pointer configured for it.
        pointer: String,
    },
    /// A field is present but unusable.
    #[error("field {field} is invalid: {why}")]
    InvalidField {
        /// The intake field.
        field: &'static str,
        /// What is wrong with it.
        why: String,
    },
}

impl WebhookError {
    /// Whether the request failed authentication (answer 401, store nothing).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, WebhookError::MissingHeader(_) | WebhookError::BadSignature | WebhookError::StaleTimestamp)
    }
}

impl WebhookSource {
    /// Verifies a delivery and maps its JSON body to an intake record.
    /// `header` looks a request header up by name (case-insensitively, as HTTP does).
    pub fn accept<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<IntakeRecord, WebhookError> {
        let timestamp = header(TIMESTAMP_HEADER).ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = header(SIGNATURE_HEADER).ok_or(WebhookError::MissingHeader(SIGNATURE_HEADER))?;
        let secrets = std::iter::once(&self.secret).chain(self.previous_secret.as_ref());
        let mut result = Err(WebhookError::BadSignature);
        for secret in secrets {
            result = verify(secret, timestamp, signature, body, now, self.tolerance_secs);
            if result != Err(WebhookError::BadSignature) {
                break;
            }
        }
        result?;
        let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| WebhookError::BadJson(e.to_string()))?;
        self.mapping.map(&self.name, &json, body)
    }
}
