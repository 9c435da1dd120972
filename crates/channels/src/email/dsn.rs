//! Delivery status notifications (RFC 3464): the `multipart/report;
//! report-type=delivery-status` messages a mail server sends back to the envelope sender
//! when a message was delivered, is delayed or failed (RFC 3461 asks for them per
//! recipient with `NOTIFY=SUCCESS,FAILURE,DELAY`). Only the machine-readable part is read:
//! the per-message fields (`Original-Envelope-Id`, `Arrival-Date`) and one block of fields
//! per recipient (`Action`, `Status`, `Diagnostic-Code`, `Last-Attempt-Date`).

use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

/// What the reporting server did with the message for one recipient (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DsnAction {
    /// Put into the recipient's mailbox.
    Delivered,
    /// Handed to a system that sends no further reports: the last news there will be.
    Relayed,
    /// Not delivered yet; the server keeps trying.
    Delayed,
    /// Could not be delivered (a bounce).
    Failed,
    /// Delivered to a list or alias that forwards it on.
    Expanded,
}

impl DsnAction {
    fn parse(s: &str) -> Option<DsnAction> {
        // The field may carry a comment after the value ("failed (bad mailbox)").
        let word = s.split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default();
        Some(match word.to_ascii_lowercase().as_str() {
            "delivered" => DsnAction::Delivered,
            "relayed" => DsnAction::Relayed,
            "delayed" => DsnAction::Delayed,
            "failed" => DsnAction::Failed,
            "expanded" => DsnAction::Expanded,
            _ => return None,
        })
    }
}

/// The report about one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientReport {
    /// The address it was for (`Final-Recipient`, without the `rfc822;` type).
    pub recipient: Option<String>,
    /// What became of the message for this recipient.
    pub action: DsnAction,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// What the remote server said (`Diagnostic-Code`, without its type), unfolded.
    pub diagnostic: Option<String>,
    /// When the server last tried (`Last-Attempt-Date`).
    pub last_attempt: Option<DateTime<Utc>>,
}

/// A parsed delivery status notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The `ENVID` the message was sent with, xtext-decoded.
    pub envelope_id: Option<String>,
    /// When the reporting server received the message (`Arrival-Date`).
    pub arrival: Option<DateTime<Utc>>,
    /// When the report was written (its `Date` header).
    pub date: Option<DateTime<Utc>>,
    /// One entry per recipient block with a known action.
    pub recipients: Vec<RecipientReport>,
}

impl DeliveryReport {
    /// The report that says most about the message as a whole: a failure outranks a
    /// delivery, which outranks a delay (one bad recipient is what staff must see).
    pub fn decisive(&self) -> Option<&RecipientReport> {
        let rank = |a: DsnAction| match a {
            DsnAction::Failed => 0,
            DsnAction::Delivered | DsnAction::Relayed | DsnAction::Expanded => 1,
            DsnAction::Delayed => 2,
        };
        self.recipients.iter().min_by_key(|r| rank(r.action))
    }
}

/// The delivery status notification in `raw`, or `None` when it is not one (any other
/// mail, a read receipt, a report without its `message/delivery-status` part).
pub fn parse_delivery_report(raw: &[u8]) -> Option<DeliveryReport> {
    let msg = MessageParser::default().parse(raw)?;
    let ct = msg.content_type()?;
    let is_report = ct.ctype().eq_ignore_ascii_case("multipart")
        && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && ct.attribute("report-type").is_some_and(|t| {
            t.eq_ignore_ascii_case("delivery-status") || t.eq_ignore_ascii_case("global-delivery-status")
        });
    if !is_report {
        return None;
    }
    let status = msg.parts.iter().find(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status") || s.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    })?;
    let mut report = parse_status_fields(&String::from_utf8_lossy(status.contents()));
    report.date = msg.date().and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    Some(report)
}

/// Reads the body of a `message/delivery-status` part: blocks of header-style fields
/// separated by blank lines, the first about the message, the rest one per recipient.
pub fn parse_status_fields(text: &str) -> DeliveryReport {
    let mut blocks = field_blocks(text).into_iter();
    let message = blocks.next().unwrap_or_default();
    let recipients = blocks.filter_map(|b| recipient(&b)).collect();
    DeliveryReport {
        envelope_id: field(&message, "original-envelope-id").map(|v| xtext_decode(v.trim())),
        arrival: field(&message, "arrival-date").and_then(date),
        date: None,
        recipients,
    }
}

type Block = Vec<(String, String)>;

fn field<'a>(block: &'a Block, name: &str) -> Option<&'a str> {
    block.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
}

