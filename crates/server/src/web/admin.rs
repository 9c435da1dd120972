//! Admin screens: users and departments, and every configuration document (SLA policy,
//! calendars, routing, staffing, templates, reply templates, triage rules, channels)
//! edited as validated JSON with its version and history (who changed what, when, why).
//! Saving uses the documents store's optimistic concurrency: a stale version is refused.

use super::context::Staff;
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, render, FlashQuery, Layout};
use crate::auth::password;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_core::access::Permission;
use loopdesk_core::{DepartmentId, Role};
use loopdesk_store::{DocumentChange, NewUser, StoreError};
use serde_json::Value;

/// The documents an admin edits, in menu order.
pub const DOCUMENTS: [&str; 8] = [
    "sla_policy",
    "calendars",
    "routing_rules",
    "staffing",
    "templates",
    "reply_templates",
    "triage_rules",
    "channels",
];

/// The body of document `name`, if saved.
pub async fn document_body(state: &AppState, name: &str) -> Option<Value> {
    state.store.document(name).await.ok().flatten().map(|d| d.body)
}

/// Checks a document body before it is saved, with the owning module's types and
/// validation (SLA policy and calendars: timers; routing and staffing: workflow; triage
/// rules: triage; reply templates: here). Other documents must be JSON objects or arrays.
pub async fn validate(state: &AppState, name: &str, body: &Value) -> Result<(), String> {
    use loopdesk_core::routing::{RoutingRules, Staffing};
    let departments: Vec<DepartmentId> =
        state.store.departments().await.map_err(|e| e.to_string())?.into_iter().map(|d| d.id).collect();
    let sla = state.sla.get();
    match name {
        "reply_templates" => super::replies::validate(body).map(|_| ()),
        "calendars" => {
            let mut set = loopdesk_core::calendar::Calendars::empty();
            for spec in super::sla::calendar_specs(body)? {
                set.insert(loopdesk_core::calendar::Calendar::new(spec).map_err(|e| e.to_string())?);
            }
            sla.policy.validate(&set).map_err(|e| e.to_string())
        }
        "sla_policy" => serde_json::from_value::<loopdesk_core::sla::SlaPolicy>(body.clone())
            .map_err(|e| e.to_string())?
            .validate(&sla.calendars)
            .map_err(|e| e.to_string()),
        "routing_rules" => serde_json::from_value::<RoutingRules>(body.clone())
            .map_err(|e| e.to_string())?
            .validate(&departments)
            .map_err(|e| e.to_string()),
        "staffing" => {
            let users: Vec<loopdesk_core::UserId> =
                state.store.users().await.map_err(|e| e.to_string())?.into_iter().map(|u| u.id).collect();
            serde_json::from_value::<Staffing>(body.clone())
                .map_err(|e| e.to_string())?
                .validate(&sla.calendars, &departments, &users)
                .map_err(|e| e.to_string())
        }
        _ => match name.strip_prefix("triage.").and_then(crate::triage_rules::RulePart::parse) {
            Some(part) => {
                let engine = (*state.triage.current()).clone();
                part.apply(engine, body, 0).map(|_| ()).map_err(|e| e.to_string())
            }
            None if body.is_object() || body.is_array() => Ok(()),
            None => Err("the document must be a JSON object or array".into()),
        },
    }
}

/// After a save: the SLA configuration is reloaded and every open ticket's timer
/// recounted (as timers' own admin API does); triage picks up its rules.
async fn after_save(state: &AppState, name: &str) -> Result<(), ApiError> {
    match name {
        "sla_policy" | "calendars" => {
            state.sla.refresh(&state.store).await?;
            state.store.enqueue(crate::jobs::sla::recompute_job(state.now())).await?;
        }
        _ if name.starts_with("triage.") => {
            state.triage.reload_if_changed(&state.store).await?;
        }
        _ => {}
    }
    Ok(())
}

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
}

/// `GET /console/admin`.
pub async fn index(State(state): State<AppState>, s: Staff, Query(fq): Query<FlashQuery>) -> Response {
    let result = async {
        admin_only(&s)?;
        let saved = state.store.document_names().await?;
        let mut documents: Vec<DocRow> = DOCUMENTS
            .iter()
            .map(|n| DocRow {
                name: n.to_string(),
                version: saved.iter().find(|(x, _)| x == n).map(|x| x.1).unwrap_or(0),
            })
            .collect();
        for (n, v) in &saved {
            if !DOCUMENTS.contains(&n.as_str()) {
                documents.push(DocRow { name: n.clone(), version: *v });
            }
        }
        let departments: Vec<(i64, String)> =
            state.store.departments().await?.into_iter().map(|d| (d.id.0, d.name)).collect();
        let users = state
            .store
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
}

fn valid_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::NotFound("no such document".into()))
    }
}

