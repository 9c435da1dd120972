//! Checking a new version of each document into its typed form before it is saved, and
//! putting a saved version in force.

use super::channel::{GatewayDoc, RobotsDoc, WebhookDoc, WechatDoc};
use super::{parse, DocumentEdit, DocumentKind};
use crate::sla::load::{compile, CalendarsDoc};
use crate::{App, AppError};
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::routing::{ConfigError, RoutingRules, Staffing};
use loopdesk_core::sla::SlaPolicy;
use serde_json::{json, Value};

fn config_error(e: ConfigError) -> AppError {
    AppError::invalid(format!("body.{}", e.field), e.message)
}

fn body_error(e: impl std::fmt::Display) -> AppError {
    AppError::invalid("body", e.to_string())
}

/// The body to save: `edit.body` checked (and, for the SLA documents, normalised).
pub(super) async fn checked(app: &App, kind: &DocumentKind, edit: &DocumentEdit) -> Result<Value, AppError> {
    let body = &edit.body;
    match kind {
        DocumentKind::RoutingRules => {
            let rules: RoutingRules = parse(body)?;
            let departments: Vec<_> = app.read().departments().await?.into_iter().map(|d| d.id).collect();
            rules.validate(&departments).map_err(config_error)?;
        }
        DocumentKind::Staffing => {
            let staffing: Staffing = parse(body)?;
            let departments: Vec<_> = app.read().departments().await?.into_iter().map(|d| d.id).collect();
            let users: Vec<_> = app.read().users().await?.into_iter().map(|u| u.id).collect();
            staffing.validate(&app.sla.get().calendars, &departments, &users).map_err(config_error)?;
        }
        DocumentKind::SlaPolicy => {
            let policy: SlaPolicy = parse(body)?;
            app.sla.refresh(app.read()).await?;
            policy.validate(&app.sla.get().calendars).map_err(body_error)?;
            return Ok(serde_json::to_value(&policy)?);
        }
        DocumentKind::Calendars => {
            let cals: CalendarsDoc = parse(body)?;
            let compiled = compile(&cals).map_err(|(field, message)| AppError::invalid(field, message))?;
            app.sla.refresh(app.read()).await?;
            // The policy in force must still find every calendar it names.
            app.sla.get().policy.validate(&compiled).map_err(body_error)?;
            return Ok(serde_json::to_value(&cals)?);
        }
        DocumentKind::Templates => {
            let set: TemplateSet = parse(body)?;
            set.validate().map_err(body_error)?;
        }
        DocumentKind::Robots => {
            let _: RobotsDoc = parse(body)?;
        }
        DocumentKind::SpikeRules => {
            let rules: loopdesk_core::report::spike_rules::SpikeRules = parse(body)?;
            rules.validate().map_err(|(field, message)| AppError::invalid(field, message))?;
        }
        DocumentKind::Portal => {
            // serde reads a struct from an array of its fields too; the document's sections
            // are objects and nothing else.
            for key in ["branding", "unsatisfied"] {
                if body.get(key).is_some_and(|v| !v.is_object()) {
                    return Err(AppError::invalid(format!("body.{key}"), "expected an object"));
                }
            }
            let doc: crate::portal::branding::PortalDoc = parse(body)?;
            doc.validate()?;
        }
        DocumentKind::Retention => {
            let policy: loopdesk_core::retention::RetentionPolicy = parse(body)?;
            policy.validate(app.config.retention.floor_days).map_err(|e| match e {
                loopdesk_core::DomainError::Invalid { field, message } => {
                    AppError::invalid(format!("body.{field}"), message)
                }
                other => other.into(),
            })?;
            return Ok(serde_json::to_value(&policy)?);
        }
        DocumentKind::ReplyTemplates => {
            super::reply_templates::validate(body)?;
        }
        DocumentKind::Macros => {
            let doc = crate::macros::validate(app, body).await?;
            return Ok(serde_json::to_value(&doc)?);
        }
        DocumentKind::ReportSchedules => {
            let doc: crate::summaries::SchedulesDoc = parse(body)?;
            crate::summaries::validate(&doc)?;
        }
        DocumentKind::Channel(name) => match name.as_str() {
            "wechat" => {
                let doc: WechatDoc = parse(body)?;
                if let Some(k) = doc.encoding_aes_key.as_deref().filter(|k| !k.is_empty()) {
                    loopdesk_channels::wechat::EncodingAesKey::parse(k).map_err(body_error)?;
                }
            }
            "outbound" => {
                let doc: GatewayDoc = parse(body)?;
                if !doc.url.starts_with("https://") && !doc.url.starts_with("http://") {
                    return Err(AppError::invalid("body.url", "must be an http(s) URL"));
                }
            }
            _ => {
                let doc: WebhookDoc = parse(body)?;
                if doc.secret.len() < 16 {
                    return Err(AppError::invalid("body.secret", "must be at least 16 characters"));
                }
            }
        },
        DocumentKind::Triage(part) => {
            let version = edit.expected_version + 1;
            // Building an engine with the new rules is the validation: what it refuses is refused.
            part.apply(app.triage.current().as_ref().clone(), body, version)?;
            let mut body = body.clone();
            if let Some(obj) = body.as_object_mut() {
                obj.insert("version".into(), json!(version));
            }
            return Ok(body);
        }
    }
    Ok(body.clone())
}

/// Puts a just-saved version in force on this node.
pub(super) async fn in_force(app: &App, kind: &DocumentKind) -> Result<(), AppError> {
    match kind {
        DocumentKind::SlaPolicy | DocumentKind::Calendars => {
            app.sla.refresh(app.read()).await?;
            // Open tickets are rescheduled against the new policy or calendars.
            crate::jobs::enqueue_now(app, &crate::jobs::sla::Recompute::from_start()).await?;
            crate::reports::follow_company_zone(app).await?;
        }
        DocumentKind::Triage(_) => {
            app.triage.reload_if_changed(app.read()).await?;
        }
        DocumentKind::Portal => {
            app.documents.refresh(app.read()).await?;
            // The promise to unsatisfied customers is an SLA clock: reschedule open tickets.
            app.sla.refresh(app.read()).await?;
            crate::jobs::enqueue_now(app, &crate::jobs::sla::Recompute::from_start()).await?;
        }
        DocumentKind::Templates | DocumentKind::Robots | DocumentKind::Channel(_) => {
            app.documents.refresh(app.read()).await?;
        }
        DocumentKind::RoutingRules | DocumentKind::Staffing => app.router.invalidate(),
        DocumentKind::ReplyTemplates | DocumentKind::SpikeRules | DocumentKind::Macros | DocumentKind::Retention => {}
        // The next sending of each schedule, at its new time.
        DocumentKind::ReportSchedules => crate::summaries::ensure(app).await?,
    }
    Ok(())
}
