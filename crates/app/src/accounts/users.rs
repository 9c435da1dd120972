//! Staff users (admin): creation, name, role, department and skills; deactivation and
//! reactivation; password resets (the new password is shown once). Every change is
//! validated and audited.

use super::password;
use crate::access::require;
use crate::documents::{self, DocumentEdit, DocumentKind};
use crate::{App, AppError};
use loopdesk_core::access::{Permission, Principal};
use loopdesk_core::routing::{AgentProfile, Staffing};
use loopdesk_core::{DepartmentId, Role, UserId};
use loopdesk_store::{AuditEntry, NewUser, StoreError, User, UserAudit, UserChange};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

/// A new user as an admin enters it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserIn {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9._-]{2,64}$"))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[cfg_attr(feature = "openapi", schema(min_length = 10))]
    pub password: String,
}

/// Checks a username: 2–64 of letters, digits, `.`, `_`, `-`.
pub fn valid_username(u: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&u.len()) && u.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("username", "use 2 to 64 letters, digits, '.', '_' or '-'"))
    }
}

/// Creates a user (admins only); audited.
pub async fn create(app: &App, by: &Principal, b: UserIn) -> Result<User, AppError> {
    require(by, Permission::Administer)?;
    valid_username(&b.username)?;
    if b.display_name.trim().is_empty() || b.display_name.chars().count() > 100 {
        return Err(AppError::invalid("display_name", "must be 1 to 100 characters"));
    }
    if let Some(d) = b.department_id {
        if !app.read().departments().await?.iter().any(|x| x.id == d) {
            return Err(AppError::invalid("department_id", "no such department"));
        }
    }
    let new = NewUser {
        username: b.username,
        display_name: b.display_name.trim().to_string(),
        role: b.role,
        department_id: b.department_id,
        password_hash: password::hash(b.password).await?,
    };
    let user = app.store.create_user(&new, app.now()).await?;
    // An agent with a department takes tickets from now on.
    app.router.invalidate();
    let by_name = who(app, by).await?;
    let detail = json!({"username": user.username, "role": user.role.as_str(), "department_id": user.department_id.map(|d| d.0)});
    let entry = AuditEntry { user: user.id, by: &by_name, at: app.now(), action: "created", detail: &detail };
    app.store.audit_user(entry).await?;
    Ok(user)
}

/// Every user (supervisors and admins).
pub async fn list(app: &App, by: &Principal) -> Result<Vec<User>, AppError> {
    require(by, Permission::Supervise)?;
    Ok(app.read().users().await?)
}

/// What was changed about a user, newest first (admins only).
pub async fn audit(app: &App, by: &Principal, id: Option<UserId>) -> Result<Vec<UserAudit>, AppError> {
    require(by, Permission::Administer)?;
    if let Some(id) = id {
        app.read().user(id).await.map_err(not_found)?;
    }
    Ok(app.read().user_audit(id, 200).await?)
}

/// Most skills one agent has.
const MAX_SKILLS: usize = 20;

/// Body of `POST /users/{id}`: the fields to change.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub skills: Vec<String>,
}

/// The staffing document as stored (without the agents filled in from users) and its version.
async fn stored_staffing(app: &App) -> Result<(Staffing, i64), AppError> {
    match app.read().document(&DocumentKind::Staffing.name()).await? {
        Some(doc) => Ok((
            serde_json::from_value(doc.body)
                .map_err(|e| AppError::internal(format!("stored staffing does not parse: {e}")))?,
            doc.version,
        )),
        None => Ok((Staffing::default(), 0)),
    }
}

/// A user with their skills.
pub async fn detail(app: &App, id: UserId) -> Result<UserDetail, AppError> {
    let user = app.read().user(id).await.map_err(not_found)?;
    let (staffing, _) = stored_staffing(app).await?;
    let skills = staffing.agents.iter().find(|a| a.user_id == id).map(|a| a.skills.clone()).unwrap_or_default();
    Ok(UserDetail { user, skills })
}

fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound { .. } => AppError::NotFound("no such user".into()),
        e => e.into(),
    }
}

