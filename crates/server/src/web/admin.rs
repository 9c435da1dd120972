//! Admin screens: users and departments, and every configuration document (SLA policy,
//! calendars, routing, staffing, templates, reply templates, triage rules, channels)
//! edited as validated JSON with its version and history (who changed what, when, why).
//! Saving uses the documents store's optimistic concurrency: a stale version is refused.

use super::context::Staff;
use super::fields::Kept;
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::accounts::departments;
use loopdesk_app::accounts::users::{self, UserIn};
use loopdesk_app::documents::{self, DocumentEdit, DocumentKind};
use loopdesk_core::access::Permission;
use loopdesk_core::{DepartmentId, Role};
use serde_json::Value;

fn admin_only(s: &Staff) -> Result<(), ApiError> {
    if s.can(Permission::Administer) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer".into()))
    }
}

/// A document in the list.
pub struct DocRow {
    pub name: String,
    pub version: i64,
}

/// A user in the list.
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: &'static str,
    pub department: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "console/admin.html")]
struct AdminPage {
    layout: Layout,
    csrf: String,
    documents: Vec<DocRow>,
    users: Vec<UserRow>,
    departments: Vec<(i64, String)>,
    roles: Vec<&'static str>,
    schedule_warnings: Vec<String>,
}

/// `GET /console/admin`.
pub async fn index(State(state): State<AppState>, s: Staff, Query(fq): Query<FlashQuery>) -> Response {
    let result = async {
        admin_only(&s)?;
        let saved = state.read().document_names().await?;
        let version = |name: &str| saved.iter().find(|(x, _)| x == name).map_or(0, |x| x.1);
        let mut documents: Vec<DocRow> =
            DocumentKind::listed().iter().map(|k| DocRow { name: k.name(), version: version(&k.name()) }).collect();
        // Saved documents not in the list: webhook sources.
        for (n, v) in &saved {
            if DocumentKind::parse(n).is_some() && !documents.iter().any(|d| &d.name == n) {
                documents.push(DocRow { name: n.clone(), version: *v });
            }
        }
        let departments: Vec<(i64, String)> =
            state.read().departments().await?.into_iter().map(|d| (d.id.0, d.name)).collect();
        let users = state
            .read()
            .users()
            .await?
            .into_iter()
            .map(|u| UserRow {
                id: u.id.0,
                department: u
                    .department_id
                    .and_then(|d| departments.iter().find(|x| x.0 == d.0).map(|x| x.1.clone()))
                    .unwrap_or_else(|| "—".into()),
                username: u.username,
                name: u.display_name,
                role: u.role.as_str(),
                active: u.active,
            })
            .collect();
        Ok::<_, ApiError>(AdminPage {
            layout: Layout::staff(&s, "admin.title").with_flash(&fq),
            csrf: s.csrf.clone(),
            documents,
            users,
            departments,
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
            schedule_warnings: super::schedule::notices(&state, &s),
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// One version in the history.
pub struct HistoryRow {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "console/document.html")]
struct DocumentPage {
    layout: Layout,
    csrf: String,
    name: String,
    version: i64,
    json: String,
    history: Vec<HistoryRow>,
    calendar_names: Vec<String>,
    /// On the calendars page: calendars whose official holiday schedule ends soon.
    schedule_warnings: Vec<String>,
    /// A refused edit: the text as typed and what is wrong with it.
    kept: Kept,
    /// Where in the text the JSON broke (line, column), for the script to put the caret.
    error_at: Option<(usize, usize)>,
}

fn kind(name: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(name).ok_or_else(|| ApiError::NotFound("no such document".into()))
}

/// `GET /console/admin/documents/{name}`.
pub async fn document(
    State(state): State<AppState>,
    s: Staff,
    Path(name): Path<String>,
    Query(fq): Query<FlashQuery>,
) -> Response {
    match document_page(&state, &s, name, &fq).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

async fn document_page(state: &AppState, s: &Staff, name: String, fq: &FlashQuery) -> Result<DocumentPage, ApiError> {
    admin_only(s)?;
    let kind = kind(&name)?;
    let current = documents::current(state, &s.principal, &kind).await?;
    let (version, body) = (current.version, current.body);
    let history = documents::history(state, &s.principal, &kind, 50)
        .await?
        .into_iter()
        .map(|d| HistoryRow {
            version: d.version,
            changed_by: d.changed_by.unwrap_or_default(),
            changed_at: d.changed_at.map(|at| s.t.date(&at)).unwrap_or_default(),
            comment: d.comment.unwrap_or_default(),
        })
        .collect();
    let calendar_names = if name == "calendars" {
        super::sla::calendar_specs(&body).unwrap_or_default().into_iter().map(|c| c.name).collect()
    } else {
        Vec::new()
    };
    let schedule_warnings = if name == "calendars" { super::schedule::notices(state, s) } else { Vec::new() };
    Ok(DocumentPage {
        calendar_names,
        schedule_warnings,
        layout: Layout::staff(s, "admin.documents").with_flash(fq),
        csrf: s.csrf.clone(),
        json: serde_json::to_string_pretty(&body).unwrap_or_default(),
        name,
        version,
        history,
        kept: Kept::default(),
        error_at: None,
    })
}

/// The form's name in [`Kept`].
const DOCUMENT_FORM: &str = "document";

/// `POST /console/admin/documents/{name}`: validates and saves a new version. A refusal
/// (broken JSON, a value the document does not allow, a newer version saved meanwhile)
/// shows the editor again with the text as typed and where it went wrong.
pub async fn save_document(State(state): State<AppState>, s: Staff, Path(name): Path<String>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let page = format!("/console/admin/documents/{}", form::encode(&name));
    if let Err(e) = form::check_csrf(&p, &s.csrf) {
        return back_with_error(&page, &e);
    }
    // As typed (not trimmed): the editor shows it back unchanged.
    let text = p.iter().find(|(k, _)| k == "body").map(|(_, v)| v.clone()).unwrap_or_default();
    let expected = field(&p, "version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let refusal = match serde_json::from_str::<Value>(&text) {
        Err(e) => Refusal::Json(e),
        Ok(value) => {
            let edit = DocumentEdit {
                expected_version: expected,
                body: value,
                comment: field(&p, "comment").unwrap_or_default(),
            };
            let saved =
                async { documents::save(&state, &s.principal, &kind(&name)?, edit).await.map_err(ApiError::from) };
            match saved.await {
                Ok(_) => return back_ok(&page, "done"),
                Err(e) => Refusal::Api(e),
            }
        }
    };
    let mut doc = match document_page(&state, &s, name, &FlashQuery::default()).await {
        Ok(d) => d,
        Err(e) => return error_page(s.t, Some(&s), e),
    };
    let stale = matches!(refusal, Refusal::Api(ApiError::App(loopdesk_app::AppError::StaleVersion { .. })));
    let (status, field, message, error_at) = match refusal.explain(&s, &text, doc.version) {
        Ok(x) => x,
        Err(e) => return back_with_error(&page, &e),
    };
    // After a stale version the next save overwrites the newer one, knowingly: the message
    // says so and the history below shows what changed.
    if !stale {
        doc.version = expected;
    }
    doc.json = text;
    doc.error_at = error_at;
    doc.kept = Kept::new(DOCUMENT_FORM, p).with_error(field, message.clone());
    doc.layout.flash = Some(super::page::Flash { kind: "error", text: message });
    let mut resp = render(&doc);
    *resp.status_mut() = status;
    resp
}

/// Why a document edit was not saved.
enum Refusal {
    Json(serde_json::Error),
    Api(ApiError),
}

/// The status, the form field, the message for the editor and the place in the text.
type Explained = (axum::http::StatusCode, &'static str, String, Option<(usize, usize)>);

impl Refusal {
    /// What the editor says; other errors (permissions, a lost session) go the usual way.
    fn explain(self, s: &Staff, text: &str, current: i64) -> Result<Explained, ApiError> {
        use axum::http::StatusCode;
        match self {
            Refusal::Json(e) => {
                let (line, column) = (e.line(), e.column());
                let message =
                    s.t.get("admin.json_error")
                        .replace("{line}", &line.to_string())
                        .replace("{column}", &column.to_string())
                        .replace("{detail}", &super::fields::json_detail(&s.t, &e));
                Ok((StatusCode::UNPROCESSABLE_ENTITY, "body", message, Some((line, column))))
            }
            Refusal::Api(ApiError::App(loopdesk_app::AppError::StaleVersion { .. })) => {
                Ok((StatusCode::CONFLICT, "body", s.t.with_n("admin.stale_kept", current), None))
            }
            Refusal::Api(e) => match super::fields::refused_field(&e) {
                Some(("comment", detail)) => {
                    let message = super::fields::explain(&s.t, "comment", "comment", &detail, "");
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, "comment", message, None))
                }
                Some((field, detail)) => {
                    let path = field.strip_prefix("body.").unwrap_or(field);
                    let at = super::fields::locate(text, path);
                    let line = at.map(|(l, _)| l.to_string()).unwrap_or_else(|| "—".into());
                    let message =
                        s.t.get("admin.invalid_value")
                            .replace("{field}", path)
                            .replace("{line}", &line)
                            .replace("{detail}", &detail);
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, "body", message, at))
                }
                None => Err(e),
            },
        }
    }
}

/// `POST /console/admin/users`.
pub async fn add_user(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        let username = field(&p, "username").ok_or_else(|| ApiError::invalid("username", "required"))?;
        let role = field(&p, "role")
            .as_deref()
            .and_then(Role::parse)
            .ok_or_else(|| ApiError::invalid("role", "choose a role"))?;
        let new = UserIn {
            display_name: field(&p, "display_name").unwrap_or_else(|| username.clone()),
            username,
            role,
            department_id: field(&p, "department_id").and_then(|d| d.parse().ok()).map(DepartmentId),
            password: field(&p, "password").unwrap_or_default(),
        };
        users::create(&state, &s.principal, new).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok("/console/admin", "done"),
        Err(e) => back_with_error("/console/admin", &e),
    }
}

