//! Signing in and out. One sign-in for the API and the console: the same rate limit, the
//! same constant-cost check whether or not the user exists, the same session.

use super::{new_secret, password};
use crate::{App, AppError};
use loopdesk_core::{Principal, Timestamp};
use loopdesk_store::{AuditEntry, User};
use std::net::IpAddr;

/// A started session: the secret the client keeps (as a cookie) and when it ends.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub secret: String,
    pub expires_at: Timestamp,
    /// Seconds it lasts (the cookie's Max-Age).
    pub max_age: i64,
}

/// Checks the credentials and starts a session; wrong ones are [`AppError::Unauthenticated`]
/// with code `bad_credentials`, whatever was wrong. Two limits come first: attempts per
/// client address, and consecutive failures per account name (the name is then locked for
/// a time that doubles with each further failure; the lock is audited on the account).
pub async fn sign_in(app: &App, client: IpAddr, username: &str, password: String) -> Result<Session, AppError> {
    let now = app.now();
    app.limits.login_by_ip.check(&client.to_string(), now)?;
    let name = username.trim();
    let key = lock_key(name);
    if let Some(until) = app.store.login_locked_until(&key, now).await? {
        let retry_after = (until - now).num_seconds().max(1) as u64;
        return Err(AppError::RateLimited { retry_after });
    }
    let (user, stored) = match app.read().user_for_login(name).await? {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let user = match (password::verify(password, stored).await, user) {
        (true, Some(u)) if u.active => u,
        (_, user) => {
            failed(app, &key, user.as_ref(), client).await?;
            return Err(AppError::Unauthenticated {
                code: "bad_credentials",
                message: "wrong username or password".into(),
            });
        }
    };
    app.store.login_succeeded(&key).await?;
    let secret = new_secret("");
    let hours = app.config.session_hours;
    let expires_at = now + chrono::Duration::hours(hours);
    app.store.create_session(&secret, user.id, now, expires_at).await?;
    Ok(Session { user, secret, expires_at, max_age: hours * 3600 })
}

/// The per-account limit's key: the name as typed, case folded, bounded.
fn lock_key(name: &str) -> String {
    name.to_lowercase().chars().take(100).collect()
}

/// How long a name is locked after `failures` consecutive failures.
pub fn lock_duration(limits: &crate::config::Limits, failures: i64) -> chrono::Duration {
    let before = i64::from(limits.login_failures_before_lock.max(1));
    if failures < before {
        return chrono::Duration::zero();
    }
    let doublings = (failures - before).min(16) as u32;
    let seconds = limits.login_lock_seconds.max(1).saturating_mul(1 << doublings).min(3600);
    chrono::Duration::seconds(seconds as i64)
}

/// Counts a failure; when it locks the name, audits the lock on the account (if there is
/// one) and logs it.
async fn failed(app: &App, key: &str, user: Option<&User>, client: IpAddr) -> Result<(), AppError> {
    let now = app.now();
    let limits = &app.config.limits;
    let f = app.store.login_failed(key, now, |n| lock_duration(limits, n)).await?;
    if f.locked_until <= now {
        return Ok(());
    }
    tracing::warn!(failures = f.failures, until = %f.locked_until, "login locked after repeated failures");
    if let Some(u) = user {
        let detail = serde_json::json!({
            "failures": f.failures,
            "locked_until": f.locked_until,
            "client": client.to_string(),
        });
        let entry = AuditEntry { user: u.id, by: "system", at: now, action: "login_locked", detail: &detail };
        app.store.audit_user(entry).await?;
    }
    Ok(())
}

/// The longest password accepted (hashing is slow on purpose; a megabyte would be a cheap
/// way to keep a core busy).
pub const MAX_PASSWORD: usize = 1000;

/// A signed-in user changes their own password: the current one must be right (a wrong one
/// counts as a failed sign-in, with the same limits and lock), the new one long enough and
/// different. Every other session of the user ends; the one in `keep` (the caller's own,
/// if signed in by cookie) goes on. Audited on the account.
pub async fn change_password(
    app: &App,
    principal: &Principal,
    client: IpAddr,
    keep: Option<&str>,
    current: String,
    new: String,
) -> Result<(), AppError> {
    let now = app.now();
    app.limits.login_by_ip.check(&client.to_string(), now)?;
    let username = app.read().user(principal.user_id).await?.username;
    let key = lock_key(&username);
    if let Some(until) = app.store.login_locked_until(&key, now).await? {
        let retry_after = (until - now).num_seconds().max(1) as u64;
        return Err(AppError::RateLimited { retry_after });
    }
    let length = new.chars().count();
    if !(password::MIN_LENGTH..=MAX_PASSWORD).contains(&length) {
        let message = format!("must be {} to {MAX_PASSWORD} characters", password::MIN_LENGTH);
        return Err(AppError::invalid("new", message));
    }
    let (user, stored) = match app.read().user_for_login(&username).await? {
        Some((u, h)) => (u, h),
        None => return Err(AppError::Forbidden("this account is deactivated".into())),
    };
    if current.chars().count() > MAX_PASSWORD || !password::verify(current.clone(), Some(stored)).await {
        failed(app, &key, Some(&user), client).await?;
        return Err(AppError::invalid("current", "the current password is not right"));
    }
    app.store.login_succeeded(&key).await?;
    if new == current {
        return Err(AppError::invalid("new", "must differ from the current password"));
    }
    let hash = password::hash(new).await?;
    app.store.change_own_password(user.id, &hash, keep, &user.username, now).await?;
    Ok(())
}

/// Ends the session held by `secret`.
pub async fn sign_out(app: &App, secret: &str) -> Result<(), AppError> {
    Ok(app.store.delete_session(secret).await?)
}

/// Who holds `secret`, if it is a live session.
pub async fn session_principal(app: &App, secret: &str) -> Result<Option<(Principal, User)>, AppError> {
    Ok(app.read().session(secret, app.now()).await?.map(|s| (s.user.principal(), s.user)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_from_the_threshold_up_to_an_hour() {
        let limits = crate::config::Limits::default();
        let secs = |n| lock_duration(&limits, n).num_seconds();
        assert_eq!((secs(1), secs(4)), (0, 0));
        assert_eq!((secs(5), secs(6), secs(7)), (30, 60, 120));
        assert_eq!(secs(40), 3600);
    }
}
