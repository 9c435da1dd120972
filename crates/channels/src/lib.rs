#![warn(missing_docs)]
//! Loopdesk's channel codecs: e-mail in and out, the WeChat official-account protocol,
//! signed webhooks, staff robots (WeCom, DingTalk, Feishu) and notification templates.
//!
//! Everything here is pure: bytes and values in, values out. No network IO, no async, no
//! clock reads (the time is passed in), so the server wires transports and tests move time.

mod crypto;
pub mod email;
pub mod outbound;
pub mod robots;
pub mod templates;
pub mod webhook;
pub mod wechat;

pub use outbound::OutboundRequest;
