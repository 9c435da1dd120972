//! `POST /feedback`: intake from any channel. Without credentials it is the public web/app
//! form; with an API token or session a channel or staff member may set the channel and the
//! time the customer gave the feedback.

use crate::auth::{require, MaybeAuth};
use crate::error::ApiError;
use crate::extract::{ClientIp, JsonWithBytes};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_core::access::Permission;
use loopdesk_core::{
    Actor, Attachment, Channel, Customer, CustomerTier, Email, Phone, Principal, Priority, ProductInfo,
    State as TicketState, Ticket, Timestamp, Urgency,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest feedback text, in characters.
pub const MAX_CONTENT: usize = 10_000;
const MAX_SHORT: usize = 200;
const MAX_ATTACHMENTS: usize = 10;
const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// The submitted customer block.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerIn {
    pub name: Option<String>,
    pub anonymous: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub member_id: Option<String>,
    pub tier: Option<CustomerTier>,
}

/// The submitted product block.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductIn {
    pub product: Option<String>,
    pub model: Option<String>,
    pub serial_no: Option<String>,
    pub service: Option<String>,
    pub order_no: Option<String>,
    pub occurred_at: Option<Timestamp>,
}

/// The body of `POST /feedback`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    pub content: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub customer: CustomerIn,
    #[serde(default)]
    pub product: ProductIn,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// When the customer gave the feedback (staff entry and channels only).
    #[serde(default)]
    pub received_at: Option<Timestamp>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
}

/// The answer to a successful intake.
#[derive(Debug, Serialize)]
pub struct FeedbackOut {
    pub id: i64,
    /// What triage found: confidence, signals, moderation.
    pub triage: Option<loopdesk_core::TriageSummary>,
    pub priority_reasons: Vec<String>,
    pub impact_scope: loopdesk_core::ImpactScope,
    /// The problem cluster (its first ticket's id).
    pub cluster_id: i64,
    /// Set when this was the same customer's repeat, merged into that ticket.
    pub merged_into: Option<i64>,
    pub tracking_no: String,
    pub state: TicketState,
    pub priority: Priority,
    pub category: Option<String>,
    pub channel: Channel,
    pub received_at: Timestamp,
    pub recorded_at: Timestamp,
    /// Where the customer can follow the ticket (add `?phone=` or `?email=`).
    pub track_url: String,
}

fn text(field: &'static str, v: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => {
            Err(ApiError::invalid(field, format!("must be at most {max} characters")))
        }
        other => Ok(other),
    }
}

fn customer(c: CustomerIn, may_set_tier: bool) -> Result<Customer, ApiError> {
    let phone = text("customer.phone", c.phone, 40)?
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(|e| ApiError::invalid("customer.phone", e.to_string()))?;
    let email = text("customer.email", c.email, 254)?
        .map(|e| Email::parse(&e))
        .transpose()
        .map_err(|e| ApiError::invalid("customer.email", e.to_string()))?;
    if !c.anonymous && phone.is_none() && email.is_none() {
        return Err(ApiError::invalid(
            "customer.phone",
            "give a phone number or an e-mail address so we can reply, or submit anonymously",
        ));
    }
    Ok(Customer {
        name: if c.anonymous { None } else { text("customer.name", c.name, 100)? },
        anonymous: c.anonymous,
        phone,
        email,
        address: text("customer.address", c.address, 500)?,
        member_id: text("customer.member_id", c.member_id, 64)?,
        tier: if may_set_tier { c.tier.unwrap_or_default() } else { CustomerTier::Standard },
    })
}

fn product(p: ProductIn) -> Result<ProductInfo, ApiError> {
    Ok(ProductInfo {
        product: text("product.product", p.product, MAX_SHORT)?,
        model: text("product.model", p.model, MAX_SHORT)?,
        serial_no: text("product.serial_no", p.serial_no, MAX_SHORT)?,
        service: text("product.service", p.service, MAX_SHORT)?,
        order_no: text("product.order_no", p.order_no, MAX_SHORT)?,
        occurred_at: p.occurred_at,
    })
}

fn attachments(list: Vec<Attachment>) -> Result<Vec<Attachment>, ApiError> {
    if list.len() > MAX_ATTACHMENTS {
        return Err(ApiError::invalid("attachments", format!("at most {MAX_ATTACHMENTS} attachments")));
    }
    for (i, a) in list.iter().enumerate() {
        let bad = |m: &str| ApiError::invalid(format!("attachments[{i}]"), m.to_string());
        if a.name.trim().is_empty() || a.name.chars().count() > 255 {
            return Err(bad("name must be 1 to 255 characters"));
        }
        if a.size > MAX_ATTACHMENT_BYTES {
            return Err(bad("is larger than 20 MB"));
        }
        if a.location.len() > 2000 || a.content_type.len() > 100 {
            return Err(bad("location or content type is too long"));
        }
    }
    Ok(list)
}

/// Checks who may claim which channel and receipt time.
fn channel_and_time(
    body_channel: Option<Channel>,
    received_at: Option<Timestamp>,
    principal: Option<&Principal>,
    now: Timestamp,
) -> Result<(Channel, Timestamp), ApiError> {
    let Some(_) = principal else {
        let channel = body_channel.unwrap_or(Channel::Web);
        if !channel.is_public_form() {
            return Err(ApiError::invalid(
                "channel",
                "the public form accepts only web or app; channels need an API token",
            ));
        }
        if received_at.is_some() {
            return Err(ApiError::invalid(
                "received_at",
                "only staff and channel integrations may set the receipt time",
            ));
        }
        return Ok((channel, now));
    };
    let received = received_at.unwrap_or(now);
    if received > now + chrono::Duration::minutes(5) {
        return Err(ApiError::invalid("received_at", "is in the future"));
    }
    if received < now - chrono::Duration::days(366) {
        return Err(ApiError::invalid("received_at", "is more than a year ago"));
    }
    Ok((body_channel.unwrap_or(Channel::Web), received))
}

