//! Every versioned configuration document through one resource: `GET` what is in force
//! (version 0 is the built-in default), `PUT` a new version based on the one read
//! (`expected_version`; 409 `stale_version` otherwise), `GET …/history`. The body is checked
//! into the document's typed form before it is saved, and an error names the field inside
//! it (`body.rules[2].departments`).
//!
//! | path | document |
//! | --- | --- |
//! | `/admin/routing-rules` | routing rules |
//! | `/admin/staffing` | skills, duty calendars, leave, supervisors |
//! | `/admin/sla-policy` | SLA targets |
//! | `/admin/calendars` | business calendars |
//! | `/admin/templates` | notification templates |
//! | `/admin/robots` | robots and staff addresses |
//! | `/admin/channels/{name}` | a channel's settings |
//! | `/triage/rules/{part}` | a part of the triage rules |

use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, MethodRouter};
use axum::Router;
use loopdesk_app::documents::{self, ChannelName, DocumentEdit, DocumentKind, DocumentView};
use loopdesk_app::triage::engine::RulePart;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Body of a `PUT`: the new document and the version it was based on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    /// The version the edit started from; 0 when none was saved yet.
    pub expected_version: i64,
    pub body: Value,
    #[serde(default)]
    pub comment: String,
}

/// Query of `/history`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The versions of a document, newest first.
#[derive(Debug, Serialize)]
pub struct History {
    pub items: Vec<DocumentView>,
}

async fn show(state: &AppState, auth: &Auth, kind: DocumentKind) -> Result<axum::Json<DocumentView>, ApiError> {
    Ok(axum::Json(documents::current(state, &auth.0, &kind).await?))
}

async fn save(
    state: &AppState,
    auth: &Auth,
    kind: DocumentKind,
    b: DocumentIn,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let edit = DocumentEdit { expected_version: b.expected_version, body: b.body, comment: b.comment };
    Ok(axum::Json(documents::save(state, &auth.0, &kind, edit).await?))
}

async fn history(
    state: &AppState,
    auth: &Auth,
    kind: DocumentKind,
    q: HistoryQuery,
) -> Result<axum::Json<History>, ApiError> {
    let items = documents::history(state, &auth.0, &kind, q.limit.unwrap_or(50)).await?;
    Ok(axum::Json(History { items }))
}

/// Which document a route serves (a function, as routes are built once and called often).
type Kind = fn() -> DocumentKind;

/// The three methods of a document at a fixed path.
fn at(kind: Kind) -> (MethodRouter<AppState>, MethodRouter<AppState>) {
    // Only admins save: the extractor refuses others before the body is read.
    let one = get(move |State(s): State<AppState>, auth: Auth| async move { show(&s, &auth, kind()).await }).put(
        move |State(s): State<AppState>, Admin(auth): Admin, Json(b): Json<DocumentIn>| async move {
            save(&s, &auth, kind(), b).await
        },
    );
    let hist = get(move |State(s): State<AppState>, auth: Auth, Query(q): Query<HistoryQuery>| async move {
        history(&s, &auth, kind(), q).await
    });
    (one, hist)
}

fn channel(name: String) -> Result<DocumentKind, ApiError> {
    Ok(DocumentKind::Channel(ChannelName::parse(&name)?))
}

fn triage_part(name: String) -> Result<DocumentKind, ApiError> {
    RulePart::parse(&name).map(DocumentKind::Triage).ok_or_else(|| {
        loopdesk_app::AppError::invalid("part", format!("no such rule set; use one of {}", RulePart::names())).into()
    })
}

/// The three methods of a document named by a path parameter.
fn named(kind: fn(String) -> Result<DocumentKind, ApiError>) -> (MethodRouter<AppState>, MethodRouter<AppState>) {
    let one =
        get(move |State(s): State<AppState>, auth: Auth, Path(name): Path<String>| async move {
            show(&s, &auth, kind(name)?).await
        })
        .put(
            move |State(s): State<AppState>,
                  Admin(auth): Admin,
                  Path(name): Path<String>,
                  Json(b): Json<DocumentIn>| async move { save(&s, &auth, kind(name)?, b).await },
        );
    let hist = get(
        move |State(s): State<AppState>, auth: Auth, Path(name): Path<String>, Query(q): Query<HistoryQuery>| async move {
            history(&s, &auth, kind(name)?, q).await
        },
    );
    (one, hist)
}

/// Routes of this module.
pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    let fixed: [(&str, Kind); 6] = [
        ("/admin/routing-rules", || DocumentKind::RoutingRules),
        ("/admin/staffing", || DocumentKind::Staffing),
        ("/admin/sla-policy", || DocumentKind::SlaPolicy),
        ("/admin/calendars", || DocumentKind::Calendars),
        ("/admin/templates", || DocumentKind::Templates),
        ("/admin/robots", || DocumentKind::Robots),
    ];
    for (path, kind) in fixed {
        let (one, hist) = at(kind);
        r = r.route(path, one).route(&format!("{path}/history"), hist);
    }
    let (one, hist) = named(channel);
    r = r.route("/admin/channels/{name}", one).route("/admin/channels/{name}/history", hist);
    let (one, hist) = named(triage_part);
    r.route("/triage/rules/{part}", one).route("/triage/rules/{part}/history", hist)
}