/// Who is recorded as having made a change: the username (stable, unlike display names).
async fn who(app: &App, by: &Principal) -> Result<String, AppError> {
    Ok(app.read().user(by.user_id).await?.username)
}

fn self_change(field: &str, what: &str) -> AppError {
    AppError::invalid(field, format!("you cannot {what} your own account; ask another admin"))
}

/// Validates and applies an edit by `by`; returns the user after it.
pub async fn apply_edit(app: &App, by: &Principal, id: UserId, edit: UserEdit) -> Result<UserDetail, AppError> {
    let before = detail(app, id).await?;
    let display_name = match edit.display_name.as_deref().map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            return Err(AppError::invalid("display_name", "must be 1 to 100 characters"))
        }
        n => n.map(str::to_string),
    };
    if edit.role.is_some_and(|r| r != before.user.role) && by.user_id == id {
        return Err(self_change("role", "change the role of"));
    }
    let department_id = edit.department_id.map(|d| d.map(DepartmentId));
    if let Some(Some(d)) = department_id {
        if !app.read().departments().await?.iter().any(|x| x.id == d) {
            return Err(AppError::invalid("department_id", "no such department"));
        }
    }
    let skills = match edit.skills {
        Some(list) => {
            let mut clean: Vec<String> = Vec::new();
            for s in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if s.chars().count() > 64 {
                    return Err(AppError::invalid("skills", "skills are 1 to 64 characters"));
                }
                if !clean.iter().any(|c| c == s) {
                    clean.push(s.to_string());
                }
            }
            if clean.len() > MAX_SKILLS {
                return Err(AppError::invalid("skills", format!("at most {MAX_SKILLS} skills")));
            }
            Some(clean)
        }
        None => None,
    };
    let dept_after = department_id.unwrap_or(before.user.department_id);
    if skills.as_ref().is_some_and(|s| !s.is_empty()) && dept_after.is_none() {
        return Err(AppError::invalid("skills", "give the user a department before skills"));
    }
    let change = UserChange { display_name, role: edit.role, department_id };
    let by_name = who(app, by).await?;
    let user = app.store.update_user(id, &change, &by_name, app.now()).await.map_err(not_found)?;
    app.router.invalidate();
    // Skills (and the department of an agent the staffing lists) live in the staffing
    // document: a new version, validated like any other save.
    let (mut staffing, version) = stored_staffing(app).await?;
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
        let edit = DocumentEdit {
            expected_version: version,
            body: serde_json::to_value(&staffing)?,
            comment: format!("user {}", user.username),
        };
        documents::save(app, by, &DocumentKind::Staffing, edit).await.map_err(|e| match e {
            AppError::Invalid { message, .. } => AppError::invalid("skills", message),
            other => other,
        })?;
        let after = staffing.agents.iter().find(|a| a.user_id == id).map(|a| a.skills.clone()).unwrap_or_default();
        if after != before.skills {
            let detail = json!({ "skills": [before.skills, after] });
            let entry = AuditEntry { user: id, by: &by_name, at: app.now(), action: "skills", detail: &detail };
            app.store.audit_user(entry).await?;
        }
    }
    detail(app, id).await
}

/// Deactivates or reactivates a user.
pub async fn set_active(app: &App, by: &Principal, id: UserId, active: bool) -> Result<User, AppError> {
    require(by, Permission::Administer)?;
    if by.user_id == id && !active {
        return Err(self_change("active", "deactivate"));
    }
    let user = app.store.set_user_active(id, active, &who(app, by).await?, app.now()).await.map_err(not_found)?;
    app.router.invalidate();
    Ok(user)
}

/// Gives a user a new generated password; returns it (shown once, never stored in clear).
pub async fn new_password(app: &App, by: &Principal, id: UserId) -> Result<String, AppError> {
    require(by, Permission::Administer)?;
    if by.user_id == id {
        return Err(self_change("password", "reset the password of"));
    }
    let pw = password::generate();
    let hash = password::hash(pw.clone()).await?;
    app.store.reset_user_password(id, &hash, &who(app, by).await?, app.now()).await.map_err(not_found)?;
    Ok(pw)
}
