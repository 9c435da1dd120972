//! The feedback form and API body (`POST /feedback`): validated into a ticket draft.
//! Without credentials it is the public web/app form, within its rate limits per address
//! and per contact; a channel integration or staff member may set the channel and the time
//! the customer gave the feedback.

use super::{NewTicket, Recorded};
use crate::access::require;
use crate::keys::Key;
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::{
    Actor, Attachment, Channel, Customer, CustomerTier, Email, Phone, Principal, ProductInfo, Ticket, Timestamp,
    Urgency,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Longest feedback text, in characters.
pub const MAX_CONTENT: usize = 10_000;
const MAX_SHORT: usize = 200;
const MAX_ATTACHMENTS: usize = 10;
const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// The submitted customer block, as typed: blank fields count as absent.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerIn {
    /// Submitting anonymously: no name is kept.
    pub anonymous: bool,
    /// A phone number or an e-mail address is needed to reply, unless anonymous.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub member_id: Option<String>,
    /// Only staff and channels may set it; the public form's is ignored.
    pub tier: Option<CustomerTier>,
}

/// The submitted product block.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductIn {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub product: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub model: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub serial_no: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub service: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub order_no: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub occurred_at: Option<Timestamp>,
}

/// The body of `POST /feedback`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackIn {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub content: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subject: Option<String>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub customer: CustomerIn,
    #[serde(default)]
    pub product: ProductIn,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub attachments: Vec<Attachment>,
    /// When the customer gave the feedback (staff entry and channels only).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
}

fn text(field: &'static str, v: Option<String>, max: usize) -> Result<Option<String>, AppError> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => {
            Err(AppError::invalid(field, format!("must be at most {max} characters")))
        }
        other => Ok(other),
    }
}

fn customer(c: CustomerIn, may_set_tier: bool) -> Result<Customer, AppError> {
    let phone = text("customer.phone", c.phone, 40)?
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(|e| AppError::invalid("customer.phone", e.to_string()))?;
    let email = text("customer.email", c.email, 254)?
        .map(|e| Email::parse(&e))
        .transpose()
        .map_err(|e| AppError::invalid("customer.email", e.to_string()))?;
    if !c.anonymous && phone.is_none() && email.is_none() {
        return Err(AppError::invalid(
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

fn product(p: ProductIn) -> Result<ProductInfo, AppError> {
    Ok(ProductInfo {
        product: text("product.product", p.product, MAX_SHORT)?,
        model: text("product.model", p.model, MAX_SHORT)?,
        serial_no: text("product.serial_no", p.serial_no, MAX_SHORT)?,
        service: text("product.service", p.service, MAX_SHORT)?,
        order_no: text("product.order_no", p.order_no, MAX_SHORT)?,
        occurred_at: p.occurred_at,
    })
}

fn attachments(list: Vec<Attachment>) -> Result<Vec<Attachment>, AppError> {
    if list.len() > MAX_ATTACHMENTS {
        return Err(AppError::invalid("attachments", format!("at most {MAX_ATTACHMENTS} attachments")));
    }
    for (i, a) in list.iter().enumerate() {
        let bad = |m: &str| AppError::invalid(format!("attachments[{i}]"), m.to_string());
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
) -> Result<(Channel, Timestamp), AppError> {
    let Some(_) = principal else {
        let channel = body_channel.unwrap_or(Channel::Web);
        if !channel.is_public_form() {
            return Err(AppError::invalid(
                "channel",
                "the public form accepts only web or app; channels need an API token",
            ));
        }
        if received_at.is_some() {
            return Err(AppError::invalid(
                "received_at",
                "only staff and channel integrations may set the receipt time",
            ));
        }
        return Ok((channel, now));
    };
    let received = received_at.unwrap_or(now);
    if received > now + chrono::Duration::minutes(5) {
        return Err(AppError::invalid("received_at", "is in the future"));
    }
    if received < now - chrono::Duration::days(366) {
        return Err(AppError::invalid("received_at", "is more than a year ago"));
    }
    Ok((body_channel.unwrap_or(Channel::Web), received))
}

/// Validates the body into a ticket draft.
pub fn draft(body: FeedbackIn, principal: Option<&Principal>, now: Timestamp) -> Result<Ticket, AppError> {
    let content = body.content.trim().to_string();
    if content.is_empty() {
        return Err(AppError::invalid("content", "tell us what happened"));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(AppError::invalid("content", format!("must be at most {MAX_CONTENT} characters")));
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

/// The scoped idempotency key of a submission and a hash of its body.
fn idempotency(
    key: Option<&str>,
    principal: Option<&Principal>,
    body: &[u8],
) -> Result<Option<(Key, String)>, AppError> {
    let Some(raw) = key else {
        return Ok(None);
    };
    let key = raw.trim();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || !key.is_ascii() {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} ASCII characters"),
        ));
    }
    Ok(Some((Key::idempotency(principal.map(|p| p.user_id), key), hex::encode(Sha256::digest(body)))))
}

/// A submission that may be recorded: its drafted ticket and how it came.
pub struct Submission {
    new: NewTicket,
}

impl Submission {
    /// Adds uploaded files to the ticket (the attachment limits apply to the whole list).
    pub fn attach(&mut self, files: impl IntoIterator<Item = Attachment>) -> Result<(), AppError> {
        let mut all = std::mem::take(&mut self.new.ticket.attachments);
        all.extend(files);
        self.new.ticket.attachments = attachments(all)?;
        Ok(())
    }
}

/// Checks who may submit (the public within its rate limits, per address and per contact)
/// and drafts the ticket; nothing is written yet.
pub fn admit(
    app: &App,
    principal: Option<&Principal>,
    ip: std::net::IpAddr,
    idempotency_key: Option<&str>,
    body: FeedbackIn,
    bytes: &[u8],
) -> Result<Submission, AppError> {
    let now = app.now();
    if let Some(p) = principal {
        require(p, Permission::Intake)?;
    } else {
        app.limits.feedback_by_ip.check(&ip.to_string(), now)?;
    }
    let stated_urgency = body.urgency;
    let ticket = draft(body, principal, now)?;
    if principal.is_none() {
        let contact =
            ticket.customer.phone.as_ref().map(|p| p.as_str()).or(ticket.customer.email.as_ref().map(|e| e.as_str()));
        if let Some(contact) = contact {
            app.limits.feedback_by_contact.check(contact, now)?;
        }
    }
    let actor = match principal {
        Some(p) => Actor::User { id: p.user_id, name: p.name.clone() },
        None => Actor::Customer,
    };
    let mut new = NewTicket::new(ticket, actor);
    new.stated_urgency = stated_urgency;
    new.idempotency = idempotency(idempotency_key, principal, bytes)?;
    Ok(Submission { new })
}

/// Records an admitted submission (and, in the same transaction, what it owes the
/// customer).
pub async fn record(app: &App, s: Submission) -> Result<Recorded, AppError> {
    super::record(app, s.new).await
}

/// Records an admitted submission with stored attachments linked to it.
pub async fn record_with(app: &App, mut s: Submission, attachments: Vec<i64>) -> Result<Recorded, AppError> {
    s.new.attachments = attachments;
    super::record(app, s.new).await
}
