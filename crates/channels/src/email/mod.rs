//! E-mail in and out: parsing raw RFC 822 messages into [`InboundEmail`], recognising
//! automated mail, threading replies onto tickets, checking attachments, and composing
//! outbound messages with threading headers.

mod address;
mod attachments;
mod body;
mod classify;
mod compose;
mod dsn;
mod headers;
mod parse;
mod sniff;
mod thread;

pub use address::MailAddress;
pub use attachments::{AttachmentPolicy, InboundAttachment, Refusal, RejectedAttachment};
pub use classify::Automated;
pub use compose::{compose, ComposeError, MailAttachment, OutboundEmail};
pub use dsn::{parse_delivery_report, parse_status_fields, DeliveryReport, DsnAction, RecipientReport};
pub use parse::{parse_email, EmailPolicy, InboundEmail, ParseError};
pub use sniff::{sniff, FileKind};
pub use thread::{find_thread, MessageIdIssuer, ThreadMatch};
