//! E-mail in, from the IMAP poller or `POST /inbound/email` (raw RFC 822, as mail providers
//! forward it). A message becomes a ticket, or joins its ticket when it answers one of our
//! notifications (authenticated Message-ID) or quotes the tracking number from the
//! customer's own address. Automated mail is never answered; anything that cannot be read
//! is quarantined with the reason, never dropped.

use super::intake::{append_customer_message, open_ticket, system_note};
use super::notify::{self, CustomerNotice};
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use loopdesk_channels::email::{find_thread, parse_email, Automated, EmailPolicy, InboundEmail, ThreadMatch};
use loopdesk_channels::templates::NotificationKind;
use loopdesk_core::{Attachment, Channel, Customer, Email, Ticket, TicketId};
use loopdesk_store::ChannelWrite;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happened to one inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Ingested {
    /// A new ticket was opened (and acknowledged).
    Opened { ticket_id: i64, tracking_no: String },
    /// Added to an existing ticket.
    Threaded { ticket_id: i64 },
    /// Seen before (same Message-ID): nothing changed.
    Duplicate { ticket_id: i64 },
    /// Kept aside with its reason.
    Quarantined { id: i64, reason: String },
}

/// Takes one raw message in. Errors are only infrastructure failures (database down); a
/// bad message is quarantined, not an error.
pub async fn ingest(state: &AppState, source: &str, raw: &[u8]) -> Result<Ingested, ApiError> {
    let policy =
        EmailPolicy { max_message_bytes: state.config.channels.max_inbound_email_bytes, ..EmailPolicy::default() };
    let mail = match parse_email(raw, &policy) {
        Ok(m) => m,
        Err(e) => return quarantine(state, source, &e.to_string(), raw).await,
    };
    let key = match &mail.message_id {
        Some(id) => format!("email:{id}"),
        None => format!("email:sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    if let Some((ticket, _)) = state.store.channel_key(&key).await? {
        return Ok(Ingested::Duplicate { ticket_id: ticket.0 });
    }
    if let Some(ticket) = thread_of(state, &mail).await? {
        return threaded(state, &mail, ticket, &key).await;
    }
    if let Some(why) = mail.automated {
        let reason = format!("automated mail ({}) that answers no ticket; never answered", automated_name(why));
        return quarantine(state, source, &reason, raw).await;
    }
    let Ok(email) = Email::parse(&mail.reply_address().addr) else {
        return quarantine(state, source, "the sender address is not valid", raw).await;
    };
    opened(state, &mail, email, &key).await
}

fn automated_name(a: Automated) -> String {
    serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

async fn quarantine(state: &AppState, source: &str, reason: &str, raw: &[u8]) -> Result<Ingested, ApiError> {
    let id = state.store.quarantine(source, reason, raw, state.now()).await?;
    tracing::info!(quarantine_id = id, source, reason, "inbound e-mail quarantined");
    Ok(Ingested::Quarantined { id, reason: reason.to_string() })
}

/// The ticket a message belongs to: by our Message-ID in its reply headers, or by a
/// tracking number in the subject when it comes from that ticket's customer.
async fn thread_of(state: &AppState, mail: &InboundEmail) -> Result<Option<TicketId>, ApiError> {
    match find_thread(mail, &state.channels.issuer) {
        Some(ThreadMatch::Reply { ticket, .. }) => Ok(state.store.ticket(ticket).await.ok().map(|t| t.id)),
        Some(ThreadMatch::TrackingNo(no)) => {
            let Ok(t) = state.store.ticket(no.ticket_id()).await else {
                return Ok(None);
            };
            let same_sender = t.tracking_no == no
                && t.customer.email.as_ref().is_some_and(|e| e.as_str().eq_ignore_ascii_case(&mail.from.addr));
            Ok(same_sender.then_some(t.id))
        }
        None => Ok(None),
    }
}

async fn threaded(state: &AppState, mail: &InboundEmail, ticket: TicketId, key: &str) -> Result<Ingested, ApiError> {
    if !state.store.claim_channel_key(key, ticket, state.now()).await? {
        return Ok(Ingested::Duplicate { ticket_id: ticket.0 });
    }
    if let Some(why) = mail.automated {
        let note = format!("收到自动邮件（{}），未回复 / automated mail received, not answered", automated_name(why));
        system_note(state, ticket, note).await?;
        return Ok(Ingested::Threaded { ticket_id: ticket.0 });
    }
    let ids = store_attachments(state, mail, Some(ticket)).await?;
    let mut body = mail.text.clone();
    for (a, id) in mail.attachments.iter().zip(&ids) {
        body.push_str(&format!("\n[附件 / attachment: {} ({} bytes) /api/v1/attachments/{id}]", a.name, a.size));
    }
    let t = append_customer_message(state, ticket, &body).await?;
    remember_parent(state, t.id, mail).await?;
    note_rejected(state, t.id, mail).await?;
    Ok(Ingested::Threaded { ticket_id: t.id.0 })
}

async fn opened(state: &AppState, mail: &InboundEmail, email: Email, key: &str) -> Result<Ingested, ApiError> {
    let now = state.now();
    let ids = store_attachments(state, mail, None).await?;
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
    let idempotency = Some((key.to_string(), "email".to_string()));
    let (t, replayed) = open_ticket(state, ticket, idempotency).await?;
    if replayed {
        return Ok(Ingested::Duplicate { ticket_id: t.id.0 });
    }
    state.store.link_attachments(&ids, t.id).await?;
    note_rejected(state, t.id, mail).await?;
    // The message's key, the thread to answer and the acknowledgement: one group commit.
    let mut writes = vec![ChannelWrite::ClaimKey { key: key.to_string(), ticket: t.id }];
    if let Some(id) = &mail.message_id {
        writes.push(ChannelWrite::SetKey {
            key: format!("email-last:{}", t.id),
            ticket: t.id,
            value: Some(id.clone()),
        });
    }
    if acknowledged(&t) {
        let (notice, ack) = (ack_notice(&t), ack_key(&t));
        let delivery = notify::customer_delivery(state, &t, &notice, &ack, mail.message_id.clone()).await?;
        writes.push(ChannelWrite::Delivery(delivery));
    }
    state.store.channel_writes(writes, now).await?;
    state.channels.wake.notify_one();
    Ok(Ingested::Opened { ticket_id: t.id.0, tracking_no: t.tracking_no.to_string() })
}

fn acknowledged(t: &Ticket) -> bool {
    t.state != loopdesk_core::State::Rejected && t.merged_into.is_none()
}

fn ack_notice(t: &Ticket) -> CustomerNotice {
    CustomerNotice { ticket_id: t.id.0, kind: NotificationKind::Acknowledgement, vars: Default::default() }
}

fn ack_key(t: &Ticket) -> String {
    format!("notify:{}:acknowledgement:1", t.id)
}

/// Queues the acknowledgement of a new ticket (once: keyed by the ticket).
pub async fn acknowledge(state: &AppState, t: &Ticket) -> Result<(), ApiError> {
    if !acknowledged(t) {
        return Ok(());
    }
    notify::customer(state, &ack_notice(t), &ack_key(t)).await
}

/// Our next message to this customer answers their latest one.
async fn remember_parent(state: &AppState, ticket: TicketId, mail: &InboundEmail) -> Result<(), ApiError> {
    if let Some(id) = &mail.message_id {
        state.store.set_channel_key(&format!("email-last:{ticket}"), ticket, Some(id), state.now()).await?;
    }
    Ok(())
}

async fn store_attachments(
    state: &AppState,
    mail: &InboundEmail,
    ticket: Option<TicketId>,
) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::with_capacity(mail.attachments.len());
    for a in &mail.attachments {
        ids.push(state.store.add_attachment(ticket, &a.name, &a.content_type, &a.bytes, state.now()).await?);
    }
    Ok(ids)
}

async fn note_rejected(state: &AppState, ticket: TicketId, mail: &InboundEmail) -> Result<(), ApiError> {
    if mail.rejected_attachments.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> =
        mail.rejected_attachments.iter().map(|r| format!("- {} ({} bytes): {}", r.name, r.size, r.reason)).collect();
    system_note(state, ticket, format!("未保存的附件 / attachments not kept:\n{}", lines.join("\n"))).await
}

/// Query of `POST /inbound/email`.
#[derive(Debug, Deserialize)]
pub struct SourceQuery {
    #[serde(default)]
    pub source: Option<String>,
}

/// `POST /api/v1/inbound/email`: a raw RFC 822 message, with `Authorization: Bearer <token>`.
pub async fn receive(
    State(state): State<AppState>,
    Query(q): Query<SourceQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    let expected = state.config.channels.inbound_email_token.as_ref().map(|s| s.expose().to_string());
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let ok = match (expected.as_deref(), given) {
        (Some(e), Some(g)) if !e.is_empty() => {
            Sha256::digest(e.as_bytes()).as_slice() == Sha256::digest(g.as_bytes()).as_slice()
        }
        _ => false,
    };
    if !ok {
        return Err(ApiError::Unauthorized);
    }
    let source: String = q
        .source
        .unwrap_or_else(|| "inbound".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(64)
        .collect();
    let outcome = ingest(&state, &format!("email:{source}"), &body).await?;
    let status = match outcome {
        Ingested::Opened { .. } => StatusCode::CREATED,
        Ingested::Quarantined { .. } => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(outcome)))
}
