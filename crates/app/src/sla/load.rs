//! Reading the SLA configuration from the documents store, and checking a proposed one.

use super::SlaConfig;
use crate::portal::branding::PortalDoc;
use loopdesk_core::calendar::{Calendar, CalendarSpec, Calendars};
use loopdesk_core::sla::{Budget, SlaPolicy};
use loopdesk_store::{Document, Reader, StoreError};
use serde::{Deserialize, Serialize};

use crate::documents::DocumentKind;

/// Calendar versions chained when building the calendars in effect.
const CALENDAR_VERSIONS: u32 = 100;

/// The body of the `calendars` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarsDoc {
    pub calendars: Vec<CalendarSpec>,
}

impl CalendarsDoc {
    /// The built-in calendars as a document body.
    pub fn defaults() -> CalendarsDoc {
        CalendarsDoc { calendars: Calendars::default().iter().map(|c| c.spec().clone()).collect() }
    }
}

/// Why a proposed configuration was refused: (field, message).
pub type Refusal = (String, String);

/// Compiles every calendar of a document; names must be unique.
pub fn compile(doc: &CalendarsDoc) -> Result<Calendars, Refusal> {
    let mut set = Calendars::empty();
    for (i, spec) in doc.calendars.iter().enumerate() {
        if set.get(&spec.name).is_some() {
            return Err((format!("calendars[{i}].name"), format!("calendar {:?} is listed twice", spec.name)));
        }
        let cal = Calendar::new(spec.clone()).map_err(|e| (format!("calendars[{i}]"), e.to_string()))?;
        set.insert(cal);
    }
    Ok(set)
}

/// The saved versions of the documents the SLA is built from (0 when never saved): the
/// policy, the calendars, and the portal (its promise to unsatisfied customers).
pub async fn versions(store: &Reader) -> Result<(i64, i64, i64), StoreError> {
    let names = store.document_names().await?;
    let v = |kind: DocumentKind| names.iter().find(|(name, _)| *name == kind.name()).map_or(0, |(_, v)| *v);
    Ok((v(DocumentKind::SlaPolicy), v(DocumentKind::Calendars), v(DocumentKind::Portal)))
}

/// Loads the configuration in effect.
pub async fn config(store: &Reader) -> Result<SlaConfig, StoreError> {
    let (calendars, calendars_version) = calendars(store).await?;
    let (mut policy, policy_version) = match store.document(&DocumentKind::SlaPolicy.name()).await? {
        Some(doc) => (serde_json::from_value::<SlaPolicy>(doc.body)?, doc.version),
        None => (SlaPolicy::default(), 0),
    };
    let (portal, portal_version) = match store.document(&DocumentKind::Portal.name()).await? {
        // A portal document that no longer reads keeps the default promise, like the portal.
        Some(doc) => (serde_json::from_value::<PortalDoc>(doc.body).unwrap_or_default(), doc.version),
        None => (PortalDoc::default(), 0),
    };
    // What the portal promises an unsatisfied customer is the clock that measures it.
    policy.recontact = Some(Budget::WorkingHours(portal.unsatisfied.contact_within_working_hours.max(1)));
    Ok(SlaConfig { policy, calendars, policy_version, calendars_version, portal_version })
}

/// The calendars in effect: every saved version in order, each taking over from the one
/// before at the instant it was saved, so time already counted keeps its old count.
async fn calendars(store: &Reader) -> Result<(Calendars, i64), StoreError> {
    let mut history: Vec<Document> = store.document_history(&DocumentKind::Calendars.name(), CALENDAR_VERSIONS).await?;
    history.reverse();
    let mut set = Calendars::default();
    let mut version = 0;
    for doc in history {
        version = doc.version;
        let body: CalendarsDoc = serde_json::from_value(doc.body)?;
        let fresh = match compile(&body) {
            Ok(f) => f,
            Err((field, msg)) => {
                tracing::error!(version = doc.version, %field, %msg, "stored calendars do not compile; skipped");
                continue;
            }
        };
        let mut next = Calendars::empty();
        for cal in fresh.iter() {
            next.insert(match set.get(cal.name()) {
                Some(old) => old.revised(doc.changed_at, cal),
                None => cal.clone(),
            });
        }
        set = next;
    }
    Ok((set, version))
}
