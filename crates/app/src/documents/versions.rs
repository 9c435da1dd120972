//! Looking back through a document's versions: the values in force (defaults filled in),
//! any one version, a line diff between two versions, and a rollback that saves an
//! earlier version's content as a new version — through [`super::save`], so it is
//! validated again and recorded (who, when, "rollback to vN") like any other edit.

use super::channel::{GatewayDoc, RobotsDoc, WebhookDoc, WechatDoc};
use super::{current, defaults_view, parse, save, secrets, shown, DocumentEdit, DocumentKind, DocumentView};
use crate::access::require;
use crate::sla::load::CalendarsDoc;
use crate::{App, AppError};
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::access::Permission;
use loopdesk_core::routing::{RoutingRules, Staffing};
use loopdesk_core::sla::SlaPolicy;
use loopdesk_core::Principal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `body` as it is in force: read into the document's type, so every field a saved version
/// left out shows its default (a saved `{}` staffing document shows its empty lists). A body
/// that no longer reads (written by an older release) is shown as saved.
pub fn effective(kind: &DocumentKind, body: Value) -> Value {
    fn typed<T: serde::de::DeserializeOwned + Serialize>(body: &Value) -> Option<Value> {
        serde_json::to_value(parse::<T>(body).ok()?).ok()
    }
    let filled = match kind {
        DocumentKind::RoutingRules => typed::<RoutingRules>(&body),
        DocumentKind::Staffing => typed::<Staffing>(&body),
        DocumentKind::SlaPolicy => typed::<SlaPolicy>(&body),
        DocumentKind::Calendars => typed::<CalendarsDoc>(&body),
        DocumentKind::Templates => typed::<TemplateSet>(&body),
        DocumentKind::Robots => typed::<RobotsDoc>(&body),
        DocumentKind::ReportSchedules => typed::<crate::summaries::SchedulesDoc>(&body),
        DocumentKind::SpikeRules => typed::<loopdesk_core::report::spike_rules::SpikeRules>(&body),
        DocumentKind::Portal => typed::<crate::portal::branding::PortalDoc>(&body),
        DocumentKind::Macros => typed::<crate::macros::MacrosDoc>(&body),
        DocumentKind::Retention => typed::<loopdesk_core::retention::RetentionPolicy>(&body),
        DocumentKind::Channel(_) if body.is_null() => None,
        DocumentKind::Channel(name) => match name.as_str() {
            "wechat" => typed::<WechatDoc>(&body),
            "outbound" => typed::<GatewayDoc>(&body),
            _ => typed::<WebhookDoc>(&body),
        },
        DocumentKind::ReplyTemplates | DocumentKind::Triage(_) => None,
    };
    secrets::masked(kind, filled.unwrap_or(body))
}

/// The version in force with its values as in force ([`effective`]).
pub async fn current_effective(app: &App, who: &Principal, kind: &DocumentKind) -> Result<DocumentView, AppError> {
    let mut view = current(app, who, kind).await?;
    view.body = effective(kind, view.body);
    Ok(view)
}

/// Version `version` as saved (secrets masked); version 0 is the built-in default.
pub async fn version(app: &App, who: &Principal, kind: &DocumentKind, version: i64) -> Result<DocumentView, AppError> {
    require(who, kind.read_permission())?;
    if version == 0 {
        return defaults_view(kind);
    }
    match app.read().document_version(&kind.name(), version).await? {
        Some(doc) => Ok(shown(kind, doc)),
        None => Err(AppError::NotFound(format!("{} has no version {version}", kind.name()))),
    }
}

/// What a diff line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LineOp {
    /// In both versions.
    Same,
    /// Only in the later version.
    Added,
    /// Only in the earlier version.
    Removed,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffLine {
    pub op: LineOp,
    /// The line's number in the earlier version (absent when added).
    pub old: Option<usize>,
    /// The line's number in the later version (absent when removed).
    pub new: Option<usize>,
    pub text: String,
}

/// A run of changed lines with up to three unchanged lines around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hunk {
    pub lines: Vec<DiffLine>,
}

/// Two versions compared line by line on their pretty-printed JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentDiff {
    pub name: String,
    pub from: i64,
    pub to: i64,
    pub added: usize,
    pub removed: usize,
    /// Empty when the two versions hold the same content.
    pub hunks: Vec<Hunk>,
}

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

