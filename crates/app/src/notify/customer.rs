//! Customer notices: e-mail when the ticket has an address, else the outbound gateway
//! (SMS/app/WeChat) when one is configured; with no way to reach the customer the delivery
//! is recorded as failed, so the timeline says so.

use super::{china_time, language, mask};
use crate::config::channels::ChannelsConfig;
use crate::documents::channel::GatewayDoc;
use crate::keys::Key;
use crate::outbound::{EmailPayload, HttpPayload};
use crate::portal::branding::Brand;
use crate::{App, AppError};
use loopdesk_channels::email::{MailAttachment, MessageIdIssuer, OutboundEmail};
use loopdesk_channels::templates::{escape_html, NotificationKind, TemplateSet, Vars};
use loopdesk_core::{Ticket, TicketId, Timestamp};
use loopdesk_store::NewDelivery;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What to tell the customer of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerNotice {
    pub ticket_id: TicketId,
    pub kind: NotificationKind,
    #[serde(default)]
    pub vars: Vars,
    /// Stored files to send with it (a reply's attachments), by attachment id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<i64>,
}

/// Most bytes of files one e-mail carries; files beyond it are named in the text and left
/// on the status page (the outbox stores each message whole, and mail servers refuse
/// large messages).
pub const MAX_MAIL_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What composing a notice needs, all in memory: it also runs inside an intake's
/// transaction (the acknowledgement).
pub struct Composer<'a> {
    pub config: &'a ChannelsConfig,
    pub templates: &'a TemplateSet,
    pub gateway: Option<&'a GatewayDoc>,
    pub issuer: &'a MessageIdIssuer,
    pub now: Timestamp,
    /// Status links and branding.
    pub portal: PortalLinks,
}

/// What customer notices take from the portal: the signed status link (only on a
/// configured public address: a link to the listening address may reach nobody) and the
/// company's branding.
#[derive(Debug, Clone, Default)]
pub struct PortalLinks {
    pub public_url: Option<String>,
    pub key: Option<Vec<u8>>,
    pub brand: std::sync::Arc<Brand>,
}

impl PortalLinks {
    /// The links and branding in force.
    pub fn of(config: &crate::Config, documents: &crate::documents::Cache) -> PortalLinks {
        PortalLinks {
            public_url: crate::portal::links::configured(config),
            key: documents.link_key().map(<[u8]>::to_vec),
            brand: documents.brand(),
        }
    }

    fn status_url(&self, t: &Ticket) -> Option<String> {
        let (url, key) = (self.public_url.as_ref()?, self.key.as_ref()?);
        Some(format!("{url}/status/{}", crate::portal::links::sign(key, &t.tracking_no)))
    }

    /// The message's HTML in the company's frame: its logo (served by this server, so only
    /// with a public address) or name, and its accent colour.
    fn frame(&self, company: &str, body: &str) -> String {
        let b = &self.brand;
        let accent = b.accent.as_deref().unwrap_or("#1d5fbf");
        let logo = match (&self.public_url, &b.logo_src) {
            (Some(url), Some(src)) => format!(
                "<img src=\"{}{}\" alt=\"{}\" height=\"40\">",
                escape_html(url),
                escape_html(src),
                escape_html(company)
            ),
            _ => format!("<strong>{}</strong>", escape_html(company)),
        };
        format!(
            "<div style=\"border-top:4px solid {accent};padding-top:12px\">\n<p style=\"color:{accent}\">{logo}</p>\n{body}\n</div>"
        )
    }
}