/// Splits into blocks of (lower-case name, unfolded value); continuation lines (starting
/// with white space) join the field before them.
fn field_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut block: Block = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = block.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

fn recipient(block: &Block) -> Option<RecipientReport> {
    let action = DsnAction::parse(field(block, "action")?)?;
    Some(RecipientReport {
        recipient: field(block, "final-recipient").or_else(|| field(block, "original-recipient")).map(typed_value),
        action,
        status: field(block, "status")
            .map(|s| s.split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default().to_string())
            .filter(|s| !s.is_empty()),
        diagnostic: field(block, "diagnostic-code").map(typed_value).filter(|s| !s.is_empty()),
        last_attempt: field(block, "last-attempt-date").and_then(date),
    })
}

/// The value of a typed field (`rfc822; a@b`, `smtp; 550 …`) without its type.
fn typed_value(v: &str) -> String {
    match v.split_once(';') {
        Some((_, rest)) => rest.trim().to_string(),
        None => v.trim().to_string(),
    }
}

fn date(v: &str) -> Option<DateTime<Utc>> {
    // The trailing comment "(UTC)" is not part of the RFC 5322 date.
    let v = v.split('(').next().unwrap_or_default().trim();
    let d = mail_parser::DateTime::parse_rfc822(v)?;
    Utc.timestamp_opt(d.to_timestamp(), 0).single()
}

/// Decodes RFC 3461 xtext: `+XX` is the byte XX in hex.
fn xtext_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'+' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtext_is_decoded() {
        assert_eq!(xtext_decode("d12.ab+2Bc+3D"), "d12.ab+c=");
        assert_eq!(xtext_decode("plain+"), "plain+");
        assert_eq!(xtext_decode("+4"), "+4");
    }

    #[test]
    fn folded_fields_are_joined_and_types_dropped() {
        let r = parse_status_fields(
            "Reporting-MTA: dns; mx.example.com\r\nOriginal-Envelope-Id: d7.abc\r\n\r\n\
             Final-Recipient: rfc822; a@example.com\r\nAction: failed (bad mailbox)\r\nStatus: 5.1.1 (user unknown)\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>:\r\n    Recipient address rejected\r\n",
        );
        assert_eq!(r.envelope_id.as_deref(), Some("d7.abc"));
        let rcpt = &r.recipients[0];
        assert_eq!(rcpt.action, DsnAction::Failed);
        assert_eq!(rcpt.status.as_deref(), Some("5.1.1"));
        assert_eq!(rcpt.recipient.as_deref(), Some("a@example.com"));
        assert_eq!(rcpt.diagnostic.as_deref(), Some("550 5.1.1 <a@example.com>: Recipient address rejected"));
    }

    #[test]
    fn a_failure_is_decisive_over_a_delivery() {
        let r = parse_status_fields(
            "Original-Envelope-Id: x\n\nFinal-Recipient: rfc822; a@x\nAction: delivered\nStatus: 2.0.0\n\n\
             Final-Recipient: rfc822; b@x\nAction: failed\nStatus: 5.0.0\n\nFinal-Recipient: rfc822; c@x\nAction: bogus\n",
        );
        assert_eq!(r.recipients.len(), 2, "the block with an unknown action is skipped");
        assert_eq!(r.decisive().map(|r| r.action), Some(DsnAction::Failed));
    }
}
