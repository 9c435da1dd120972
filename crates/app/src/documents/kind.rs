//! Which document: its stored name, who may read it, and its built-in default.

use super::channel::RobotsDoc;
use crate::sla::load::CalendarsDoc;
use crate::triage::engine::RulePart;
use crate::AppError;
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::access::Permission;
use loopdesk_core::routing::{RoutingRules, Staffing};
use loopdesk_core::sla::SlaPolicy;
use serde_json::Value;

/// A configuration document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Which department and skills a ticket goes to.
    RoutingRules,
    /// Skills, duty calendars, leave and supervisors.
    Staffing,
    /// SLA targets per priority.
    SlaPolicy,
    /// Business calendars (working hours, holidays, make-up days).
    Calendars,
    /// Customer notification templates (zh-CN and en).
    Templates,
    /// Group robots and staff e-mail addresses for alerts.
    Robots,
    /// Standard replies agents insert (标准应答话术).
    ReplyTemplates,
    /// Weekly and monthly summaries sent to staff.
    ReportSchedules,
    /// One channel's settings: `wechat`, `outbound` (the notification gateway) or a webhook
    /// source.
    Channel(ChannelName),
    /// One part of the triage rules.
    Triage(RulePart),
    /// Which spikes are watched: window, history, admin thresholds.
    SpikeRules,
    /// The customer portal: branding, and what an unsatisfied customer is promised.
    Portal,
    /// Macros: saved field changes plus a reply, applied to a ticket in one click
    /// (managed by supervisors through `/api/v1/macros`).
    Macros,
    /// How long finished tickets keep personal data, by category and channel.
    Retention,
}

/// A channel's name: 1 to 64 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelName(String);

impl ChannelName {
    /// Checks a name given by a client.
    pub fn parse(name: &str) -> Result<ChannelName, AppError> {
        let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if ok {
            Ok(ChannelName(name.to_string()))
        } else {
            Err(AppError::invalid("name", "use 1 to 64 letters, digits, '-' or '_'"))
        }
    }

    /// The WeChat official account.
    pub fn wechat() -> ChannelName {
        ChannelName("wechat".into())
    }

    /// The gateway that carries SMS/app/WeChat notifications.
    pub fn outbound() -> ChannelName {
        ChannelName("outbound".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl DocumentKind {
    /// Every document with a fixed name, in the order an admin meets them.
    pub const FIXED: [DocumentKind; 11] = [
        DocumentKind::SlaPolicy,
        DocumentKind::Calendars,
        DocumentKind::RoutingRules,
        DocumentKind::Staffing,
        DocumentKind::Templates,
        DocumentKind::ReplyTemplates,
        DocumentKind::Robots,
        DocumentKind::ReportSchedules,
        DocumentKind::SpikeRules,
        DocumentKind::Portal,
        DocumentKind::Retention,
    ];

    /// The document stored under `name`.
    pub fn parse(name: &str) -> Option<DocumentKind> {
        if let Some(part) = name.strip_prefix("triage.") {
            return RulePart::parse(part).map(DocumentKind::Triage);
        }
        if name == "macros" {
            return Some(DocumentKind::Macros);
        }
        if let Some(channel) = name.strip_prefix("channel:") {
            return ChannelName::parse(channel).ok().map(DocumentKind::Channel);
        }
        DocumentKind::FIXED.into_iter().find(|k| k.name() == name)
    }

    /// Every document an admin can open, besides webhook sources named by their channel.
    pub fn listed() -> Vec<DocumentKind> {
        let mut all = DocumentKind::FIXED.to_vec();
        all.push(DocumentKind::Channel(ChannelName::wechat()));
        all.push(DocumentKind::Channel(ChannelName::outbound()));
        all.extend(RulePart::ALL.iter().map(|p| DocumentKind::Triage(*p)));
        all
    }

    /// The name the document is stored under.
    pub fn name(&self) -> String {
        match self {
            DocumentKind::RoutingRules => "routing_rules".into(),
            DocumentKind::Staffing => "staffing".into(),
            DocumentKind::SlaPolicy => "sla_policy".into(),
            DocumentKind::Calendars => "calendars".into(),
            DocumentKind::Templates => "templates".into(),
            DocumentKind::Robots => "robots".into(),
            DocumentKind::ReplyTemplates => "reply_templates".into(),
            DocumentKind::ReportSchedules => "report_schedules".into(),
            DocumentKind::Channel(c) => format!("channel:{}", c.as_str()),
            DocumentKind::Triage(p) => format!("triage.{}", p.as_str()),
            DocumentKind::SpikeRules => "spike_rules".into(),
            DocumentKind::Portal => "portal".into(),
            DocumentKind::Macros => "macros".into(),
            DocumentKind::Retention => "retention".into(),
        }
    }

    /// Who may read it: the routing and triage rules are a supervisor's working knowledge;
    /// the rest holds secrets or system settings.
    pub fn read_permission(&self) -> Permission {
        match self {
            DocumentKind::RoutingRules
            | DocumentKind::Staffing
            | DocumentKind::Triage(_)
            | DocumentKind::ReplyTemplates
            | DocumentKind::SpikeRules
            | DocumentKind::Macros => Permission::Supervise,
            _ => Permission::Administer,
        }
    }

    /// Who may save a new version: supervisors keep their team's macros; everything else
    /// is an admin's.
    pub fn write_permission(&self) -> Permission {
        match self {
            DocumentKind::Macros => Permission::Supervise,
            _ => Permission::Administer,
        }
    }

    /// Whether a new version must say why (the triage rules decide every ticket's priority;
    /// the retention policy decides when personal data is destroyed).
    pub fn needs_comment(&self) -> bool {
        matches!(self, DocumentKind::Triage(_) | DocumentKind::Retention)
    }

    /// What is in force while no version was saved.
    pub fn defaults(&self) -> Result<Value, AppError> {
        fn json<T: serde::Serialize>(v: T) -> Result<Value, AppError> {
            Ok(serde_json::to_value(v)?)
        }
        match self {
            DocumentKind::RoutingRules => json(RoutingRules::default()),
            DocumentKind::Staffing => json(Staffing::default()),
            DocumentKind::SlaPolicy => json(SlaPolicy::default()),
            DocumentKind::Calendars => json(CalendarsDoc::defaults()),
            DocumentKind::Templates => json(TemplateSet::builtin()),
            DocumentKind::Robots => json(RobotsDoc::default()),
            DocumentKind::ReplyTemplates => Ok(super::reply_templates::defaults()),
            DocumentKind::ReportSchedules => json(crate::summaries::SchedulesDoc::default()),
            DocumentKind::Channel(_) => Ok(Value::Null),
            DocumentKind::Triage(p) => p.defaults().map_err(|e| AppError::internal(e.to_string())),
            DocumentKind::SpikeRules => json(loopdesk_core::report::spike_rules::SpikeRules::default()),
            DocumentKind::Portal => json(crate::portal::branding::PortalDoc::default()),
            DocumentKind::Macros => json(crate::macros::MacrosDoc::default()),
            DocumentKind::Retention => json(loopdesk_core::retention::RetentionPolicy::default()),
        }
    }
}
