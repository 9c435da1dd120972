//! Feishu (飞书) custom bot: `{"msg_type":"text"|"post"|"interactive", …}`. With 签名校验,
//! the body gains `timestamp` (seconds, as text) and `sign`: base64 of HMAC-SHA256 keyed
//! by `timestamp + "\n" + secret` over an empty message.

use super::{text, Alert, Severity};
use crate::crypto::{base64, hmac_sha256};
use crate::OutboundRequest;
use loopdesk_core::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Keeps the body under Feishu's 20 KB request limit.
const CONTENT_MAX: usize = 16_000;

/// Feishu message types used for alerts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeishuFormat {
    /// `msg_type: text`.
    Text,
    /// `msg_type: post` (rich text).
    Post,
    /// A message card with a coloured header and a button.
    #[default]
    Interactive,
}

/// The `sign` value: base64(HMAC-SHA256(key = ts + "\n" + secret, message = "")).
pub fn sign(secret: &str, timestamp_secs: i64) -> String {
    let key = format!("{timestamp_secs}\n{secret}");
    base64(&hmac_sha256(key.as_bytes(), b""))
}

pub(crate) fn request(
    url: &str,
    secret: Option<&str>,
    format: FeishuFormat,
    alert: &Alert,
    now: Timestamp,
) -> OutboundRequest {
    let mut body = match format {
        FeishuFormat::Text => json!({
            "msg_type": "text",
            "content": { "text": text::truncate_bytes(&with_at_tags(alert), CONTENT_MAX) },
        }),
        FeishuFormat::Post => {
            json!({ "msg_type": "post", "content": { "post": { "zh_cn": post(alert) } } })
        }
        FeishuFormat::Interactive => json!({ "msg_type": "interactive", "card": card(alert) }),
    };
    if let (Some(secret), Some(obj)) = (secret, body.as_object_mut()) {
        let ts = now.timestamp();
        obj.insert("timestamp".into(), Value::String(ts.to_string()));
        obj.insert("sign".into(), Value::String(sign(secret, ts)));
    }
    OutboundRequest::json(url.to_string(), body.to_string().into_bytes(), Vec::new())
}

fn with_at_tags(alert: &Alert) -> String {
    let mut out = text::plain(alert);
    for id in &alert.mentions.user_ids {
        out.push_str(&format!(" <at user_id=\"{id}\"></at>"));
    }
    if alert.mentions.all {
        out.push_str(" <at user_id=\"all\">所有人</at>");
    }
    out
}

/// Rich text: one paragraph a field, then the link, then the mentions.
fn post(alert: &Alert) -> Value {
    let mut paragraphs: Vec<Value> = alert
        .fields
        .iter()
        .map(|(label, value)| json!([{ "tag": "text", "text": format!("{label}：{value}") }]))
        .collect();
    if let Some(link) = &alert.link {
        paragraphs.push(json!([{ "tag": "a", "text": link.label, "href": link.url }]));
    }
    let mut ats: Vec<Value> = alert.mentions.user_ids.iter().map(|id| json!({ "tag": "at", "user_id": id })).collect();
    if alert.mentions.all {
        ats.push(json!({ "tag": "at", "user_id": "all" }));
    }
    if !ats.is_empty() {
        paragraphs.push(Value::Array(ats));
    }
    json!({ "title": format!("{}{}", text::severity_tag(alert.severity), alert.title), "content": paragraphs })
}

/// A card: header coloured by severity, the fields as lark_md, a button to the ticket.
fn card(alert: &Alert) -> Value {
    let template = match alert.severity {
        Severity::Critical => "red",
        Severity::Warning => "orange",
        Severity::Info => "blue",
    };
    let lines: Vec<String> = alert.fields.iter().map(|(l, v)| format!("**{l}**：{v}")).collect();
    let mut elements = vec![json!({
        "tag": "div",
        "text": { "tag": "lark_md", "content": text::truncate_bytes(&lines.join("\n"), CONTENT_MAX) },
    })];
    if let Some(link) = &alert.link {
        elements.push(json!({
            "tag": "action",
            "actions": [{
                "tag": "button",
                "text": { "tag": "plain_text", "content": link.label },
                "url": link.url,
                "type": "primary",
            }],
        }));
    }
    json!({
        "config": { "wide_screen_mode": true },
        "header": {
            "title": { "tag": "plain_text", "content": format!("{}{}", text::severity_tag(alert.severity), alert.title) },
            "template": template,
        },
        "elements": elements,
    })
}
