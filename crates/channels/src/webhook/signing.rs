//! The signature scheme shared by inbound and outbound webhooks.

use super::WebhookError;
use crate::crypto::{constant_time_eq, hmac_sha256};
use crate::OutboundRequest;
use loopdesk_core::Timestamp;

/// Header carrying the Unix time (seconds) the request was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Loopdesk-Timestamp";
/// Header carrying `v1=<hex HMAC-SHA256>`; several comma-separated values are allowed.
pub const SIGNATURE_HEADER: &str = "X-Loopdesk-Signature";

/// `v1=` + hex HMAC-SHA256 of `timestamp + "." + body` under `secret`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    format!("v1={}", hex::encode(hmac_sha256(secret.as_bytes(), &message)))
}

/// Checks a delivery: the timestamp within `tolerance_secs` of `now`, and one of the
/// header's `v1=` signatures right (compared in constant time).
pub fn verify(
    secret: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: Timestamp,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let ts: i64 = timestamp.trim().parse().map_err(|_| WebhookError::StaleTimestamp)?;
    if (now.timestamp() - ts).abs() > tolerance_secs {
        return Err(WebhookError::StaleTimestamp);
    }
    let expected = sign(secret, timestamp.trim(), body);
    let matched =
        signature_header.split(',').map(str::trim).any(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()));
    if matched {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// An outbound delivery (to an SMS/app/WeChat gateway) signed with the same scheme.
pub fn sign_request(secret: &str, url: &str, body: Vec<u8>, now: Timestamp) -> OutboundRequest {
    let timestamp = now.timestamp().to_string();
    let signature = sign(secret, &timestamp, &body);
    OutboundRequest::json(
        url.to_string(),
        body,
        vec![(TIMESTAMP_HEADER.to_string(), timestamp), (SIGNATURE_HEADER.to_string(), signature)],
    )
}
