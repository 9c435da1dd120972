//! Building outbound messages: UTF-8 subject, text and HTML alternatives, files attached
//! (a scheduled summary's workbook), and the threading headers that bring the customer's
//! reply back to its ticket.

use super::classify::OWN_HEADER;
use base64::Engine;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use loopdesk_core::{TicketId, Timestamp};
use serde::{Deserialize, Serialize};

/// One outbound message, as the server's outbox stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundEmail {
    /// `Name <addr>` or a bare address.
    pub from: String,
    /// The customer's address.
    pub to: String,
    /// Where replies should go, if not to `from`.
    pub reply_to: Option<String>,
    /// Subject, UTF-8 (encoded as needed by lettre).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML alternative, already rendered with escaping (see `templates`).
    pub html: Option<String>,
    /// Our Message-ID with angle brackets, from [`super::MessageIdIssuer`].
    pub message_id: String,
    /// The customer's message we answer, if any (with or without angle brackets).
    pub in_reply_to: Option<String>,
    /// The thread so far, oldest first.
    pub references: Vec<String>,
    /// The ticket, written in `X-Loopdesk-Ticket` so our own mail is recognised if it loops back.
    pub ticket: TicketId,
    /// Marks the message as sent by a machine (RFC 3834), so autoresponders stay quiet.
    pub automatic: bool,
    /// The Date header.
    pub date: Timestamp,
    /// Files sent with it (small ones: the outbox keeps them in the message it stores).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<MailAttachment>,
}

/// A file attached to an outbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAttachment {
    /// The file name the recipient sees (UTF-8).
    pub name: String,
    /// Its MIME type (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    pub content_type: String,
    /// The bytes, in standard base64 (the stored message is JSON).
    pub base64: String,
}

impl MailAttachment {
    /// An attachment of `bytes`.
    pub fn new(name: impl Into<String>, content_type: impl Into<String>, bytes: &[u8]) -> MailAttachment {
        MailAttachment {
            name: name.into(),
            content_type: content_type.into(),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }
}

/// Why an outbound message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An address did not parse.
    #[error("invalid address {0:?}")]
    Address(String),
    /// A stored attachment is not base64 or names no valid content type.
    #[error("attachment {0:?} cannot be sent: {1}")]
    Attachment(String, String),
    /// lettre refused the message.
    #[error("could not build the message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Builds the lettre message; `.formatted()` gives the bytes to send or store.
pub fn compose(email: &OutboundEmail) -> Result<Message, ComposeError> {
    let mailbox = |s: &str| s.parse::<Mailbox>().map_err(|_| ComposeError::Address(s.to_string()));
    let mut builder = Message::builder()
        .from(mailbox(&email.from)?)
        .to(mailbox(&email.to)?)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.clone()))
        .date(email.date.into())
        .raw_header(header(OWN_HEADER, email.ticket.to_string()));
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    if let Some(parent) = &email.in_reply_to {
        builder = builder.in_reply_to(angle(parent));
    }
    if !email.references.is_empty() {
        let refs: Vec<String> = email.references.iter().map(|r| angle(r)).collect();
        builder = builder.references(refs.join(" "));
    }
    if email.automatic {
        builder = builder.raw_header(header("Auto-Submitted", "auto-generated".into()));
    }
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone());
    let body = match &email.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
        None if email.attachments.is_empty() => return Ok(builder.singlepart(text)?),
        None => MultiPart::mixed().singlepart(text),
    };
    if email.attachments.is_empty() {
        return Ok(builder.multipart(body)?);
    }
    let mut mixed = if email.html.is_some() { MultiPart::mixed().multipart(body) } else { body };
    for a in &email.attachments {
        let bad = |why: String| ComposeError::Attachment(a.name.clone(), why);
        let bytes = base64::engine::general_purpose::STANDARD.decode(&a.base64).map_err(|e| bad(e.to_string()))?;
        let kind = ContentType::parse(&a.content_type).map_err(|e| bad(e.to_string()))?;
        mixed = mixed.singlepart(Attachment::new(a.name.clone()).body(bytes, kind));
    }
    Ok(builder.multipart(mixed)?)
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

fn angle(id: &str) -> String {
    let bare = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{bare}>")
}
