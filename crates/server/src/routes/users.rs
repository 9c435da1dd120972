//! Editing staff users (admin): name, role, department and skills; deactivation and
//! reactivation; password resets (the new password is shown once). Every change is
//! validated and audited (`GET /users/{id}/audit`). The web admin screen calls the same
//! functions.

use crate::auth::{password, Admin};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::workflow::documents::STAFFING;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_core::access::{Permission, Principal};
use loopdesk_core::routing::{AgentProfile, Staffing};
use loopdesk_core::{DepartmentId, Role, UserId};
use loopdesk_store::{DocumentChange, StoreError, User, UserAudit, UserChange};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{id}", post(update))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/reactivate", post(reactivate))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/{id}/audit", get(audit))
}

/// Most skills one agent has.
const MAX_SKILLS: usize = 20;

/// Body of `POST /users/{id}`: the fields to change.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    /// `null` removes the department.
    #[serde(default, deserialize_with = "present")]
    pub department_id: Option<Option<i64>>,
    /// The agent's skills (kept in the staffing document, as a new version).
    #[serde(default)]
    pub skills: Option<Vec<String>>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// A user with their skills, as the admin screens show them.
#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub skills: Vec<String>,
}

/// The staffing document as stored (without the agents filled in from users) and its version.
async fn stored_staffing(state: &AppState) -> Result<(Staffing, i64), ApiError> {
    match state.store.document(STAFFING).await? {
        Some(doc) => Ok((
            serde_json::from_value(doc.body)
                .map_err(|e| ApiError::Internal(format!("stored staffing does not parse: {e}")))?,
            doc.version,
        )),
        None => Ok((Staffing::default(), 0)),
    }
}

/// A user with their skills.
pub async fn detail(state: &AppState, id: UserId) -> Result<UserDetail, ApiError> {
    let user = state.store.user(id).await.map_err(not_found)?;
    let (staffing, _) = stored_staffing(state).await?;
    let skills = staffing.agents.iter().find(|a| a.user_id == id).map(|a| a.skills.clone()).unwrap_or_default();
    Ok(UserDetail { user, skills })
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound { .. } => ApiError::NotFound("no such user".into()),
        e => e.into(),
    }
}

/// Who is recorded as having made a change: the username (stable, unlike display names).
async fn who(state: &AppState, by: &Principal) -> Result<String, ApiError> {
    Ok(state.store.user(by.user_id).await?.username)
}

fn self_change(field: &str, what: &str) -> ApiError {
    ApiError::invalid(field, format!("you cannot {what} your own account; ask another admin"))
}

