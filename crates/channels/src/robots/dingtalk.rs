//! DingTalk (钉钉) custom robot: `{"msgtype":"text"|"markdown", …, "at": {…}}`. With 加签,
//! the URL gains `&timestamp=<ms>&sign=<url-encoded base64 HMAC-SHA256>` where the HMAC is
//! keyed by the secret over `timestamp + "\n" + secret`.

use super::{text, Alert};
use crate::crypto::{base64, hmac_sha256};
use crate::OutboundRequest;
use loopdesk_core::Timestamp;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Keeps messages well under DingTalk's 20,000-byte limit.
const CONTENT_MAX: usize = 18_000;

/// DingTalk message types used for alerts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DingtalkFormat {
    /// `msgtype: text`.
    Text,
    /// `msgtype: markdown`.
    #[default]
    Markdown,
}

/// The `sign` value before URL encoding: base64(HMAC-SHA256(secret, ts_ms + "\n" + secret)).
pub fn sign(secret: &str, timestamp_ms: i64) -> String {
    let string_to_sign = format!("{timestamp_ms}\n{secret}");
    base64(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}

pub(crate) fn request(
    url: &str,
    secret: Option<&str>,
    format: DingtalkFormat,
    alert: &Alert,
    now: Timestamp,
) -> OutboundRequest {
    let url = match secret {
        Some(secret) => {
            let ts = now.timestamp_millis();
            let sign = utf8_percent_encode(&sign(secret, ts), NON_ALPHANUMERIC).to_string();
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}timestamp={ts}&sign={sign}")
        }
        None => url.to_string(),
    };
    // DingTalk only highlights a mention when the @mobile also appears in the content.
    let at_line: String = alert.mentions.mobiles.iter().map(|m| format!(" @{m}")).collect();
    let at = json!({
        "atMobiles": alert.mentions.mobiles,
        "atUserIds": alert.mentions.user_ids,
        "isAtAll": alert.mentions.all,
    });
    let body = match format {
        DingtalkFormat::Text => json!({
            "msgtype": "text",
            "text": { "content": text::truncate_bytes(&format!("{}{at_line}", text::plain(alert)), CONTENT_MAX) },
            "at": at,
        }),
        DingtalkFormat::Markdown => {
            let heading = format!("#### {}{}", text::severity_tag(alert.severity), alert.title);
            let md = format!("{}\n{at_line}", text::markdown(alert, &heading));
            json!({
                "msgtype": "markdown",
                "markdown": {
                    "title": format!("{}{}", text::severity_tag(alert.severity), alert.title),
                    "text": text::truncate_bytes(md.trim_end(), CONTENT_MAX),
                },
                "at": at,
            })
        }
    };
    OutboundRequest::json(url, body.to_string().into_bytes(), Vec::new())
}
