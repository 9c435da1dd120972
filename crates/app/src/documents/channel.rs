//! The typed bodies of the channel documents: `robots`, `channel:wechat`,
//! `channel:outbound` and `channel:<webhook source>`.

use loopdesk_channels::robots::Robot;
use loopdesk_channels::webhook::FieldMapping;
use loopdesk_core::Channel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A robot with its name and the alerts it receives (all when empty).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RobotEntry {
    pub name: String,
    #[serde(default)]
    pub alerts: Vec<String>,
    #[serde(flatten)]
    pub robot: Robot,
}

/// The `robots` document: group robots, and staff e-mail addresses for alerts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RobotsDoc {
    pub robots: Vec<RobotEntry>,
    /// User id → e-mail address.
    pub user_emails: BTreeMap<String, String>,
    /// Department id → e-mail address (a shared mailbox).
    pub department_emails: BTreeMap<String, String>,
}

/// The `channel:wechat` document.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WechatDoc {
    pub token: String,
    pub app_id: String,
    #[serde(default)]
    pub encoding_aes_key: Option<String>,
    /// With a key: also accept plaintext messages (WeChat's compatible mode, 兼容模式).
    /// Off (the default) is safe mode: plaintext is refused.
    #[serde(default)]
    pub compatible_mode: bool,
    #[serde(default = "default_skew")]
    pub max_skew_secs: i64,
    /// The account's AppSecret, for WeChat's API (downloading pictures customers send);
    /// without it pictures stay as references.
    #[serde(default)]
    pub app_secret: Option<String>,
    /// Base URL of WeChat's API (`https://api.weixin.qq.com` when absent).
    #[serde(default)]
    pub api_base: Option<String>,
}

fn default_skew() -> i64 {
    300
}

/// A `channel:<source>` webhook document.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDoc {
    pub secret: String,
    #[serde(default)]
    pub previous_secret: Option<String>,
    #[serde(default = "default_skew")]
    pub tolerance_secs: i64,
    /// How the source's JSON maps onto feedback fields (JSON pointers).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub mapping: FieldMapping,
    /// The channel tickets from this source are recorded under.
    #[serde(default = "default_channel")]
    pub channel: Channel,
}

fn default_channel() -> Channel {
    Channel::App
}

/// The `channel:outbound` document: the gateway that carries SMS/app/WeChat notifications.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewayDoc {
    pub url: String,
    pub secret: String,
}