/// Validates and applies an edit by `by`; returns the user after it.
pub async fn apply_edit(state: &AppState, by: &Principal, id: UserId, edit: UserEdit) -> Result<UserDetail, ApiError> {
    let before = detail(state, id).await?;
    let display_name = match edit.display_name.as_deref().map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            return Err(ApiError::invalid("display_name", "must be 1 to 100 characters"))
        }
        n => n.map(str::to_string),
    };
    if edit.role.is_some_and(|r| r != before.user.role) && by.user_id == id {
        return Err(self_change("role", "change the role of"));
    }
    let department_id = edit.department_id.map(|d| d.map(DepartmentId));
    if let Some(Some(d)) = department_id {
        if !state.store.departments().await?.iter().any(|x| x.id == d) {
            return Err(ApiError::invalid("department_id", "no such department"));
        }
    }
    let skills = match edit.skills {
        Some(list) => {
            let mut clean: Vec<String> = Vec::new();
            for s in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if s.chars().count() > 64 {
                    return Err(ApiError::invalid("skills", "skills are 1 to 64 characters"));
                }
                if !clean.iter().any(|c| c == s) {
                    clean.push(s.to_string());
                }
            }
            if clean.len() > MAX_SKILLS {
                return Err(ApiError::invalid("skills", format!("at most {MAX_SKILLS} skills")));
            }
            Some(clean)
        }
        None => None,
    };
    let dept_after = department_id.unwrap_or(before.user.department_id);
    if skills.as_ref().is_some_and(|s| !s.is_empty()) && dept_after.is_none() {
        return Err(ApiError::invalid("skills", "give the user a department before skills"));
    }
    let change = UserChange { display_name, role: edit.role, department_id };
    let by_name = who(state, by).await?;
    let user = state.store.update_user(id, &change, &by_name, state.now()).await.map_err(not_found)?;
    // Skills (and the department of an agent the staffing lists) live in the staffing
    // document: a new version, validated like any other save.
    let (mut staffing, version) = stored_staffing(state).await?;
    let listed = staffing.agents.iter().position(|a| a.user_id == id);
    let mut changed = false;
    match (listed, dept_after) {
        (Some(i), Some(d)) => {
            let a = &mut staffing.agents[i];
            if a.department_id != d {
                a.department_id = d;
                changed = true;
            }
            if let Some(s) = &skills {
                if &a.skills != s {
                    a.skills = s.clone();
                    changed = true;
                }
            }
        }
        (Some(i), None) => {
            staffing.agents.remove(i);
            changed = true;
        }
        (None, Some(d)) if skills.as_ref().is_some_and(|s| !s.is_empty()) => {
            staffing.agents.push(AgentProfile {
                user_id: id,
                department_id: d,
                skills: skills.clone().unwrap_or_default(),
                leave: vec![],
                calendar: None,
            });
            changed = true;
        }
        (None, _) => {}
    }
    if changed {
        let body = serde_json::to_value(&staffing).map_err(|e| ApiError::Internal(e.to_string()))?;
        crate::web::admin::validate(state, STAFFING, &body).await.map_err(|m| ApiError::invalid("skills", m))?;
        let comment = format!("user {}", user.username);
        let change = DocumentChange {
            name: STAFFING,
            expected_version: version,
            body: &body,
            changed_by: &by_name,
            comment: &comment,
            now: state.now(),
        };
        state.store.put_document(change).await?;
        let after = staffing.agents.iter().find(|a| a.user_id == id).map(|a| a.skills.clone()).unwrap_or_default();
        if after != before.skills {
            let detail = json!({ "skills": [before.skills, after] });
            state.store.audit_user(id, &by_name, state.now(), "skills", &detail).await?;
        }
    }
    detail(state, id).await
}

/// Deactivates or reactivates a user.
pub async fn set_active(state: &AppState, by: &Principal, id: UserId, active: bool) -> Result<User, ApiError> {
    if by.user_id == id && !active {
        return Err(self_change("active", "deactivate"));
    }
    state.store.set_user_active(id, active, &who(state, by).await?, state.now()).await.map_err(not_found)
}

/// Gives a user a new generated password; returns it (shown once, never stored in clear).
pub async fn new_password(state: &AppState, by: &Principal, id: UserId) -> Result<String, ApiError> {
    if by.user_id == id {
        return Err(self_change("password", "reset the password of"));
    }
    let pw = password::generate();
    let hash = password::hash(pw.clone()).await?;
    state.store.reset_user_password(id, &hash, &who(state, by).await?, state.now()).await.map_err(not_found)?;
    Ok(pw)
}

async fn update(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
    Json(b): Json<UserEdit>,
) -> Result<axum::Json<UserDetail>, ApiError> {
    let by = auth.require(Permission::Administer)?;
    Ok(axum::Json(apply_edit(&state, by, UserId(id), b).await?))
}

async fn deactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    let by = auth.require(Permission::Administer)?;
    Ok(axum::Json(set_active(&state, by, UserId(id), false).await?))
}

async fn reactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    let by = auth.require(Permission::Administer)?;
    Ok(axum::Json(set_active(&state, by, UserId(id), true).await?))
}

async fn reset_password(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let by = auth.require(Permission::Administer)?;
    let pw = new_password(&state, by, UserId(id)).await?;
    Ok(axum::Json(json!({ "password": pw })))
}

async fn audit(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<UserAudit>>, ApiError> {
    auth.require(Permission::Administer)?;
    state.store.user(UserId(id)).await.map_err(not_found)?;
    Ok(axum::Json(state.store.user_audit(Some(UserId(id)), 200).await?))
}
