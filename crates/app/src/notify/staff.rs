//! Staff alerts: to every robot that takes the alert, and by e-mail to the users and
//! departments named (addresses from the `robots` document). Who supervises a department
//! is read when the alert is sent, so an alert owed inside a change needs no look-up there.

use super::mask;
use crate::documents::channel::RobotsDoc;
use crate::documents::{load_or_default, DocumentKind};
use crate::keys::Key;
use crate::outbound::{EmailPayload, HttpPayload};
use crate::{App, AppError};
use loopdesk_channels::email::OutboundEmail;
use loopdesk_channels::robots::{Alert, Link, Mentions, Severity};
use loopdesk_core::routing::Staffing;
use loopdesk_core::{DepartmentId, Role, Ticket, TicketId, UserId};
use loopdesk_store::NewDelivery;
use serde::{Deserialize, Serialize};

loopdesk_core::named_enum! {
    /// What an alert is about.
    StaffAlert {
        NewUrgent = "new_urgent",
        Assigned = "assigned",
        AckOverdue = "ack_overdue",
        SlaWarning = "sla_warning",
        SlaBreach = "sla_breach",
        Unsatisfied = "unsatisfied",
        Spike = "spike",
        ApprovalRequested = "approval_requested",
        ActionOverdue = "action_overdue",
        ProblemOverdue = "problem_overdue",
        ProblemRecurred = "problem_recurred",
        CalendarSchedule = "calendar_schedule",
    }
}

impl StaffAlert {
    fn title(self) -> (&'static str, Severity) {
        match self {
            StaffAlert::NewUrgent => ("新的紧急反馈 / New urgent ticket", Severity::Critical),
            StaffAlert::Assigned => ("反馈已分派给您 / Ticket assigned", Severity::Info),
            StaffAlert::AckOverdue => ("受理超时 / Acknowledgement overdue", Severity::Warning),
            StaffAlert::SlaWarning => ("即将超时 / SLA warning", Severity::Warning),
            StaffAlert::SlaBreach => ("已超时 / SLA breached", Severity::Critical),
            StaffAlert::Unsatisfied => ("客户不满意 / Customer unsatisfied", Severity::Warning),
            StaffAlert::Spike => ("同类问题激增 / Spike", Severity::Critical),
            StaffAlert::ApprovalRequested => ("待审批 / Approval requested", Severity::Info),
            StaffAlert::ActionOverdue => ("改进措施逾期 / Improvement action overdue", Severity::Warning),
            StaffAlert::ProblemOverdue => ("问题处理逾期 / Problem overdue", Severity::Warning),
            StaffAlert::ProblemRecurred => ("问题再次出现 / Problem recurred", Severity::Warning),
            StaffAlert::CalendarSchedule => {
                ("节假日安排即将用完 / Official holiday schedule ending", Severity::Warning)
            }
        }
    }
}

/// Who an alert is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    #[serde(default, rename = "user_ids")]
    pub users: Vec<UserId>,
    #[serde(default, rename = "department_ids")]
    pub departments: Vec<DepartmentId>,
    /// Also whoever supervises the ticket's department (the staffing document's
    /// supervisor, else every active supervisor), read when the alert is sent.
    #[serde(default)]
    pub supervisors: bool,
}

impl Recipients {
    /// The supervisors of the ticket's department.
    pub fn supervisors() -> Recipients {
        Recipients { supervisors: true, ..Recipients::default() }
    }
}

/// An alert to staff; no customer data in `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffNotice {
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    pub alert: StaffAlert,
    #[serde(flatten)]
    pub to: Recipients,
    #[serde(default)]
    pub text: String,
}

/// Every active supervisor, those of `department` first (the staffing document's named
/// supervisor, else the supervisors who belong to it).
pub async fn supervisors_of(app: &App, department: Option<DepartmentId>) -> Result<Vec<UserId>, AppError> {
    let staffing: Staffing = load_or_default(app, &DocumentKind::Staffing).await?;
    if let Some(s) = department.and_then(|d| staffing.supervisor_of(d)) {
        return Ok(vec![s]);
    }
    let all: Vec<_> =
        app.read().users().await?.into_iter().filter(|u| u.active && u.role == Role::Supervisor).collect();
    let own: Vec<UserId> =
        all.iter().filter(|u| department.is_some() && u.department_id == department).map(|u| u.id).collect();
    Ok(if own.is_empty() { all.iter().map(|u| u.id).collect() } else { own })
}

