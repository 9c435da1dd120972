//! The admin's user screen: change a user's name, role, department and skills, deactivate
//! or reactivate them, reset their password (the new one is shown once, on this response
//! only), and read who changed what. Uses the same functions as the JSON API.

use super::context::Staff;
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::accounts::users::{self, UserEdit};
use loopdesk_core::access::Permission;
use loopdesk_core::{Role, UserId};

/// One audit row as shown.
pub struct AuditRow {
    pub at: String,
    pub by: String,
    pub action: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    layout: Layout,
    csrf: String,
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    department_id: i64,
    active: bool,
    skills: String,
    departments: Vec<(i64, String)>,
    roles: Vec<&'static str>,
    audit: Vec<AuditRow>,
    /// A password just generated, shown this once.
    new_password: Option<String>,
}

fn admin_only(s: &Staff) -> Result<(), ApiError> {
    if s.can(Permission::Administer) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer".into()))
    }
}

fn path(id: i64) -> String {
    format!("/console/admin/users/{id}")
}

async fn build(
    state: &AppState,
    s: &Staff,
    id: i64,
    fq: &FlashQuery,
    pw: Option<String>,
) -> Result<UserPage, ApiError> {
    admin_only(s)?;
    let d = users::detail(state, UserId(id)).await?;
    let departments: Vec<(i64, String)> =
        state.read().departments().await?.into_iter().map(|d| (d.id.0, d.name)).collect();
    let audit = state
        .read()
        .user_audit(Some(UserId(id)), 100)
        .await?
        .into_iter()
        .map(|a| AuditRow {
            at: s.t.date(&a.changed_at),
            by: a.changed_by,
            action: s.t.name("audit", &a.action),
            detail: if a.detail.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                a.detail.to_string()
            },
        })
        .collect();
    Ok(UserPage {
        layout: Layout::staff(s, "admin.edit_user").with_flash(fq),
        csrf: s.csrf.clone(),
        id,
        username: d.user.username,
        display_name: d.user.display_name,
        role: d.user.role.as_str(),
        department_id: d.user.department_id.map_or(0, |d| d.0),
        active: d.user.active,
        skills: d.skills.join(", "),
        departments,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        audit,
        new_password: pw,
    })
}

/// `GET /console/admin/users/{id}`.
pub async fn page(
    State(state): State<AppState>,
    s: Staff,
    Path(id): Path<i64>,
    Query(fq): Query<FlashQuery>,
) -> Response {
    match build(&state, &s, id, &fq, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// `POST /console/admin/users/{id}`: saves name, role, department and skills.
pub async fn save(State(state): State<AppState>, s: Staff, Path(id): Path<i64>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        let role = match field(&p, "role") {
            Some(r) => Some(Role::parse(&r).ok_or_else(|| ApiError::invalid("role", "choose a role"))?),
            None => None,
        };
        let department_id = match field(&p, "department_id") {
            Some(d) => Some(Some(d.parse::<i64>().map_err(|_| ApiError::invalid("department_id", "choose one"))?)),
            None => Some(None),
        };
        let edit = UserEdit {
            display_name: Some(field(&p, "display_name").unwrap_or_default()),
            role,
            department_id,
            skills: Some(
                field(&p, "skills")
                    .unwrap_or_default()
                    .split([',', '，', '、'])
                    .map(|x| x.trim().to_string())
                    .collect(),
            ),
        };
        users::apply_edit(&state, &s.principal, UserId(id), edit).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(&path(id), "done"),
        Err(e) => back_with_error(&path(id), &e),
    }
}

/// `POST /console/admin/users/{id}/{action}`: deactivate, reactivate, reset-password,
/// reset-totp (removes their second factor: recovery after a lost phone; audited).
pub async fn act(
    State(state): State<AppState>,
    s: Staff,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        match action.as_str() {
            "deactivate" => Ok(users::set_active(&state, &s.principal, UserId(id), false).await.map(|_| None)?),
            "reactivate" => Ok(users::set_active(&state, &s.principal, UserId(id), true).await.map(|_| None)?),
            "reset-password" => Ok(users::new_password(&state, &s.principal, UserId(id)).await.map(Some)?),
            "reset-totp" => {
                Ok(loopdesk_app::accounts::totp::reset(&state, &s.principal, UserId(id)).await.map(|_| None)?)
            }
            _ => Err(ApiError::NotFound("no such action".into())),
        }
    }
    .await;
    match result {
        // The new password is shown on this response only, never in a URL or a log.
        Ok(Some(pw)) => match build(&state, &s, id, &FlashQuery::default(), Some(pw)).await {
            Ok(p) => render(&p),
            Err(e) => error_page(s.t, Some(&s), e),
        },
        Ok(None) => back_ok(&path(id), "done"),
        Err(e) => back_with_error(&path(id), &e),
    }
}
