//! Staff alerts to group robots: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书), each in
//! its documented message format and signing scheme, and a generic signed JSON webhook.
//! [`build`] returns the request; the server sends it through its outbox.

mod dingtalk;
mod feishu;
mod generic;
mod text;
mod wecom;

pub use dingtalk::{sign as dingtalk_sign, DingtalkFormat};
pub use feishu::{sign as feishu_sign, FeishuFormat};
pub use wecom::WecomFormat;

use crate::OutboundRequest;
use loopdesk_core::Timestamp;
use serde::{Deserialize, Serialize};

/// How serious an alert is; robots colour or prefix it accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information.
    Info,
    /// Something needs attention soon (SLA warning).
    Warning,
    /// Act now (urgent ticket, SLA breach).
    Critical,
}

/// People to notify by name in the group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mentions {
    /// Mobile numbers (WeCom, DingTalk).
    pub mobiles: Vec<String>,
    /// Vendor user ids: WeCom userid, DingTalk userId, Feishu open_id.
    pub user_ids: Vec<String>,
    /// Everyone in the group.
    pub all: bool,
}

/// A vendor-neutral staff alert: new urgent ticket, SLA warning or breach, and so on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// One line saying what happened.
    pub title: String,
    /// How serious it is.
    pub severity: Severity,
    /// Label/value lines, e.g. ("编号", "FB-2611-7K3Q9"). Values may hold customer text
    /// and are neutralised so they cannot add links, mentions or markup.
    pub fields: Vec<(String, String)>,
    /// The ticket in the console.
    pub link: Option<Link>,
    /// Who to notify by name.
    #[serde(default)]
    pub mentions: Mentions,
}

/// A labelled URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The text shown.
    pub label: String,
    /// Where it leads.
    pub url: String,
}

/// A configured robot: where it lives, its secret, and the message format to use.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Robot {
    /// `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`; the key is the secret.
    Wecom {
        /// The webhook address, key included.
        webhook_url: String,
        /// Text or markdown.
        #[serde(default)]
        format: WecomFormat,
    },
    /// `https://oapi.dingtalk.com/robot/send?access_token=…`, with the 加签 secret if set.
    Dingtalk {
        /// The webhook address, access_token included.
        webhook_url: String,
        /// The 加签 secret (`SEC…`), when signing is on.
        secret: Option<String>,
        /// Text or markdown.
        #[serde(default)]
        format: DingtalkFormat,
    },
    /// `https://open.feishu.cn/open-apis/bot/v2/hook/…`, with the 签名校验 secret if set.
    Feishu {
        /// The webhook address.
        webhook_url: String,
        /// The 签名校验 secret, when signing is on.
        secret: Option<String>,
        /// Text, post or interactive card.
        #[serde(default)]
        format: FeishuFormat,
    },
    /// Any JSON endpoint, signed like outbound webhooks when a secret is set.
    Generic {
        /// The endpoint.
        url: String,
        /// Signing secret (`X-Loopdesk-Signature`), if any.
        secret: Option<String>,
    },
}

impl std::fmt::Debug for Robot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Webhook URLs embed their access keys, so only the kind is shown.
        let kind = match self {
            Robot::Wecom { .. } => "wecom",
            Robot::Dingtalk { .. } => "dingtalk",
            Robot::Feishu { .. } => "feishu",
            Robot::Generic { .. } => "generic",
        };
        f.debug_struct("Robot").field("kind", &kind).finish_non_exhaustive()
    }
}

/// Why a robot request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RobotError {
    /// The URL is not HTTP(S).
    #[error("robot URL must start with https:// or http://")]
    BadUrl,
}

/// The request that posts `alert` to `robot`, signed for the instant `now`.
pub fn build(robot: &Robot, alert: &Alert, now: Timestamp) -> Result<OutboundRequest, RobotError> {
    let url = match robot {
        Robot::Wecom { webhook_url, .. } | Robot::Dingtalk { webhook_url, .. } | Robot::Feishu { webhook_url, .. } => {
            webhook_url
        }
        Robot::Generic { url, .. } => url,
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(RobotError::BadUrl);
    }
    let alert = text::neutralised(alert);
    Ok(match robot {
        Robot::Wecom { webhook_url, format } => wecom::request(webhook_url, *format, &alert),
        Robot::Dingtalk { webhook_url, secret, format } => {
            dingtalk::request(webhook_url, secret.as_deref(), *format, &alert, now)
        }
        Robot::Feishu { webhook_url, secret, format } => {
            feishu::request(webhook_url, secret.as_deref(), *format, &alert, now)
        }
        Robot::Generic { url, secret } => generic::request(url, secret.as_deref(), &alert, now),
    })
}