/// Validates the body into a ticket draft.
pub fn draft(body: FeedbackIn, principal: Option<&Principal>, now: Timestamp) -> Result<Ticket, ApiError> {
    let content = body.content.trim().to_string();
    if content.is_empty() {
        return Err(ApiError::invalid("content", "tell us what happened"));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::invalid("content", format!("must be at most {MAX_CONTENT} characters")));
    }
    let (channel, received_at) = channel_and_time(body.channel, body.received_at, principal, now)?;
    let customer = customer(body.customer, principal.is_some())?;
    // The customer's words are kept verbatim (only surrounding whitespace trimmed).
    let mut t = Ticket::draft(channel, body.content, customer, received_at, now);
    t.subject = text("subject", body.subject, MAX_SHORT)?;
    t.product = product(body.product)?;
    t.attachments = attachments(body.attachments)?;
    t.urgency = body.urgency.unwrap_or(Urgency::Medium);
    Ok(t)
}

fn idempotency(
    headers: &HeaderMap,
    principal: Option<&Principal>,
    body: &[u8],
) -> Result<Option<(String, String)>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = raw.to_str().map(str::trim).unwrap_or("");
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || !key.is_ascii() {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} ASCII characters"),
        ));
    }
    let scope = principal.map(|p| format!("user:{}", p.user_id)).unwrap_or_else(|| "public".into());
    Ok(Some((format!("{scope}:{key}"), hex::encode(Sha256::digest(body)))))
}

/// `POST /api/v1/feedback`.
pub async fn submit(
    State(state): State<AppState>,
    MaybeAuth(principal): MaybeAuth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonWithBytes(body, bytes): JsonWithBytes<FeedbackIn>,
) -> Result<Response, ApiError> {
    let submission = admit(&state, principal.as_ref(), ip, &headers, body, &bytes)?;
    let (t, replayed) = record(&state, submission).await?;
    Ok(created(&t, replayed))
}

/// A submission that may be recorded: its drafted ticket and how it came.
pub struct Submission {
    ticket: Ticket,
    actor: Actor,
    stated_urgency: Option<Urgency>,
    idempotency: Option<(String, String)>,
}

impl Submission {
    /// Adds uploaded files to the ticket (the attachment limits apply to the whole list).
    pub fn attach(&mut self, files: impl IntoIterator<Item = Attachment>) -> Result<(), ApiError> {
        let mut all = std::mem::take(&mut self.ticket.attachments);
        all.extend(files);
        self.ticket.attachments = attachments(all)?;
        Ok(())
    }
}

/// Checks who may submit (the public within its rate limits, per address and per contact)
/// and drafts the ticket; nothing is written yet.
pub fn admit(
    state: &AppState,
    principal: Option<&Principal>,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    body: FeedbackIn,
    bytes: &[u8],
) -> Result<Submission, ApiError> {
    let now = state.now();
    if let Some(p) = principal {
        require(p, Permission::Intake)?;
    } else {
        state.limits.feedback_by_ip.check(&ip.to_string(), now)?;
    }
    let stated_urgency = body.urgency;
    let ticket = draft(body, principal, now)?;
    if principal.is_none() {
        let contact =
            ticket.customer.phone.as_ref().map(|p| p.as_str()).or(ticket.customer.email.as_ref().map(|e| e.as_str()));
        if let Some(contact) = contact {
            state.limits.feedback_by_contact.check(contact, now)?;
        }
    }
    let actor = match principal {
        Some(p) => Actor::User { id: p.user_id, name: p.name.clone() },
        None => Actor::Customer,
    };
    let idempotency = idempotency(headers, principal, bytes)?;
    Ok(Submission { ticket, actor, stated_urgency, idempotency })
}

/// Records an admitted submission and acknowledges it to the customer. Returns the ticket
/// and whether it answers an earlier identical request.
pub async fn record(state: &AppState, s: Submission) -> Result<(Ticket, bool), ApiError> {
    let (t, replayed) = crate::intake::record(state, s.ticket, s.actor, s.stated_urgency, s.idempotency).await?;
    if !replayed {
        crate::channels::email_in::acknowledge(state, &t).await?;
    }
    Ok((t, replayed))
}

/// The `201 Created` answer for a recorded ticket.
pub fn created(t: &Ticket, replayed: bool) -> Response {
    let out = FeedbackOut {
        id: t.id.0,
        triage: t.triage.clone(),
        priority_reasons: t.priority_reasons.clone(),
        impact_scope: t.impact_scope,
        cluster_id: t.triage.as_ref().and_then(|x| x.cluster_id).unwrap_or(t.id.0),
        merged_into: t.merged_into.map(|m| m.0),
        tracking_no: t.tracking_no.to_string(),
        state: t.state,
        priority: t.priority,
        category: t.category.clone(),
        channel: t.channel,
        received_at: t.received_at,
        recorded_at: t.recorded_at,
        track_url: format!("/api/v1/track/{}", t.tracking_no),
    };
    let mut resp = (StatusCode::CREATED, axum::Json(out)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", t.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}
