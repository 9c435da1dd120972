//! Mapping a source's JSON body onto an intake record with JSON pointers (RFC 6901).

use super::WebhookError;
use loopdesk_core::{Email, Phone, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Where each intake field sits in a source's JSON, e.g. `/data/content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// The feedback text (required).
    pub text: String,
    /// A subject or title, if the source has one.
    #[serde(default)]
    pub subject: Option<String>,
    /// The customer's name.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// The customer's phone number.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// The customer's e-mail address.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The source's own id for this item; required when configured.
    #[serde(default)]
    pub external_id: Option<String>,
    /// When the customer gave the feedback: RFC 3339 text or Unix seconds/milliseconds.
    #[serde(default)]
    pub received_at: Option<String>,
}

/// A verified delivery, mapped: what the server needs to open a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRecord {
    /// The source's name.
    pub source: String,
    /// `source:external_id`, or `source:sha256:<body digest>` without an external id;
    /// the server keeps these to accept each delivery once.
    pub dedupe_key: String,
    /// The source's id for the item, if mapped.
    pub external_id: Option<String>,
    /// The feedback text.
    pub text: String,
    /// Subject, if mapped and present.
    pub subject: Option<String>,
    /// Customer name, if mapped and present.
    pub contact_name: Option<String>,
    /// Customer phone, validated.
    pub contact_phone: Option<Phone>,
    /// Customer e-mail, validated.
    pub contact_email: Option<Email>,
    /// When the customer gave it, if the source says.
    pub received_at: Option<Timestamp>,
}

impl FieldMapping {
    /// Maps `json` (whose raw bytes are `body`) for source `source`.
    pub fn map(&self, source: &str, json: &Value, body: &[u8]) -> Result<IntakeRecord, WebhookError> {
        let text = required(json, &self.text, "text")?;
        if text.trim().is_empty() {
            return Err(WebhookError::InvalidField { field: "text", why: "is empty".into() });
        }
        let external_id = match &self.external_id {
            Some(p) => Some(required(json, p, "external_id")?),
            None => None,
        };
        let dedupe_key = match &external_id {
            Some(id) => format!("{source}:{id}"),
            None => format!("{source}:sha256:{}", hex::encode(Sha256::digest(body))),
        };
        let contact_phone = optional(json, &self.contact_phone)
            .map(|p| Phone::parse(&p))
            .transpose()
            .map_err(|e| WebhookError::InvalidField { field: "contact_phone", why: e.to_string() })?;
        let contact_email = optional(json, &self.contact_email)
            .map(|e| Email::parse(&e))
            .transpose()
            .map_err(|e| WebhookError::InvalidField { field: "contact_email", why: e.to_string() })?;
        let received_at = match self.received_at.as_deref().and_then(|p| json.pointer(p)) {
            Some(v) => Some(instant(v)?),
            None => None,
        };
        Ok(IntakeRecord {
            source: source.to_string(),
            dedupe_key,
            external_id,
            text,
            subject: optional(json, &self.subject),
            contact_name: optional(json, &self.contact_name),
            contact_phone,
            contact_email,
            received_at,
        })
    }
}

/// A scalar at `pointer` as text; numbers are accepted (ids often are numbers).
fn scalar(json: &Value, pointer: &str) -> Option<String> {
    match json.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn required(json: &Value, pointer: &str, field: &'static str) -> Result<String, WebhookError> {
    scalar(json, pointer).ok_or_else(|| WebhookError::MissingField { field, pointer: pointer.to_string() })
}

fn optional(json: &Value, pointer: &Option<String>) -> Option<String> {
    pointer.as_deref().and_then(|p| scalar(json, p)).filter(|s| !s.trim().is_empty())
}

/// RFC 3339 text, or Unix time in seconds or (when large) milliseconds.
fn instant(v: &Value) -> Result<Timestamp, WebhookError> {
    let bad = |why: &str| WebhookError::InvalidField { field: "received_at", why: why.into() };
    match v {
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| bad("is not an RFC 3339 time")),
        Value::Number(n) => {
            let n = n.as_i64().ok_or_else(|| bad("is not a whole number"))?;
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            chrono::DateTime::from_timestamp(secs, 0).ok_or_else(|| bad("is out of range"))
        }
        _ => Err(bad("is neither text nor a number")),
    }
}