/// The line diff from `old` to `new` (pretty JSON, keys in a stable order).
pub fn diff_bodies(old: &Value, new: &Value) -> (Vec<Hunk>, usize, usize) {
    let (a, b) = (pretty(old), pretty(new));
    let diff = similar::TextDiff::from_lines(&a, &b);
    let (mut added, mut removed) = (0, 0);
    let hunks = diff
        .grouped_ops(CONTEXT)
        .iter()
        .map(|group| {
            let lines = group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .map(|c| {
                    let op = match c.tag() {
                        similar::ChangeTag::Equal => LineOp::Same,
                        similar::ChangeTag::Insert => {
                            added += 1;
                            LineOp::Added
                        }
                        similar::ChangeTag::Delete => {
                            removed += 1;
                            LineOp::Removed
                        }
                    };
                    DiffLine {
                        op,
                        old: c.old_index().map(|i| i + 1),
                        new: c.new_index().map(|i| i + 1),
                        text: c.value().trim_end_matches('\n').to_string(),
                    }
                })
                .collect();
            Hunk { lines }
        })
        .collect();
    (hunks, added, removed)
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// The diff from version `from` to version `to` (`None`: the version in force), both as
/// saved (secrets masked on both sides, so a changed secret shows as unchanged).
pub async fn diff(
    app: &App,
    who: &Principal,
    kind: &DocumentKind,
    from: i64,
    to: Option<i64>,
) -> Result<DocumentDiff, AppError> {
    let later = match to {
        Some(n) => version(app, who, kind, n).await?,
        None => current(app, who, kind).await?,
    };
    let earlier = version(app, who, kind, from).await?;
    let (hunks, added, removed) = diff_bodies(&earlier.body, &later.body);
    Ok(DocumentDiff { name: kind.name(), from: earlier.version, to: later.version, added, removed, hunks })
}

/// A rollback: which version's content to save again, based on the version the admin saw.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    /// The earlier version whose content becomes the new version (0: the built-in defaults).
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub version: i64,
    /// The version in force when the admin chose; 409 `stale_version` if it moved since.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub expected_version: i64,
    /// Why (added to the recorded "rollback to vN"), at most 400 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 400))]
    pub comment: String,
}

/// Saves version `r.version`'s content as a new version (admins), validated against what is
/// in force now (a calendar a policy names must still exist, say); the version's comment
/// records the rollback.
pub async fn rollback(app: &App, who: &Principal, kind: &DocumentKind, r: Rollback) -> Result<DocumentView, AppError> {
    require(who, Permission::Administer)?;
    if r.comment.chars().count() > 400 {
        return Err(AppError::invalid("comment", "must be at most 400 characters"));
    }
    // The stored body, secrets included: a rollback restores them too.
    let body = match r.version {
        0 => kind.defaults()?,
        n if n < 0 => return Err(AppError::invalid("version", "must be 0 or more")),
        n => match app.read().document_version(&kind.name(), n).await? {
            Some(doc) => doc.body,
            None => return Err(AppError::invalid("version", format!("{} has no version {n}", kind.name()))),
        },
    };
    if r.version >= r.expected_version && r.expected_version > 0 {
        return Err(AppError::invalid("version", "choose a version older than the one in force"));
    }
    let mut comment = format!("rollback to v{}", r.version);
    if !r.comment.trim().is_empty() {
        comment = format!("{comment}: {}", r.comment.trim());
    }
    let edit = DocumentEdit { expected_version: r.expected_version, body, comment };
    save(app, who, kind, edit).await.map_err(|e| match e {
        // The old content no longer passes today's checks: say so on `version`, with why.
        AppError::Invalid { message, field, .. } => AppError::Invalid {
            code: "rollback_invalid",
            field: Some("version".into()),
            message: format!("v{} cannot be restored: {} ({message})", r.version, field.unwrap_or_default()),
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_marks_added_and_removed_lines_with_their_numbers() {
        let (hunks, added, removed) = diff_bodies(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3, "c": 4}));
        assert_eq!((added, removed), (2, 1));
        let lines = &hunks[0].lines;
        let changed: Vec<_> = lines.iter().filter(|l| l.op != LineOp::Same).map(|l| (l.op, l.text.trim())).collect();
        assert_eq!(changed, [(LineOp::Removed, "\"b\": 2"), (LineOp::Added, "\"b\": 3,"), (LineOp::Added, "\"c\": 4")]);
        assert_eq!(lines.iter().find(|l| l.op == LineOp::Removed).and_then(|l| l.old), Some(3));
        assert!(diff_bodies(&json!({"a": 1}), &json!({"a": 1})).0.is_empty());
    }

    #[test]
    fn the_effective_body_fills_in_defaults() {
        let shown = effective(&DocumentKind::Staffing, json!({}));
        assert!(shown.as_object().is_some_and(|o| !o.is_empty()), "{shown}");
        // Unreadable bodies are shown as saved.
        assert_eq!(effective(&DocumentKind::SlaPolicy, json!({"x": 1})), json!({"x": 1}));
    }
}
