//! E-mail in, from the IMAP poller or `POST /inbound/email` (raw RFC 822, as mail providers
//! forward it). A message becomes a ticket, or joins its ticket when it answers one of our
//! notifications (authenticated Message-ID) or quotes the tracking number from the
//! customer's own address. Automated mail is never answered; anything that cannot be read
//! is quarantined with the reason, never dropped.

use super::messages::{append_customer_message, system_note};
use crate::error::AppError;
use crate::intake::{self, NewTicket};
use crate::keys::Key;
use crate::App;
use loopdesk_channels::email::{find_thread, parse_email, Automated, EmailPolicy, InboundEmail, ThreadMatch};
use loopdesk_core::{Actor, Attachment, Channel, Customer, Email, Ticket, TicketId};
use loopdesk_store::{KeyWrite, Owed};
use serde::Serialize;
use std::sync::Arc;

/// What happened to one inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Ingested {
    /// A new ticket was opened (and acknowledged).
    Opened { ticket_id: i64, tracking_no: String },
    /// Added to an existing ticket.
    Threaded { ticket_id: i64 },
    /// Seen before (same Message-ID): nothing changed.
    Duplicate { ticket_id: i64 },
    /// Kept aside with its reason.
    Quarantined { id: i64, reason: String },
    /// A delivery status notification about one of our e-mails, recorded on its delivery.
    Reported {
        delivery_id: i64,
        /// What the report said: `delivered`, `relayed`, `delayed` or `failed`.
        report: loopdesk_store::ReportOutcome,
    },
}

/// Takes one raw message in. Errors are only infrastructure failures (database down); a
/// bad message is quarantined, not an error.
#[tracing::instrument(skip_all, fields(source))]
pub async fn ingest(app: &App, source: &str, raw: &[u8]) -> Result<Ingested, AppError> {
    let policy =
        EmailPolicy { max_message_bytes: app.config.channels.max_inbound_email_bytes, ..EmailPolicy::default() };
    let mail = match parse_email(raw, &policy) {
        Ok(m) => m,
        Err(e) => return quarantine(app, source, &e.to_string(), raw).await,
    };
    if mail.automated.is_some() {
        if let Some(reported) = super::reports::take(app, raw).await? {
            return Ok(reported);
        }
    }
    let key = Key::email(mail.message_id.as_deref(), raw);
    if let Some((ticket, _)) = app.read().channel_key(key.as_str()).await? {
        return Ok(Ingested::Duplicate { ticket_id: ticket.0 });
    }
    if let Some(ticket) = thread_of(app, &mail).await? {
        return threaded(app, &mail, ticket, &key).await;
    }
    if let Some(why) = mail.automated {
        let reason = format!("automated mail ({}) that answers no ticket; never answered", automated_name(why));
        return quarantine(app, source, &reason, raw).await;
    }
    let Ok(email) = Email::parse(&mail.reply_address().addr) else {
        return quarantine(app, source, "the sender address is not valid", raw).await;
    };
    opened(app, &mail, email, &key).await
}

