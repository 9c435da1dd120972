//! The admin-edited configuration documents — routing rules, staffing, SLA policy,
//! calendars, notification templates, robots, channel settings and the triage rules — as
//! one versioned resource: read what is in force (the built-in defaults until a version is
//! saved), read the history, save a new version based on the one read (a stale base is
//! refused). Every save is validated into the document's typed form first and then takes
//! effect on this node at once (and on the others when they next look).

mod cache;
pub mod channel;
mod kind;
pub mod reply_templates;
pub mod secrets;
mod validate;
mod versions;

pub use cache::{maintain, Cache};
pub use kind::{ChannelName, DocumentKind};
pub use versions::{
    current_effective, diff, diff_bodies, effective, rollback, version, DiffLine, DocumentDiff, Hunk, LineOp, Rollback,
};

use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::Principal;
use loopdesk_core::Timestamp;
use loopdesk_store::{Document, DocumentChange};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Versions a history lists at most.
pub const MAX_HISTORY: u32 = 500;
/// Longest comment kept with a version.
pub const MAX_COMMENT: usize = 500;

/// One version of a document as the API shows it; version 0 is the built-in default.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentView {
    pub name: String,
    pub version: i64,
    pub body: Value,
    pub changed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub changed_at: Option<Timestamp>,
    pub comment: Option<String>,
}

impl From<Document> for DocumentView {
    fn from(d: Document) -> DocumentView {
        DocumentView {
            name: d.name,
            version: d.version,
            body: d.body,
            changed_by: Some(d.changed_by),
            changed_at: Some(d.changed_at),
            comment: Some(d.comment),
        }
    }
}

/// A new version, based on the one the editor read.
#[derive(Debug, Clone)]
pub struct DocumentEdit {
    /// The version the edit started from; 0 when none was saved yet.
    pub expected_version: i64,
    pub body: Value,
    pub comment: String,
}

/// The version in force: the newest saved, else the built-in default as version 0.
pub async fn current(app: &App, who: &Principal, kind: &DocumentKind) -> Result<DocumentView, AppError> {
    require(who, kind.read_permission())?;
    match app.read().document(&kind.name()).await? {
        Some(doc) => Ok(shown(kind, doc)),
        None => defaults_view(kind),
    }
}

/// The built-in default of `kind`, shown as version 0.
pub(crate) fn defaults_view(kind: &DocumentKind) -> Result<DocumentView, AppError> {
    Ok(DocumentView {
        name: kind.name(),
        version: 0,
        body: kind.defaults()?,
        changed_by: None,
        changed_at: None,
        comment: Some("built-in defaults".into()),
    })
}

/// Saved versions, newest first.
pub async fn history(
    app: &App,
    who: &Principal,
    kind: &DocumentKind,
    limit: u32,
) -> Result<Vec<DocumentView>, AppError> {
    require(who, kind.read_permission())?;
    let docs = app.read().document_history(&kind.name(), limit.clamp(1, MAX_HISTORY)).await?;
    Ok(docs.into_iter().map(|d| shown(kind, d)).collect())
}

/// A saved version as shown: secrets masked ([`secrets`]).
fn shown(kind: &DocumentKind, doc: Document) -> DocumentView {
    let mut view = DocumentView::from(doc);
    view.body = secrets::masked(kind, view.body);
    view
}

/// Validates and saves a new version (admins only; supervisors for the macros), then puts
/// it in force. Secrets written
/// back masked or left out keep their saved values.
pub async fn save(
    app: &App,
    who: &Principal,
    kind: &DocumentKind,
    mut edit: DocumentEdit,
) -> Result<DocumentView, AppError> {
    require(who, kind.write_permission())?;
    let saved = app.read().document(&kind.name()).await?.map(|d| d.body);
    edit.body = secrets::restored(kind, edit.body, saved.as_ref());
    let comment = edit.comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid("comment", format!("must be at most {MAX_COMMENT} characters")));
    }
    if kind.needs_comment() && comment.is_empty() {
        return Err(AppError::invalid("comment", "say in 1 to 500 characters why the rules change"));
    }
    let body = validate::checked(app, kind, &edit).await?;
    // Versions name who saved them by username: stable, unlike display names.
    let by = app.read().user(who.user_id).await?.username;
    let change = DocumentChange {
        name: &kind.name(),
        expected_version: edit.expected_version,
        body: &body,
        changed_by: &by,
        comment,
        now: app.now(),
    };
    let doc = app.store.put_document(change).await?;
    validate::in_force(app, kind).await?;
    Ok(shown(kind, doc))
}

/// The saved document `kind` as `T`; `None` when it was never saved.
pub async fn load<T: DeserializeOwned>(app: &App, kind: &DocumentKind) -> Result<Option<T>, AppError> {
    match app.read().document(&kind.name()).await? {
        Some(doc) => serde_json::from_value(doc.body)
            .map(Some)
            .map_err(|e| AppError::internal(format!("document {} does not match its type: {e}", kind.name()))),
        None => Ok(None),
    }
}

/// The saved document `kind` as `T`, or `T::default()` when there is none yet.
pub async fn load_or_default<T: DeserializeOwned + Default>(app: &App, kind: &DocumentKind) -> Result<T, AppError> {
    Ok(load(app, kind).await?.unwrap_or_default())
}

/// A document body read into its type; the error names the field inside it
/// (`body.rules[2].departments`).
pub fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_string() } else { format!("body.{path}") };
        AppError::invalid(field, e.into_inner().to_string())
    })
}
