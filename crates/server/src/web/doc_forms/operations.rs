//! The document page's part for the operations documents — staffing, robots, report
//! schedules, spike rules: which form a document has, the names it shows (people and
//! departments by name, calendars in force), applying a post, and where a save's refusal
//! goes on the form.

use super::ops::OpsForm;
use super::{robots, schedules, spikes, staffing, Fields};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::i18n::T;
use loopdesk_app::documents::channel::RobotsDoc;
use loopdesk_app::documents::{self, DocumentKind};
use loopdesk_app::summaries::SchedulesDoc;
use loopdesk_core::report::spike_rules::SpikeRules;
use loopdesk_core::routing::Staffing;
use serde_json::Value;

/// Whether `kind` has one of these forms.
pub fn has_form(kind: &DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::Staffing | DocumentKind::Robots | DocumentKind::ReportSchedules | DocumentKind::SpikeRules
    )
}

fn typed<D: serde::de::DeserializeOwned>(body: &Value) -> Result<D, ApiError> {
    Ok(documents::parse(body)?)
}

/// (id, name) of departments.
async fn departments(state: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    Ok(state.read().departments().await?.into_iter().map(|d| (d.id.0.to_string(), d.name)).collect())
}

/// (id, "name (login)") of users, inactive ones marked.
async fn users(state: &AppState, t: &T) -> Result<Vec<(String, String)>, ApiError> {
    let inactive = t.get("ops_form.inactive");
    Ok(state
        .read()
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let mut label = format!("{} ({})", u.display_name, u.username);
            if !u.active {
                label = format!("{label} {inactive}");
            }
            (u.id.0.to_string(), label)
        })
        .collect())
}

async fn staffing_known(state: &AppState, t: &T) -> Result<staffing::Known, ApiError> {
    Ok(staffing::Known {
        departments: departments(state).await?,
        users: users(state, t).await?,
        calendars: state.sla.get().calendars.iter().map(|c| c.name().to_string()).collect(),
    })
}

async fn robots_known(state: &AppState, t: &T) -> Result<robots::Known, ApiError> {
    Ok(robots::Known { users: users(state, t).await?, departments: departments(state).await? })
}

/// The form for `kind` from the version in force `body` (as the JSON view shows it), or
/// from what was posted; `None` for a document without one of these forms.
pub async fn show(
    state: &AppState,
    t: &T,
    kind: &DocumentKind,
    body: &Value,
    posted: Option<Fields>,
) -> Result<Option<OpsForm>, ApiError> {
    let form = match kind {
        DocumentKind::Staffing => {
            let f = match posted {
                Some(f) => f,
                None => staffing::fields(&typed::<Staffing>(body)?, t),
            };
            staffing::view(&f, t, &staffing_known(state, t).await?)
        }
        DocumentKind::Robots => {
            let shown: RobotsDoc = typed(body)?;
            let f = posted.unwrap_or_else(|| robots::fields(&shown));
            robots::view(&f, t, &shown, &robots_known(state, t).await?)
        }
        DocumentKind::ReportSchedules => {
            let f = match posted {
                Some(f) => f,
                None => schedules::fields(&typed::<SchedulesDoc>(body)?),
            };
            schedules::view(&f, t)
        }
        DocumentKind::SpikeRules => {
            let f = match posted {
                Some(f) => f,
                None => spikes::fields(&typed::<SpikeRules>(body)?),
            };
            spikes::view(&f, t)
        }
        _ => return Ok(None),
    };
    Ok(Some(form))
}

fn json<D: serde::Serialize>(v: Option<D>) -> Result<Option<Value>, ApiError> {
    v.map(|v| serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))).transpose()
}

/// The new body of `kind` from the posted form, applied onto the version in force `body`;
/// `Ok(None)` when a field was refused (in `f`).
pub async fn apply(
    state: &AppState,
    t: &T,
    kind: &DocumentKind,
    body: &Value,
    f: &mut Fields,
) -> Result<Option<Value>, ApiError> {
    match kind {
        DocumentKind::Staffing => json(staffing::apply(f, t, &staffing_known(state, t).await?)),
        DocumentKind::Robots => {
            // Secrets left blank are kept from the version saved (the page never had them).
            let saved: RobotsDoc = match state.read().document(&kind.name()).await? {
                Some(d) => typed(&d.body)?,
                None => RobotsDoc::default(),
            };
            json(robots::apply(f, t, &saved, &robots_known(state, t).await?))
        }
        DocumentKind::ReportSchedules => json(schedules::apply(f, t)),
        DocumentKind::SpikeRules => json(spikes::apply(typed(body)?, f, t)),
        _ => Err(ApiError::NotFound("this document has no form; use the JSON editor".into())),
    }
}

/// The form's field a save's refusal at `path` belongs to.
pub fn place(kind: &DocumentKind, path: &str) -> Option<String> {
    match kind {
        DocumentKind::Staffing => staffing::place(path),
        DocumentKind::SpikeRules => spikes::place(path),
        _ => None,
    }
}