/// The vendor-neutral card a robot shows for an alert.
pub fn alert_card(public_url: Option<&str>, notice: &StaffNotice, ticket: Option<&Ticket>) -> Alert {
    let (title, severity) = notice.alert.title();
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
    let link = match (public_url, ticket) {
        (Some(url), Some(t)) => Some(Link {
            label: "打开工单 / Open".into(),
            url: format!("{}/tickets/{}", url.trim_end_matches('/'), t.id),
        }),
        _ => None,
    };
    Alert { title: title.to_string(), severity, fields, link, mentions: Mentions::default() }
}

impl StaffNotice {
    /// An alert about `ticket`.
    pub fn about(ticket: &Ticket, alert: StaffAlert, to: Recipients, text: String) -> StaffNotice {
        StaffNotice { ticket_id: Some(ticket.id), alert, to, text }
    }

    /// Composes and queues the alert's deliveries (once per `key`): the job's work.
    pub async fn send(&self, app: &App, key: &Key) -> Result<(), AppError> {
        let ticket = match self.ticket_id {
            Some(id) => Some(app.read().ticket(id).await?),
            None => None,
        };
        let doc: RobotsDoc = load_or_default(app, &DocumentKind::Robots).await?;
        let mut users = self.to.users.clone();
        if self.to.supervisors {
            users.extend(supervisors_of(app, ticket.as_ref().and_then(|t| t.department_id)).await?);
        }
        let alert = alert_card(app.config.channels.public_url.as_deref(), self, ticket.as_ref());
        let kind = format!("alert.{}", self.alert);
        let ticket_id = ticket.as_ref().map(|t| t.id);
        let mut list = Vec::new();
        for r in doc.robots.iter().filter(|r| r.alerts.is_empty() || r.alerts.iter().any(|a| a == self.alert.as_str()))
        {
            let payload = HttpPayload::Robot { robot: r.name.clone(), alert: alert.clone() };
            list.push(NewDelivery {
                key: key.robot_delivery(&r.name).to_string(),
                ticket_id,
                transport: "http".into(),
                kind: kind.clone(),
                target: format!("robot {}", r.name),
                payload: serde_json::to_value(payload)?,
                failed: None,
            });
        }
        let by_user = users.iter().filter_map(|u| doc.user_emails.get(&u.to_string()));
        let by_dept = self.to.departments.iter().filter_map(|d| doc.department_emails.get(&d.to_string()));
        let mut addresses: Vec<&String> = by_user.chain(by_dept).collect();
        addresses.sort();
        addresses.dedup();
        let smtp = app.config.channels.smtp.clone().unwrap_or_default();
        let text: String = alert.fields.iter().map(|(l, v)| format!("{l}: {v}\n")).collect::<String>()
            + &alert.link.as_ref().map(|l| format!("\n{}\n", l.url)).unwrap_or_default();
        let on = ticket_id.unwrap_or(TicketId(0));
        for addr in addresses {
            let tracking = ticket.as_ref().map(|t| format!(" {}", t.tracking_no)).unwrap_or_default();
            let mail = OutboundEmail {
                from: smtp.from.clone(),
                to: addr.clone(),
                reply_to: None,
                subject: format!("[Loopdesk] {}{tracking}", alert.title),
                text: text.clone(),
                html: None,
                message_id: app.outbound.issuer.issue_random(on),
                in_reply_to: None,
                references: Vec::new(),
                ticket: on,
                automatic: true,
                date: app.now(),
                attachments: Vec::new(),
            };
            list.push(NewDelivery {
                key: key.email_delivery(addr).to_string(),
                ticket_id,
                transport: "email".into(),
                kind: kind.clone(),
                target: mask(addr),
                payload: serde_json::to_value(EmailPayload { email: mail })?,
                failed: None,
            });
        }
        app.store.add_deliveries(&list, app.now()).await?;
        Ok(())
    }
}