fn automated_name(a: Automated) -> String {
    serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

async fn quarantine(app: &App, source: &str, reason: &str, raw: &[u8]) -> Result<Ingested, AppError> {
    let id = app.store.quarantine(source, reason, raw, app.now()).await?;
    tracing::info!(quarantine_id = id, source, reason, "inbound e-mail quarantined");
    Ok(Ingested::Quarantined { id, reason: reason.to_string() })
}

/// The ticket a message belongs to: by our Message-ID in its reply headers, or by a
/// tracking number in the subject when it comes from that ticket's customer.
async fn thread_of(app: &App, mail: &InboundEmail) -> Result<Option<TicketId>, AppError> {
    match find_thread(mail, &app.outbound.issuer) {
        Some(ThreadMatch::Reply { ticket, .. }) => Ok(app.read().ticket(ticket).await.ok().map(|t| t.id)),
        Some(ThreadMatch::TrackingNo(no)) => {
            let Ok(t) = app.read().ticket(no.ticket_id()).await else {
                return Ok(None);
            };
            let same_sender = t.tracking_no == no
                && t.customer.email.as_ref().is_some_and(|e| e.as_str().eq_ignore_ascii_case(&mail.from.addr));
            Ok(same_sender.then_some(t.id))
        }
        None => Ok(None),
    }
}

/// The customer's latest message, which our next message answers.
fn parent_key(ticket: TicketId, mail: &InboundEmail) -> Vec<KeyWrite> {
    mail.message_id.iter().map(|id| KeyWrite { key: Key::email_last(ticket).into(), value: Some(id.clone()) }).collect()
}

/// A message answering one of our notifications, or quoting the ticket from the
/// customer's own address: added to that ticket. Its key is written with the change, so a
/// crash leaves the message either taken in or to be taken in again, never half.
async fn threaded(app: &App, mail: &InboundEmail, ticket: TicketId, key: &Key) -> Result<Ingested, AppError> {
    let seen = KeyWrite { key: key.clone().into(), value: None };
    if let Some(why) = mail.automated {
        let note = format!("收到自动邮件（{}），未回复 / automated mail received, not answered", automated_name(why));
        system_note(app, ticket, note, vec![seen]).await?;
        return Ok(Ingested::Threaded { ticket_id: ticket.0 });
    }
    let ids = store_attachments(app, mail, Some(ticket)).await?;
    let mut body = mail.text.clone();
    for (a, id) in mail.attachments.iter().zip(&ids) {
        body.push_str(&format!("\n[附件 / attachment: {} ({} bytes) /api/v1/attachments/{id}]", a.name, a.size));
    }
    let mut keys = parent_key(ticket, mail);
    keys.push(seen);
    let t = append_customer_message(app, ticket, &body, Owed { keys, ..Owed::default() }).await?;
    if let Some(note) = rejected_note(mail) {
        system_note(app, t.id, note, Vec::new()).await?;
    }
    Ok(Ingested::Threaded { ticket_id: t.id.0 })
}

/// A new ticket from the message: recorded with its attachments, the note of those not
/// kept, the keys that lead its next message here and the acknowledgement that answers
/// it, all in one transaction.
async fn opened(app: &App, mail: &InboundEmail, email: Email, key: &Key) -> Result<Ingested, AppError> {
    let now = app.now();
    let ids = store_attachments(app, mail, None).await?;
    let customer = Customer {
        name: mail.from.name.clone().map(|n| n.chars().take(100).collect()),
        email: Some(email),
        ..Customer::default()
    };
    let text = if mail.text.trim().is_empty() { mail.subject.clone() } else { mail.text.clone() };
    let text = if text.trim().is_empty() { "(empty message)".to_string() } else { text };
    let mut ticket = Ticket::draft(Channel::Email, text, customer, now, now);
    ticket.subject = Some(mail.subject.chars().take(200).collect()).filter(|s: &String| !s.trim().is_empty());
    ticket.attachments = mail
        .attachments
        .iter()
        .zip(&ids)
        .map(|(a, id)| Attachment {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size as u64,
            location: format!("/api/v1/attachments/{id}"),
            description: None,
        })
        .collect();
    let mut new = NewTicket::new(ticket, Actor::Customer);
    new.idempotency = Some((key.clone(), "email".to_string()));
    new.attachments = ids;
    new.notes = rejected_note(mail).into_iter().collect();
    new.reply_to = mail.message_id.clone();
    let (message_key, message_id) = (key.clone(), mail.message_id.clone());
    new.extra = Some(Arc::new(move |t: &Ticket, _: &[loopdesk_core::Event]| {
        let mut keys = vec![KeyWrite { key: message_key.clone().into(), value: None }];
        keys.extend(
            message_id.iter().map(|id| KeyWrite { key: Key::email_last(t.id).into(), value: Some(id.clone()) }),
        );
        Owed { keys, ..Owed::default() }
    }));
    let recorded = intake::record(app, new).await?;
    if recorded.replayed {
        return Ok(Ingested::Duplicate { ticket_id: recorded.ticket.id.0 });
    }
    let t = recorded.ticket;
    Ok(Ingested::Opened { ticket_id: t.id.0, tracking_no: t.tracking_no.to_string() })
}

async fn store_attachments(app: &App, mail: &InboundEmail, ticket: Option<TicketId>) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(mail.attachments.len());
    for a in &mail.attachments {
        ids.push(app.store.add_attachment(ticket, &a.name, &a.content_type, &a.bytes, app.now()).await?);
    }
    Ok(ids)
}

/// The note of attachments that were not kept, if any.
fn rejected_note(mail: &InboundEmail) -> Option<String> {
    if mail.rejected_attachments.is_empty() {
        return None;
    }
    let lines: Vec<String> =
        mail.rejected_attachments.iter().map(|r| format!("- {} ({} bytes): {}", r.name, r.size, r.reason)).collect();
    Some(format!("未保存的附件 / attachments not kept:\n{}", lines.join("\n")))
}