impl Composer<'_> {
    fn vars(&self, t: &Ticket, kind: NotificationKind, given: &Vars) -> Vars {
        let cfg = self.config;
        let mut vars = Vars::new();
        vars.insert("tracking_no".into(), t.tracking_no.to_string());
        vars.insert("company".into(), self.company().to_string());
        vars.insert("customer_name".into(), t.customer.name.clone().unwrap_or_default());
        if let Some(url) = self.portal.status_url(t) {
            vars.insert("status_url".into(), url);
        }
        if kind == NotificationKind::Acknowledgement {
            let hours = cfg.first_response_hours;
            vars.insert("first_response_hours".into(), hours.to_string());
            vars.insert("due".into(), china_time(t.received_at + chrono::Duration::hours(hours)));
        }
        vars.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
        vars
    }

    /// The company's name: the branding's, else `[channels] company`.
    fn company(&self) -> &str {
        self.portal.brand.company.as_deref().unwrap_or(&self.config.company)
    }

    /// The delivery of `notice` about `t`, answering the customer's message `parent` when
    /// it goes by e-mail.
    pub fn delivery(
        &self,
        t: &Ticket,
        notice: &CustomerNotice,
        key: &Key,
        parent: Option<String>,
    ) -> Result<NewDelivery, AppError> {
        let vars = self.vars(t, notice.kind, &notice.vars);
        let rendered = self
            .templates
            .render(notice.kind, language(t), &vars)
            .map_err(|e| AppError::invalid("vars", e.to_string()))?;
        let kind = notice.kind.as_str().to_string();
        if let Some(email) = &t.customer.email {
            let smtp = self.config.smtp.clone().unwrap_or_default();
            let mail = OutboundEmail {
                from: smtp.from,
                to: email.as_str().to_string(),
                reply_to: smtp.reply_to,
                subject: rendered.subject,
                text: rendered.text,
                html: Some(self.portal.frame(self.company(), &rendered.html)),
                message_id: self.issuer.issue_random(t.id),
                in_reply_to: parent.clone(),
                references: parent.into_iter().collect(),
                ticket: t.id,
                automatic: true,
                date: self.now,
                attachments: Vec::new(),
            };
            return Ok(NewDelivery {
                key: key.to_string(),
                ticket_id: Some(t.id),
                transport: "email".into(),
                kind,
                target: mask(email.as_str()),
                payload: serde_json::to_value(EmailPayload { email: mail })?,
                failed: None,
            });
        }
        let contact = t.customer.phone.as_ref().map(|p| p.as_str().to_string()).or(t.customer.member_id.clone());
        let body = json!({
            "event": "loopdesk.notification",
            "ticket_id": t.id.0,
            "tracking_no": t.tracking_no.to_string(),
            "channel": t.channel,
            "kind": kind,
            "phone": t.customer.phone.as_ref().map(|p| p.as_str()),
            "member_id": t.customer.member_id,
            "text": rendered.text,
        });
        let failed = match (self.gateway, &contact) {
            (Some(_), Some(_)) => None,
            (None, _) => Some("no e-mail address and no outbound gateway (channel:outbound) configured".to_string()),
            (_, None) => Some("the customer left no contact".to_string()),
        };
        Ok(NewDelivery {
            key: key.to_string(),
            ticket_id: Some(t.id),
            transport: "http".into(),
            kind,
            target: contact.as_deref().map(mask).unwrap_or_else(|| "-".into()),
            payload: serde_json::to_value(HttpPayload::Gateway { body })?,
            failed,
        })
    }
}

impl CustomerNotice {
    /// A notice of `kind` with its variables.
    pub fn new(ticket_id: TicketId, kind: NotificationKind, vars: Vec<(&str, String)>) -> CustomerNotice {
        CustomerNotice {
            ticket_id,
            kind,
            vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            files: Vec::new(),
        }
    }

    /// Composes and queues the notice (once per `key`): the job's work.
    pub async fn send(&self, app: &App, key: &Key) -> Result<(), AppError> {
        let t = app.read().ticket(self.ticket_id).await?;
        let parent = match &t.customer.email {
            Some(_) => app.read().channel_key(Key::email_last(t.id).as_str()).await?.and_then(|(_, v)| v),
            None => None,
        };
        let (templates, gateway) = (app.documents.templates(), app.documents.gateway());
        let composer = Composer {
            config: &app.config.channels,
            templates: &templates,
            gateway: gateway.as_deref(),
            issuer: &app.outbound.issuer,
            now: app.now(),
            portal: PortalLinks::of(&app.config, &app.documents),
        };
        let mut delivery = composer.delivery(&t, self, key, parent)?;
        if !self.files.is_empty() {
            self.attach(app, &mut delivery).await?;
        }
        app.store.add_deliveries(&[delivery], app.now()).await?;
        Ok(())
    }

    /// Puts the notice's files into its delivery: attached to an e-mail up to
    /// [`MAX_MAIL_FILE_BYTES`] (the rest named in the text, to be fetched from the status
    /// page); named in a gateway message, which carries no files.
    async fn attach(&self, app: &App, delivery: &mut NewDelivery) -> Result<(), AppError> {
        let mut files = Vec::with_capacity(self.files.len());
        for id in &self.files {
            let (meta, bytes) = app.read().attachment(*id).await?;
            // Only the ticket's own files: a notice never carries another ticket's.
            if meta.ticket_id == Some(self.ticket_id.0) {
                files.push((meta, bytes));
            }
        }
        let names: Vec<String> = files.iter().map(|(m, _)| m.name.clone()).collect();
        if delivery.transport == "email" {
            let mut payload: EmailPayload = serde_json::from_value(delivery.payload.clone())?;
            let mut total = 0usize;
            let mut left_out = Vec::new();
            for (meta, bytes) in &files {
                total += bytes.len();
                if total <= MAX_MAIL_FILE_BYTES {
                    payload.email.attachments.push(MailAttachment::new(&meta.name, &meta.content_type, bytes));
                } else {
                    left_out.push(meta.name.clone());
                }
            }
            if !left_out.is_empty() {
                payload.email.text.push_str(&format!(
                    "\n\n附件过大未随邮件发送，请在服务进度页查看 / Files too large for e-mail, see the status page: {}",
                    left_out.join(", ")
                ));
            }
            delivery.payload = serde_json::to_value(payload)?;
        } else if let Some(body) = delivery.payload.get_mut("body").and_then(|b| b.as_object_mut()) {
            body.insert("files".into(), json!(names));
        }
        Ok(())
    }
}
