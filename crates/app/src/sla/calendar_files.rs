//! A business calendar's listed days as files an admin exchanges with other tools: CSV
//! (`date,kind,name`) and iCalendar. Importing replaces the calendar's days through the
//! calendars document (validated, versioned, then in force like any edit).

use super::load::CalendarsDoc;
use crate::access::require;
use crate::documents::{self, DocumentEdit, DocumentKind};
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::calendar::CalendarSpec;
use loopdesk_core::Principal;

/// The exchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ical,
}

/// A calendar's days as a file, with the document version it was read from.
#[derive(Debug, Clone)]
pub struct DaysFile {
    pub text: String,
    pub version: i64,
}

/// The calendars document in force (the built-in calendars when none was saved).
async fn in_force(app: &App, who: &Principal) -> Result<(CalendarsDoc, i64), AppError> {
    let view = documents::current(app, who, &DocumentKind::Calendars).await?;
    Ok((documents::parse(&view.body)?, view.version))
}

fn find<'a>(cals: &'a mut CalendarsDoc, name: &str) -> Result<&'a mut CalendarSpec, AppError> {
    cals.calendars
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| AppError::NotFound(format!("no calendar {name:?}")))
}

/// Exports calendar `name`'s listed days.
pub async fn export(app: &App, who: &Principal, name: &str, format: Format) -> Result<DaysFile, AppError> {
    require(who, Permission::Administer)?;
    let (mut cals, version) = in_force(app, who).await?;
    let spec = find(&mut cals, name)?;
    let text = match format {
        Format::Csv => spec.days_to_csv(app.now().date_naive()),
        Format::Ical => spec.days_to_ical(app.now()),
    };
    Ok(DaysFile { text, version })
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Imported {
    /// The calendars document's new version.
    pub version: i64,
    /// Days read from the file.
    pub imported: usize,
}

/// Replaces calendar `name`'s listed days with those of `file`, as a new version of the
/// calendars document based on `expected_version`.
pub async fn import(
    app: &App,
    who: &Principal,
    name: &str,
    format: Format,
    file: &str,
    expected_version: i64,
    comment: Option<String>,
) -> Result<Imported, AppError> {
    require(who, Permission::Administer)?;
    let (mut cals, _) = in_force(app, who).await?;
    let spec = find(&mut cals, name)?;
    let read = match format {
        Format::Csv => spec.import_csv(file),
        Format::Ical => spec.import_ical(file),
    }
    .map_err(|e| AppError::invalid("body", e.to_string()))?;
    let edit = DocumentEdit {
        expected_version,
        body: serde_json::to_value(&cals)?,
        comment: comment.unwrap_or_else(|| format!("imported {read} days into {name}")),
    };
    let doc = documents::save(app, who, &DocumentKind::Calendars, edit).await?;
    Ok(Imported { version: doc.version, imported: read })
}
