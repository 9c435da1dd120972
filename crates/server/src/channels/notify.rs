//! Turning `notify.customer` and `notify.staff` requests into outbox deliveries. The message
//! is rendered and addressed here, at enqueue time, with its Message-ID fixed, so every
//! attempt (and a resend after a crash) sends the same message.

use super::docs::{self, GatewayDoc, RobotsDoc};
use super::outbox::{EmailPayload, HttpPayload};
use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_channels::email::OutboundEmail;
use loopdesk_channels::robots::{Alert, Link, Mentions, Severity};
use loopdesk_channels::templates::{Lang, NotificationKind, Vars};
use loopdesk_core::{Event, EventData, Ticket, TicketId, Timestamp};
use loopdesk_store::NewDelivery;
use serde::Deserialize;
use serde_json::{json, Value};

/// Payload of a `notify.customer` job.
#[derive(Debug, Clone, Deserialize)]
pub struct CustomerNotice {
    pub ticket_id: i64,
    pub kind: NotificationKind,
    #[serde(default)]
    pub vars: Vars,
}

/// Payload of a `notify.staff` job.
#[derive(Debug, Clone, Deserialize)]
pub struct StaffNotice {
    #[serde(default)]
    pub ticket_id: Option<i64>,
    pub alert: String,
    #[serde(default)]
    pub user_ids: Vec<i64>,
    #[serde(default)]
    pub department_ids: Vec<i64>,
    #[serde(default)]
    pub text: String,
}

/// Job arm for `notify.customer`: `key` is the job's dedup key (or any key unique to this notice).
pub async fn customer_job(state: &AppState, payload: &Value, key: &str) -> Result<(), ApiError> {
    let notice: CustomerNotice = serde_json::from_value(payload.clone())
        .map_err(|e| ApiError::invalid("payload", format!("not a notify.customer payload: {e}")))?;
    customer(state, &notice, key).await
}

/// Job arm for `notify.staff`.
pub async fn staff_job(state: &AppState, payload: &Value, key: &str) -> Result<(), ApiError> {
    let notice: StaffNotice = serde_json::from_value(payload.clone())
        .map_err(|e| ApiError::invalid("payload", format!("not a notify.staff payload: {e}")))?;
    staff(state, &notice, key).await
}

/// The language to write to a customer in: Chinese when they wrote Chinese.
pub fn language(t: &Ticket) -> Lang {
    let cjk = t
        .content
        .chars()
        .chain(t.subject.iter().flat_map(|s| s.chars()))
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if cjk {
        Lang::ZhCn
    } else {
        Lang::En
    }
}

fn china_time(t: Timestamp) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

fn common_vars(state: &AppState, t: &Ticket, kind: NotificationKind, given: &Vars) -> Vars {
    let cfg = &state.config.channels;
    let mut vars = Vars::new();
    vars.insert("tracking_no".into(), t.tracking_no.to_string());
    vars.insert("company".into(), cfg.company.clone());
    vars.insert("customer_name".into(), t.customer.name.clone().unwrap_or_default());
    if let Some(url) = &cfg.public_url {
        vars.insert("status_url".into(), format!("{}/track/{}", url.trim_end_matches('/'), t.tracking_no));
    }
    if kind == NotificationKind::Acknowledgement {
        let hours = cfg.first_response_hours;
        vars.insert("first_response_hours".into(), hours.to_string());
        vars.insert("due".into(), china_time(t.received_at + chrono::Duration::hours(hours)));
    }
    for (k, v) in given {
        vars.insert(k.clone(), v.clone());
    }
    vars
}

/// Masks an address for display on the timeline: `zh***@example.com`.
pub fn mask(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().take(2).collect::<String>()),
        None => format!("{}***", addr.chars().take(3).collect::<String>()),
    }
}

/// Queues a customer notification: e-mail when the ticket has an address, else the outbound
/// gateway (SMS/app/WeChat) when one is configured; with no way to reach the customer the
/// delivery is recorded as failed, so the timeline says so.
pub async fn customer(state: &AppState, notice: &CustomerNotice, key: &str) -> Result<(), ApiError> {
    let t = state.store.ticket(TicketId(notice.ticket_id)).await?;
    let parent = match &t.customer.email {
        Some(_) => state.store.channel_key(&format!("email-last:{}", t.id)).await?.and_then(|(_, v)| v),
        None => None,
    };
    let delivery = customer_delivery(state, &t, notice, key, parent).await?;
    enqueue(state, vec![delivery]).await
}

