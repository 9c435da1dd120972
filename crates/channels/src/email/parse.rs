//! Parsing a raw RFC 822 message into an [`InboundEmail`].

use super::address::{self, MailAddress};
use super::attachments::{AttachmentPolicy, Candidate, InboundAttachment, RejectedAttachment};
use super::body::body_text;
use super::classify::{classify, Automated};
use super::headers;
use loopdesk_core::Timestamp;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

/// Limits applied to every inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailPolicy {
    /// Largest raw message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Longest text body kept, in characters; the rest is cut.
    pub max_text_chars: usize,
    /// Limits on attachments.
    pub attachments: AttachmentPolicy,
}

impl Default for EmailPolicy {
    fn default() -> Self {
        EmailPolicy {
            max_message_bytes: 40 * 1024 * 1024,
            max_text_chars: 100_000,
            attachments: AttachmentPolicy::default(),
        }
    }
}

/// An inbound message, decoded: everything the server needs to open or extend a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEmail {
    /// The sender's Message-ID without angle brackets, if it gave one.
    pub message_id: Option<String>,
    /// Ids this message answers (without angle brackets).
    pub in_reply_to: Vec<String>,
    /// The thread's ids, oldest first (without angle brackets).
    pub references: Vec<String>,
    /// The sender.
    pub from: MailAddress,
    /// Reply-To, when given.
    pub reply_to: Option<MailAddress>,
    /// The recipients in To.
    pub to: Vec<MailAddress>,
    /// Subject with encoded words decoded; empty when there was none.
    pub subject: String,
    /// The text body; an HTML-only message is reduced to readable text.
    pub text: String,
    /// Whether the text came from an HTML part.
    pub text_from_html: bool,
    /// Attachments that passed the policy.
    pub attachments: Vec<InboundAttachment>,
    /// Attachments refused by the policy, with reasons.
    pub rejected_attachments: Vec<RejectedAttachment>,
    /// The Date header, when present and valid.
    pub date: Option<Timestamp>,
    /// Set when no person wrote this message: record it, never answer it.
    pub automated: Option<Automated>,
}

impl InboundEmail {
    /// Whether an automatic answer (acknowledgement) may be sent to this message.
    pub fn may_answer(&self) -> bool {
        self.automated.is_none()
    }

    /// Where an answer should go: Reply-To if given, else From.
    pub fn reply_address(&self) -> &MailAddress {
        self.reply_to.as_ref().unwrap_or(&self.from)
    }
}

/// Why a message could not be turned into an [`InboundEmail`]; the server quarantines the
/// raw bytes with this reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but whitespace.
    #[error("message is empty")]
    Empty,
    /// Over the size limit.
    #[error("message is {size} bytes, over the {limit} byte limit")]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// No header could be read.
    #[error("no header section found: not an e-mail message")]
    NotAMessage,
    /// From is missing or has no address.
    #[error("no sender address in From")]
    MissingFrom,
    /// The MIME structure cannot be followed.
    #[error("broken MIME structure: {0}")]
    BrokenMime(String),
    /// The parser itself failed (a bug in it, contained).
    #[error("the MIME parser failed on this message")]
    ParserFailure,
}

/// Parses `raw` under `policy`. Never panics, whatever the bytes.
pub fn parse_email(raw: &[u8], policy: &EmailPolicy) -> Result<InboundEmail, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    if raw.len() > policy.max_message_bytes {
        return Err(ParseError::TooLarge { size: raw.len(), limit: policy.max_message_bytes });
    }
    // mail-parser promises not to panic; should a corner case still do so, the message is
    // quarantined instead of taking the worker down.
    let parsed =
        std::panic::catch_unwind(|| MessageParser::default().parse(raw)).map_err(|_| ParseError::ParserFailure)?;
    let msg = parsed.ok_or(ParseError::NotAMessage)?;
    if msg.headers().is_empty() {
        return Err(ParseError::NotAMessage);
    }
    check_structure(&msg)?;
    build(&msg, policy)
}

fn build(msg: &Message<'_>, policy: &EmailPolicy) -> Result<InboundEmail, ParseError> {
    let from = address::all(msg.from()).into_iter().next().ok_or(ParseError::MissingFrom)?;
    let subject = headers::subject(msg);
    let (text, text_from_html) = body_text(msg, policy.max_text_chars);
    let (attachments, rejected_attachments) = policy.attachments.apply(candidates(msg));
    let automated = classify(msg, Some(&from), &subject);
    Ok(InboundEmail {
        message_id: msg.message_id().map(headers::bare_id),
        in_reply_to: headers::id_list(msg.in_reply_to()),
        references: headers::id_list(msg.references()),
        reply_to: address::all(msg.reply_to()).into_iter().next(),
        to: address::all(msg.to()),
        from,
        subject,
        text,
        text_from_html,
        attachments,
        rejected_attachments,
        date: msg.date().and_then(headers::timestamp),
        automated,
    })
}

/// Refuses multipart messages whose parts cannot be found: their text would be garbage.
fn check_structure(msg: &Message<'_>) -> Result<(), ParseError> {
    let root = msg.root_part();
    let Some(ct) = root.content_type() else {
        return Ok(());
    };
    if !ct.ctype().eq_ignore_ascii_case("multipart") {
        return Ok(());
    }
    let boundary = ct
        .attribute("boundary")
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ParseError::BrokenMime("multipart without a boundary".into()))?;
    let body = msg.raw_message().get(root.raw_body_offset() as usize..).unwrap_or_default();
    let marker = format!("--{boundary}");
    if !contains(body, marker.as_bytes()) {
        return Err(ParseError::BrokenMime("the multipart boundary never occurs in the body".into()));
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn candidates<'a>(msg: &'a Message<'a>) -> Vec<Candidate<'a>> {
    msg.attachments()
        .enumerate()
        .map(|(i, part)| {
            let bytes: &[u8] = match &part.body {
                PartType::Binary(b) | PartType::InlineBinary(b) => b,
                PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                PartType::Message(m) => m.raw_message(),
                PartType::Multipart(_) => &[],
            };
            let declared_type = part.content_type().map_or_else(
                || "application/octet-stream".to_string(),
                |ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                    None => ct.ctype().to_ascii_lowercase(),
                },
            );
            let name = part
                .attachment_name()
                .map(headers::safe_file_name)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("attachment-{}", i + 1));
            Candidate { name, declared_type, bytes }
        })
        .collect()
}
