//! A generic JSON alert webhook, signed like outbound webhooks when a secret is set.

use super::Alert;
use crate::webhook::sign_request;
use crate::OutboundRequest;
use loopdesk_core::Timestamp;
use serde_json::json;

pub(crate) fn request(url: &str, secret: Option<&str>, alert: &Alert, now: Timestamp) -> OutboundRequest {
    let fields: Vec<_> = alert.fields.iter().map(|(label, value)| json!({ "label": label, "value": value })).collect();
    let body = json!({
        "event": "loopdesk.alert",
        "title": alert.title,
        "severity": alert.severity,
        "fields": fields,
        "link": alert.link,
        "mentions": alert.mentions,
        "sent_at": now.to_rfc3339(),
    })
    .to_string()
    .into_bytes();
    match secret {
        Some(secret) => sign_request(secret, url, body, now),
        None => OutboundRequest::json(url.to_string(), body, Vec::new()),
    }
}
