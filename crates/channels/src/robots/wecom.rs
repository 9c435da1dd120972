//! WeCom (企业微信) group robot: `{"msgtype":"text"|"markdown", …}`. No signing: the key
//! in the webhook URL is the credential.

use super::{text, Alert, Severity};
use crate::OutboundRequest;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Documented limits: text content 2048 bytes, markdown content 4096 bytes.
const TEXT_MAX: usize = 2048;
const MARKDOWN_MAX: usize = 4096;

/// WeCom message types used for alerts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WecomFormat {
    /// `msgtype: text`, with mention lists.
    Text,
    /// `msgtype: markdown`, with colours.
    #[default]
    Markdown,
}

pub(crate) fn request(url: &str, format: WecomFormat, alert: &Alert) -> OutboundRequest {
    let body = match format {
        WecomFormat::Text => json!({
            "msgtype": "text",
            "text": {
                "content": text::truncate_bytes(&text::plain(alert), TEXT_MAX),
                "mentioned_list": mentioned(&alert.mentions.user_ids, alert.mentions.all),
                "mentioned_mobile_list": mentioned(&alert.mentions.mobiles, alert.mentions.all),
            }
        }),
        WecomFormat::Markdown => json!({
            "msgtype": "markdown",
            "markdown": { "content": text::truncate_bytes(&markdown(alert), MARKDOWN_MAX) }
        }),
    };
    OutboundRequest::json(url.to_string(), body.to_string().into_bytes(), Vec::new())
}

/// WeCom's mention lists take `@all` as a member meaning everyone.
fn mentioned(ids: &[String], all: bool) -> Vec<String> {
    let mut out = ids.to_vec();
    if all {
        out.push("@all".to_string());
    }
    out
}

/// Markdown with WeCom's three font colours; markdown cannot carry mention lists, so
/// user ids are written with WeCom's `<@userid>` syntax.
fn markdown(alert: &Alert) -> String {
    let colour = match alert.severity {
        Severity::Critical => "warning",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let heading = format!("**<font color=\"{colour}\">{}</font>{}**", text::severity_tag(alert.severity), alert.title);
    let mut out = text::markdown(alert, &heading);
    for id in &alert.mentions.user_ids {
        out.push_str(&format!("\n<@{id}>"));
    }
    out
}
