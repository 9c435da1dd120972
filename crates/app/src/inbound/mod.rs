//! Messages customers send through the channels: e-mail (the inbound endpoint and the
//! polled mailboxes), the WeChat official account, signed webhooks from apps and
//! platforms. A message opens a ticket through [`crate::intake`] or joins the ticket it
//! answers; the codecs live in `loopdesk_channels`.

pub mod email;
pub mod imap;
pub mod messages;
pub mod reports;
pub mod webhook;
pub mod wechat;
pub mod wechat_media;