/// `GET /console/admin/documents/{name}`.
pub async fn document(
    State(state): State<AppState>,
    s: Staff,
    Path(name): Path<String>,
    Query(fq): Query<FlashQuery>,
) -> Response {
    let result = async {
        admin_only(&s)?;
        valid_name(&name)?;
        let doc = state.store.document(&name).await?;
        let (version, body) = match doc {
            Some(d) => (d.version, d.body),
            None if name == "reply_templates" => (0, super::replies::defaults()),
            None if name == "calendars" => (0, super::sla::default_calendars()),
            None => match name.strip_prefix("triage.").and_then(crate::triage_rules::RulePart::parse) {
                Some(part) => (0, part.defaults().unwrap_or_default()),
                None => (0, Value::Object(Default::default())),
            },
        };
        let history = state
            .store
            .document_history(&name, 50)
            .await?
            .into_iter()
            .map(|d| HistoryRow {
                version: d.version,
                changed_by: d.changed_by,
                changed_at: s.t.date(&d.changed_at),
                comment: d.comment,
            })
            .collect();
        let calendar_names = if name == "calendars" {
            super::sla::calendar_specs(&body).unwrap_or_default().into_iter().map(|c| c.name).collect()
        } else {
            Vec::new()
        };
        Ok::<_, ApiError>(DocumentPage {
            calendar_names,
            layout: Layout::staff(&s, "admin.documents").with_flash(&fq),
            csrf: s.csrf.clone(),
            json: serde_json::to_string_pretty(&body).unwrap_or_default(),
            name,
            version,
            history,
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// `POST /console/admin/documents/{name}`: validates and saves a new version.
pub async fn save_document(State(state): State<AppState>, s: Staff, Path(name): Path<String>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let page = format!("/console/admin/documents/{}", form::encode(&name));
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        valid_name(&name)?;
        let text = field(&p, "body").unwrap_or_default();
        let value: Value = serde_json::from_str(&text).map_err(|e| ApiError::BadRequest {
            code: "malformed_json",
            message: e.to_string(),
            field: Some("body".into()),
        })?;
        validate(&state, &name, &value).await.map_err(|m| ApiError::Invalid {
            code: "invalid_field",
            message: m,
            field: Some("body".into()),
        })?;
        let expected_version = field(&p, "version").and_then(|v| v.parse().ok()).unwrap_or(0);
        let comment = field(&p, "comment").unwrap_or_default();
        let change = DocumentChange {
            name: &name,
            expected_version,
            body: &value,
            changed_by: &s.user.username,
            comment: &comment,
            now: state.now(),
        };
        match state.store.put_document(change).await {
            Ok(_) => after_save(&state, &name).await,
            Err(StoreError::StaleVersion { .. }) => {
                Err(ApiError::Conflict { code: "stale_version", message: String::new(), field: None })
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    match result {
        Ok(()) => back_ok(&page, "done"),
        Err(e) => back_with_error(&page, &e),
    }
}

/// `POST /console/admin/users`.
pub async fn add_user(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        let username = field(&p, "username").ok_or_else(|| ApiError::invalid("username", "required"))?;
        let role = field(&p, "role")
            .as_deref()
            .and_then(Role::parse)
            .ok_or_else(|| ApiError::invalid("role", "choose a role"))?;
        let new = NewUser {
            display_name: field(&p, "display_name").unwrap_or_else(|| username.clone()),
            username,
            role,
            department_id: field(&p, "department_id").and_then(|d| d.parse().ok()).map(DepartmentId),
            password_hash: password::hash(field(&p, "password").unwrap_or_default()).await?,
        };
        let user = state.store.create_user(&new, state.now()).await?;
        crate::routes::admin::audit_created(&state, &s.user.username, &user).await?;
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
        admin_only(&s)?;
        let name = field(&p, "name")
            .filter(|n| n.chars().count() <= 100)
            .ok_or_else(|| ApiError::invalid("name", "1 to 100 characters"))?;
        state.store.create_department(&name, state.now()).await?;
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
        let current = state.store.document("calendars").await?;
        let (version, doc) = match current {
            Some(d) => (d.version, d.body),
            None => (0, super::sla::default_calendars()),
        };
        let mut specs = super::sla::calendar_specs(&doc).map_err(|m| ApiError::invalid("calendars", m))?;
        let spec = specs
            .iter_mut()
            .find(|c| c.name == calendar)
            .ok_or_else(|| ApiError::invalid("calendar", "no such calendar"))?;
        spec.upsert_days([SpecialDay { date, kind, name: day_name.clone(), hours: None }]);
        let value = serde_json::json!({ "calendars": specs });
        validate(&state, "calendars", &value).await.map_err(|m| ApiError::invalid("date", m))?;
        let comment = format!("{} {date} {kind} {day_name}", calendar);
        let change = DocumentChange {
            name: "calendars",
            expected_version: version,
            body: &value,
            changed_by: &s.user.username,
            comment: &comment,
            now: state.now(),
        };
        match state.store.put_document(change).await {
            Ok(_) => after_save(&state, "calendars").await,
            Err(StoreError::StaleVersion { .. }) => {
                Err(ApiError::Conflict { code: "stale_version", message: String::new(), field: None })
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    match result {
        Ok(()) => back_ok(page, "done"),
        Err(e) => back_with_error(page, &e),
    }
}
