//! Building outbound messages: UTF-8 subject, text and HTML alternatives, and the
//! threading headers that bring the customer's reply back to its ticket.

use super::classify::OWN_HEADER;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
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
}

/// Why an outbound message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An address did not parse.
    #[error("invalid address {0:?}")]
    Address(String),
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
    let message = match &email.html {
        Some(html) => builder.multipart(
            MultiPart::alternative()
                .singlepart(text)
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
        )?,
        None => builder.singlepart(text)?,
    };
    Ok(message)
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

fn angle(id: &str) -> String {
    let bare = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{bare}>")
}
