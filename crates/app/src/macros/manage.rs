//! Managing macros one at a time over the versioned `macros` document: each create, edit
//! or removal is a new version saved through [`documents::save`] (validated, refused when
//! another edit got there first, naming who made it), and applying one to a ticket.

use super::{Macro, MacrosDoc};
use crate::access::require;
use crate::documents::{self, DocumentEdit, DocumentKind, DocumentView};
use crate::tickets::actions::{perform_all, Done};
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::{Principal, TicketId};

/// The macros in force and the version they come from.
#[derive(Debug, Clone)]
pub struct Listed {
    pub version: i64,
    pub macros: Vec<Macro>,
}

/// The document in force, read without a permission check (agents apply macros; the
/// document's history is a supervisor's).
async fn in_force(app: &App) -> Result<Listed, AppError> {
    let kind = DocumentKind::Macros;
    match app.read().document(&kind.name()).await? {
        Some(doc) => {
            let body: MacrosDoc = documents::parse(&doc.body)?;
            Ok(Listed { version: doc.version, macros: body.macros })
        }
        None => Ok(Listed { version: 0, macros: Vec::new() }),
    }
}

/// Every macro (anyone who works on tickets).
pub async fn list(app: &App, who: &Principal) -> Result<Listed, AppError> {
    require(who, Permission::Work)?;
    in_force(app).await
}

/// One macro by id.
pub async fn get(app: &App, who: &Principal, id: &str) -> Result<Macro, AppError> {
    list(app, who).await?.macros.into_iter().find(|m| m.id == id).ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("no macro {id}"))
}

/// Saves `macros` as the version after `base`, saying what changed.
async fn save(app: &App, who: &Principal, base: i64, macros: Vec<Macro>, comment: String) -> Result<(), AppError> {
    let body = serde_json::to_value(MacrosDoc { macros })?;
    let edit = DocumentEdit { expected_version: base, body, comment };
    documents::save(app, who, &DocumentKind::Macros, edit).await?;
    Ok(())
}

/// Adds a macro (supervisors); its id must be new.
pub async fn create(app: &App, who: &Principal, m: Macro) -> Result<Macro, AppError> {
    require(who, Permission::Supervise)?;
    super::check(app, &m, "").await?;
    let Listed { version, mut macros } = in_force(app).await?;
    if macros.iter().any(|x| x.id == m.id) {
        return Err(AppError::Conflict {
            code: "macro_exists",
            message: format!("a macro {} exists; edit it instead", m.id),
            field: Some("id".into()),
        });
    }
    macros.push(m.clone());
    save(app, who, version, macros, format!("macro {} created", m.id)).await?;
    Ok(m)
}

/// Replaces macro `id` (supervisors); the body's id must be `id`.
pub async fn update(app: &App, who: &Principal, id: &str, m: Macro) -> Result<Macro, AppError> {
    require(who, Permission::Supervise)?;
    if m.id != id {
        return Err(AppError::invalid("id", "the id in the body must be the one in the path"));
    }
    super::check(app, &m, "").await?;
    let Listed { version, mut macros } = in_force(app).await?;
    let slot = macros.iter_mut().find(|x| x.id == id).ok_or_else(|| not_found(id))?;
    *slot = m.clone();
    save(app, who, version, macros, format!("macro {id} changed")).await?;
    Ok(m)
}

/// Removes macro `id` (supervisors).
pub async fn delete(app: &App, who: &Principal, id: &str) -> Result<(), AppError> {
    require(who, Permission::Supervise)?;
    let Listed { version, mut macros } = in_force(app).await?;
    let before = macros.len();
    macros.retain(|x| x.id != id);
    if macros.len() == before {
        return Err(not_found(id));
    }
    save(app, who, version, macros, format!("macro {id} removed")).await
}

/// Replaces the whole list at once (supervisors; the console's form), as the version
/// after `base`, the one the editor saw, with the editor's comment. Every macro is
/// checked; a refusal names it (`body.macros[2].category`).
pub async fn replace(
    app: &App,
    who: &Principal,
    base: i64,
    macros: Vec<Macro>,
    comment: String,
) -> Result<(), AppError> {
    require(who, Permission::Supervise)?;
    save(app, who, base, macros, comment).await
}

/// Every saved version of the macros, newest first: who changed what, when.
pub async fn history(app: &App, who: &Principal, limit: u32) -> Result<Vec<DocumentView>, AppError> {
    documents::history(app, who, &DocumentKind::Macros, limit).await
}

/// Applies macro `id` to ticket `ticket` as `who`: its field changes and its reply, in the
/// ticket's language, in one change.
pub async fn apply(app: &App, who: &Principal, ticket: TicketId, id: &str) -> Result<Done, AppError> {
    let m = get(app, who, id).await?;
    let p = require(who, Permission::Work)?;
    let t = crate::access::visible(app, p, ticket).await?;
    let actions = m.actions(&t, &p.name);
    perform_all(app, who, ticket, actions).await
}
