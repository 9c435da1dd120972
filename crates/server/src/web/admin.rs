//! Admin screens: users and departments, the list of configuration documents (each
//! document's page is [`super::admin_docs`]), and adding a holiday or make-up day to a
//! calendar. Saving uses the documents store's optimistic concurrency: a stale version is
//! refused. A refused new user shows the page again with what was typed (all but the
//! password) and the message at its field.

use super::context::Staff;
use super::fields::{explain, Kept};
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use loopdesk_app::accounts::departments;
use loopdesk_app::accounts::users::{self, UserIn};
use loopdesk_app::documents::{self, DocumentEdit, DocumentKind};
use loopdesk_core::access::Permission;
use loopdesk_core::{DepartmentId, Role};

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
    /// The add-user form as refused (`add_user`), else empty.
    kept: Kept,
}

/// The add-user form's name in [`Kept`].
const ADD_USER: &str = "add_user";

async fn build(state: &AppState, s: &Staff, fq: &FlashQuery, kept: Kept) -> Result<AdminPage, ApiError> {
    admin_only(s)?;
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
    Ok(AdminPage {
        layout: Layout::staff(s, "admin.title").with_flash(fq),
        csrf: s.csrf.clone(),
        documents,
        users,
        departments,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        schedule_warnings: super::schedule::notices(state, s),
        kept,
    })
}

/// `GET /console/admin`.
pub async fn index(State(state): State<AppState>, s: Staff, Query(fq): Query<FlashQuery>) -> Response {
    match build(&state, &s, &fq, Kept::default()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
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
        Err(e) => match add_user_refusal(&s, &p, &e) {
            Some(kept) => match build(&state, &s, &FlashQuery::default(), kept).await {
                Ok(page) => {
                    let mut resp = render(&page);
                    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    resp
                }
                Err(e) => error_page(s.t, Some(&s), e),
            },
            None => back_with_error("/console/admin", &e),
        },
    }
}

/// The add-user form again after a refusal about one of its fields: every value typed but
/// the password (never sent back into a page), and the message at the field; `None` for a
/// refusal about no field (forbidden, a stale session).
fn add_user_refusal(s: &Staff, p: &[(String, String)], e: &ApiError) -> Option<Kept> {
    let (_, code, field) = e.parts();
    let field = field?;
    let typed = p.iter().find(|(k, _)| k == field).map_or("", |(_, v)| v.as_str());
    let text = match (code, field) {
        ("duplicate", "username") => s.t.get("users_form.err_username_taken").to_string(),
        (_, "password") => s.t.get("users_form.err_password").to_string(),
        _ => explain(&s.t, field, field, &e.public_message(), typed),
    };
    let values = p.iter().filter(|(k, _)| k != "password" && k != "_csrf").cloned().collect();
    let mut kept = Kept::new(ADD_USER, values).with_error(field, text);
    if field != "password" {
        kept = kept.with_error("password", s.t.get("users_form.password_again"));
    }
    Some(kept)
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

/// What `GET /console/admin/webhook-source` reads.
#[derive(Debug, serde::Deserialize)]
pub struct SourceQuery {
    #[serde(default)]
    source: String,
}

/// `GET /console/admin/webhook-source?source=…`: the form of a webhook source by its name
/// (empty for a new one, which saving creates); a name that cannot be one is refused on the
/// admin page.
pub async fn webhook_source(s: Staff, Query(q): Query<SourceQuery>) -> Response {
    if let Err(e) = admin_only(&s) {
        return error_page(s.t, Some(&s), e);
    }
    match documents::ChannelName::parse(q.source.trim()) {
        Ok(name) => form::redirect(&super::admin_docs::doc_path(&format!("channel:{}", name.as_str()))),
        Err(e) => back_with_error("/console/admin", &ApiError::from(e)),
    }
}