/// `POST /console/admin/departments`.
pub async fn add_department(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        departments::create(&state, &s.principal, &field(&p, "name").unwrap_or_default()).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok("/console/admin", "done"),
        Err(e) => back_with_error("/console/admin", &e),
    }
}

/// `POST /console/admin/calendars/day`: adds (or replaces) a holiday or make-up working
/// day in one calendar of the `calendars` document, as a new version.
pub async fn add_calendar_day(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    use loopdesk_core::calendar::{DayKind, SpecialDay};
    let p = form::pairs(&body);
    let page = "/console/admin/documents/calendars";
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        let date = field(&p, "date")
            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .ok_or_else(|| ApiError::invalid("date", "give a date"))?;
        let kind = field(&p, "kind").as_deref().and_then(DayKind::parse).unwrap_or(DayKind::Holiday);
        let day_name = field(&p, "name").unwrap_or_else(|| date.to_string());
        let calendar = field(&p, "calendar").unwrap_or_else(|| loopdesk_core::calendar::DEFAULT_CALENDAR.into());
        let current = documents::current(&state, &s.principal, &DocumentKind::Calendars).await?;
        let mut specs = super::sla::calendar_specs(&current.body).map_err(|m| ApiError::invalid("calendars", m))?;
        let spec = specs
            .iter_mut()
            .find(|c| c.name == calendar)
            .ok_or_else(|| ApiError::invalid("calendar", "no such calendar"))?;
        spec.upsert_days([SpecialDay { date, kind, name: day_name.clone(), hours: None }]);
        let edit = DocumentEdit {
            expected_version: current.version,
            body: serde_json::json!({ "calendars": specs }),
            comment: format!("{calendar} {date} {kind} {day_name}"),
        };
        documents::save(&state, &s.principal, &DocumentKind::Calendars, edit).await.map_err(|e| match e {
            loopdesk_app::AppError::Invalid { message, .. } => ApiError::invalid("date", message),
            other => other.into(),
        })?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(page, "done"),
        Err(e) => back_with_error(page, &e),
    }
}
