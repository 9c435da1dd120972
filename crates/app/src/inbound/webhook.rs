//! Signed JSON from apps, mini programs, SMS gateways and platforms, configured per source
//! by the `channel:<source>` document. A bad or missing signature or a stale timestamp is
//! refused and nothing is stored; a signature seen before is a replay; the same external id
//! twice gives one ticket.

use crate::documents::channel::WebhookDoc;
use crate::documents::{load, ChannelName, DocumentKind};
use crate::intake::feedback::MAX_CONTENT;
use crate::intake::{self, NewTicket};
use crate::keys::Key;
use crate::{App, AppError};
use loopdesk_channels::webhook::{WebhookError, WebhookSource, SIGNATURE_HEADER};
use loopdesk_core::{Actor, Customer, Ticket};

/// What a delivery opened.
#[derive(Debug, Clone)]
pub struct Received {
    pub ticket: Ticket,
    /// The source's own id of the record, when its mapping names one.
    pub external_id: Option<String>,
    /// The same record was delivered before: this is its ticket.
    pub replayed: bool,
}

fn source_name(s: &str) -> Option<ChannelName> {
    // `wechat` and `outbound` are channel documents of another shape.
    ChannelName::parse(s).ok().filter(|n| n.as_str() != "wechat" && n.as_str() != "outbound")
}

/// Takes one delivery from `source`; `header` reads the request's headers.
#[tracing::instrument(skip_all, fields(source))]
pub async fn receive<'h>(
    app: &App,
    source: &str,
    header: impl Fn(&str) -> Option<&'h str>,
    body: &[u8],
) -> Result<Received, AppError> {
    let not_found = || AppError::NotFound("no such webhook source".into());
    let name = source_name(source).ok_or_else(not_found)?;
    let doc: WebhookDoc = load(app, &DocumentKind::Channel(name)).await?.ok_or_else(not_found)?;
    let config = WebhookSource {
        name: source.to_string(),
        secret: doc.secret.clone(),
        previous_secret: doc.previous_secret.clone(),
        tolerance_secs: doc.tolerance_secs,
        mapping: doc.mapping.clone(),
    };
    let now = app.now();
    let record = match config.accept(&header, body, now) {
        Ok(r) => r,
        Err(e) if e.is_unauthorized() => {
            return Err(AppError::Unauthenticated { code: "bad_signature", message: e.to_string() })
        }
        Err(e @ WebhookError::BadJson(_)) => {
            return Err(AppError::Malformed { code: "bad_json", message: e.to_string(), field: None })
        }
        Err(e) => return Err(AppError::invalid("body", e.to_string())),
    };
    // A signature covers the timestamp and the body: seen twice inside the window is a replay.
    let signature = header(SIGNATURE_HEADER).unwrap_or_default();
    let forget = now - chrono::Duration::seconds(doc.tolerance_secs.max(1) * 2);
    if !app.store.claim_nonce(source, signature, now, forget).await? {
        return Err(AppError::conflict("replayed", "this delivery was already received"));
    }
    let received_at = record
        .received_at
        .filter(|t| *t <= now + chrono::Duration::minutes(5) && *t > now - chrono::Duration::days(366))
        .unwrap_or(now);
    let customer = Customer {
        name: record.contact_name.clone().map(|n| n.chars().take(100).collect()),
        phone: record.contact_phone.clone(),
        email: record.contact_email.clone(),
        anonymous: record.contact_phone.is_none() && record.contact_email.is_none(),
        ..Customer::default()
    };
    let text: String = record.text.chars().take(MAX_CONTENT).collect();
    let mut ticket = Ticket::draft(doc.channel, text, customer, received_at, now);
    ticket.subject = record.subject.clone().map(|s| s.chars().take(200).collect());
    let mut new = NewTicket::new(ticket, Actor::Customer);
    new.idempotency = Some((Key::webhook(&record.dedupe_key), "webhook".to_string()));
    let recorded = intake::record(app, new).await?;
    Ok(Received { ticket: recorded.ticket, external_id: record.external_id, replayed: recorded.replayed })
}
