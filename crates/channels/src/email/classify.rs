//! Recognising mail that no person wrote to us: auto-replies, bounces, mailing lists and
//! bulk mail. Such mail may still be recorded, but is never answered, so two robots
//! cannot answer each other forever (RFC 3834).

use super::address::MailAddress;
use mail_parser::{Message, MimeHeaders};
use serde::{Deserialize, Serialize};

/// Why a message must not be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Automated {
    /// Out-of-office and other automatic answers (Auto-Submitted, X-Autoreply, 自动回复 …).
    AutoReply,
    /// Delivery failures and receipts (multipart/report, MAILER-DAEMON, 退信 …).
    Bounce,
    /// Sent through a mailing list (List-Id, Precedence: list).
    MailingList,
    /// Newsletters and other bulk mail (Precedence: bulk/junk, List-Unsubscribe).
    Bulk,
    /// A `noreply@` style sender: nobody reads the answer.
    NoReplySender,
    /// One of our own notifications that came back to us.
    OwnMessage,
}

/// Header Loopdesk puts on every message it sends, to recognise them coming back.
pub(crate) const OWN_HEADER: &str = "X-Loopdesk-Ticket";

const AUTO_REPLY_SUBJECTS: &[&str] = &[
    "自动回复",
    "自動回覆",
    "自动答复",
    "自動回复",
    "auto:",
    "automatic reply",
    "auto-reply",
    "autoreply",
    "auto reply",
    "out of office",
    "out of the office",
    "不在办公室",
];

const BOUNCE_SUBJECTS: &[&str] = &[
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "returned mail",
    "failure notice",
    "退信",
    "投递失败",
    "系统退信",
];

const BOUNCE_SENDERS: &[&str] = &["mailer-daemon", "postmaster"];
const NOREPLY_SENDERS: &[&str] = &["noreply", "no-reply", "no_reply", "donotreply", "do-not-reply"];

/// The first reason found for `msg` being automated, or `None` for mail a person wrote.
pub(crate) fn classify(msg: &Message<'_>, from: Option<&MailAddress>, subject: &str) -> Option<Automated> {
    if msg.header_raw(OWN_HEADER).is_some() {
        return Some(Automated::OwnMessage);
    }
    by_headers(msg).or_else(|| by_structure(msg)).or_else(|| from.and_then(by_sender)).or_else(|| by_subject(subject))
}

fn raw_lower(msg: &Message<'_>, name: &str) -> Option<String> {
    msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase())
}

fn by_headers(msg: &Message<'_>) -> Option<Automated> {
    if let Some(v) = raw_lower(msg, "Auto-Submitted") {
        if v != "no" && !v.starts_with("no ") && !v.starts_with("no;") {
            return Some(Automated::AutoReply);
        }
    }
    let auto_headers = ["X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoreply-From"];
    if auto_headers.iter().any(|h| msg.header_raw(*h).is_some()) {
        return Some(Automated::AutoReply);
    }
    if let Some(v) = raw_lower(msg, "X-Auto-Response-Suppress") {
        if ["all", "oof", "autoreply"].iter().any(|w| v.contains(w)) {
            return Some(Automated::AutoReply);
        }
    }
    match raw_lower(msg, "Precedence").as_deref() {
        Some("bulk") | Some("junk") => return Some(Automated::Bulk),
        Some("list") => return Some(Automated::MailingList),
        Some("auto_reply") => return Some(Automated::AutoReply),
        _ => {}
    }
    if msg.header_raw("List-Id").is_some() || msg.header_raw("List-Post").is_some() {
        return Some(Automated::MailingList);
    }
    if msg.header_raw("List-Unsubscribe").is_some() {
        return Some(Automated::Bulk);
    }
    None
}

fn by_structure(msg: &Message<'_>) -> Option<Automated> {
    // The null reverse path is how MTAs mark a bounce so it is never bounced again.
    if msg.header_raw("Return-Path").map(str::trim) == Some("<>") {
        return Some(Automated::Bounce);
    }
    let is_report = msg.parts.iter().any(|part| {
        part.content_type().is_some_and(|ct| {
            let sub = ct.subtype().unwrap_or_default();
            (ct.ctype().eq_ignore_ascii_case("multipart") && sub.eq_ignore_ascii_case("report"))
                || (ct.ctype().eq_ignore_ascii_case("message")
                    && (sub.eq_ignore_ascii_case("delivery-status")
                        || sub.eq_ignore_ascii_case("disposition-notification")))
        })
    });
    is_report.then_some(Automated::Bounce)
}

fn by_sender(from: &MailAddress) -> Option<Automated> {
    let local = from.local_part();
    if BOUNCE_SENDERS.iter().any(|s| local == *s) {
        return Some(Automated::Bounce);
    }
    NOREPLY_SENDERS.iter().any(|s| local.starts_with(s)).then_some(Automated::NoReplySender)
}

fn by_subject(subject: &str) -> Option<Automated> {
    let s = subject.trim().to_lowercase();
    if AUTO_REPLY_SUBJECTS.iter().any(|p| s.starts_with(p)) {
        return Some(Automated::AutoReply);
    }
    BOUNCE_SUBJECTS.iter().any(|p| s.starts_with(p)).then_some(Automated::Bounce)
}