/// The delivery of a customer notification about `t` (see [`customer`]), answering the
/// customer's message `parent` when it goes by e-mail; not queued yet.
pub async fn customer_delivery(
    state: &AppState,
    t: &Ticket,
    notice: &CustomerNotice,
    key: &str,
    parent: Option<String>,
) -> Result<NewDelivery, ApiError> {
    let set = docs::templates(state).await?;
    let vars = common_vars(state, t, notice.kind, &notice.vars);
    let rendered = set.render(notice.kind, language(t), &vars).map_err(|e| ApiError::invalid("vars", e.to_string()))?;
    let kind = serde_json::to_value(notice.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let now = state.now();
    let delivery = if let Some(email) = &t.customer.email {
        let cfg = state.config.channels.smtp.clone().unwrap_or_default();
        let mail = OutboundEmail {
            from: cfg.from.clone(),
            to: email.as_str().to_string(),
            reply_to: cfg.reply_to.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: Some(rendered.html),
            message_id: state.channels.issuer.issue_random(t.id),
            in_reply_to: parent.clone(),
            references: parent.into_iter().collect(),
            ticket: t.id,
            automatic: true,
            date: now,
        };
        NewDelivery {
            key: key.to_string(),
            ticket_id: Some(t.id),
            transport: "email".into(),
            kind,
            target: mask(email.as_str()),
            payload: serde_json::to_value(EmailPayload { email: mail })
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            failed: None,
        }
    } else {
        let gateway = docs::load::<GatewayDoc>(state, "channel:outbound").await?;
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
        let failed = match (&gateway, &contact) {
            (Some(_), Some(_)) => None,
            (None, _) => Some("no e-mail address and no outbound gateway (channel:outbound) configured".to_string()),
            (_, None) => Some("the customer left no contact".to_string()),
        };
        NewDelivery {
            key: key.to_string(),
            ticket_id: Some(t.id),
            transport: "http".into(),
            kind,
            target: contact.as_deref().map(mask).unwrap_or_else(|| "-".into()),
            payload: serde_json::to_value(HttpPayload::Gateway { body })
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            failed,
        }
    };
    Ok(delivery)
}

/// Records deliveries and wakes the outbox worker.
pub async fn enqueue(state: &AppState, list: Vec<NewDelivery>) -> Result<(), ApiError> {
    state.store.add_deliveries(&list, state.now()).await?;
    state.channels.wake.notify_one();
    Ok(())
}

fn alert_title(alert: &str) -> (&'static str, Severity) {
    match alert {
        "new_urgent" => ("新的紧急反馈 / New urgent ticket", Severity::Critical),
        "assigned" => ("反馈已分派给您 / Ticket assigned", Severity::Info),
        "ack_overdue" => ("受理超时 / Acknowledgement overdue", Severity::Warning),
        "sla_warning" => ("即将超时 / SLA warning", Severity::Warning),
        "sla_breach" => ("已超时 / SLA breached", Severity::Critical),
        "unsatisfied" => ("客户不满意 / Customer unsatisfied", Severity::Warning),
        "spike" => ("同类问题激增 / Spike", Severity::Critical),
        "approval_requested" => ("待审批 / Approval requested", Severity::Info),
        _ => ("Loopdesk 提醒 / Alert", Severity::Info),
    }
}

/// Builds the vendor-neutral alert for a staff notice.
pub fn alert(state: &AppState, notice: &StaffNotice, ticket: Option<&Ticket>) -> Alert {
    let (title, severity) = alert_title(&notice.alert);
    let mut fields = Vec::new();
    if let Some(t) = ticket {
        fields.push(("编号".to_string(), t.tracking_no.to_string()));
        fields.push(("优先级".to_string(), t.priority.as_str().to_string()));
        if let Some(s) = &t.subject {
            fields.push(("主题".to_string(), s.chars().take(80).collect()));
        }
    }
    if !notice.text.trim().is_empty() {
        fields.push(("说明".to_string(), notice.text.chars().take(500).collect()));
    }
    let link = match (&state.config.channels.public_url, ticket) {
        (Some(url), Some(t)) => Some(Link {
            label: "打开工单 / Open".into(),
            url: format!("{}/tickets/{}", url.trim_end_matches('/'), t.id),
        }),
        _ => None,
    };
    Alert { title: title.to_string(), severity, fields, link, mentions: Mentions::default() }
}

/// Queues a staff alert: to every robot that takes this alert, and by e-mail to the users
/// and departments named (addresses from the `robots` document).
pub async fn staff(state: &AppState, notice: &StaffNotice, key: &str) -> Result<(), ApiError> {
    let ticket = match notice.ticket_id {
        Some(id) => Some(state.store.ticket(TicketId(id)).await?),
        None => None,
    };
    let doc = docs::load::<RobotsDoc>(state, "robots").await?.unwrap_or_default();
    let alert = alert(state, notice, ticket.as_ref());
    let kind = format!("alert.{}", notice.alert);
    let ticket_id = ticket.as_ref().map(|t| t.id);
    let mut list = Vec::new();
    for r in doc.robots.iter().filter(|r| r.alerts.is_empty() || r.alerts.contains(&notice.alert)) {
        let payload = HttpPayload::Robot { robot: r.name.clone(), alert: alert.clone() };
        list.push(NewDelivery {
            key: format!("{key}:robot:{}", r.name),
            ticket_id,
            transport: "http".into(),
            kind: kind.clone(),
            target: format!("robot {}", r.name),
            payload: serde_json::to_value(payload).map_err(|e| ApiError::Internal(e.to_string()))?,
            failed: None,
        });
    }
    let users = notice.user_ids.iter().filter_map(|u| doc.user_emails.get(&u.to_string()));
    let depts = notice.department_ids.iter().filter_map(|d| doc.department_emails.get(&d.to_string()));
    let mut addresses: Vec<&String> = users.chain(depts).collect();
    addresses.sort();
    addresses.dedup();
    let smtp = state.config.channels.smtp.clone().unwrap_or_default();
    let text: String = alert.fields.iter().map(|(l, v)| format!("{l}: {v}\n")).collect::<String>()
        + &alert.link.as_ref().map(|l| format!("\n{}\n", l.url)).unwrap_or_default();
    for addr in addresses {
        let tracking = ticket.as_ref().map(|t| format!(" {}", t.tracking_no)).unwrap_or_default();
        let mail = OutboundEmail {
            from: smtp.from.clone(),
            to: addr.clone(),
            reply_to: None,
            subject: format!("[Loopdesk] {}{tracking}", alert.title),
            text: text.clone(),
            html: None,
            message_id: state.channels.issuer.issue_random(ticket_id.unwrap_or(TicketId(0))),
            in_reply_to: None,
            references: Vec::new(),
            ticket: ticket_id.unwrap_or(TicketId(0)),
            automatic: true,
            date: state.now(),
        };
        list.push(NewDelivery {
            key: format!("{key}:email:{addr}"),
            ticket_id,
            transport: "email".into(),
            kind: kind.clone(),
            target: mask(addr),
            payload: serde_json::to_value(EmailPayload { email: mail })
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            failed: None,
        });
    }
    enqueue(state, list).await
}

/// The customer notifications a ticket change calls for: information requests, replies
/// (as progress updates) and extensions (the result and the survey are written by the
/// workflow in the change's own transaction). Each is keyed by
/// the event's position, so the same change never notifies twice.
pub async fn after_change(state: &AppState, events: &[Event]) {
    for e in events {
        let (kind, vars): (NotificationKind, Vec<(&str, String)>) = match &e.data {
            EventData::InfoRequested { message } => {
                (NotificationKind::InformationRequest, vec![("questions", message.clone())])
            }
            EventData::Replied { body } => (NotificationKind::ProgressUpdate, vec![("progress", body.clone())]),
            EventData::Extended { until, reason, .. } => {
                (NotificationKind::ExtensionNotice, vec![("reason", reason.clone()), ("new_due", china_time(*until))])
            }
            _ => continue,
        };
        let notice = CustomerNotice {
            ticket_id: e.ticket_id.0,
            kind,
            vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        let key = format!("notify:{}:event:{}", e.ticket_id, e.seq);
        if let Err(err) = customer(state, &notice, &key).await {
            tracing::warn!(ticket = e.ticket_id.0, error = %err, "could not queue a customer notification");
        }
    }
}
