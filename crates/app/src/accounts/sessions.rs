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
/// A member with a second factor also gives `code`: without one the answer is
/// [`AppError::SecondFactor`] `totp_required` (only once the password is right); a wrong or
/// reused one is `bad_totp` and counts as a failure.
pub async fn sign_in(
    app: &App,
    client: IpAddr,
    username: &str,
    password: String,
    code: Option<&str>,
) -> Result<Session, AppError> {
    match sign_in_step(app, client, username, password, code).await? {
        Step::Done(session) => Ok(session),
        Step::CodeNeeded { .. } => Err(AppError::SecondFactor {
            code: "totp_required",
            message: "enter the 6-digit code from your authenticator app".into(),
        }),
    }
}

/// Where a sign-in stands.
#[derive(Debug)]
pub enum Step {
    Done(Session),
    /// The password was right and a code is needed; `ticket` carries the sign-in to the
    /// code form for a few minutes (signed; the password is not kept anywhere).
    CodeNeeded {
        ticket: String,
    },
}

/// [`sign_in`], answering [`Step::CodeNeeded`] instead of an error when a code is missing
/// (the console asks for it on a second form).
pub async fn sign_in_step(
    app: &App,
    client: IpAddr,
    username: &str,
    password: String,
    code: Option<&str>,
) -> Result<Step, AppError> {
    let key = guard(app, client, username).await?;
    let name = username.trim();
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
    second_factor(app, client, &key, user, code).await
}

/// The code step of a sign-in whose password was checked (`ticket` from
/// [`Step::CodeNeeded`]); an expired or forged ticket starts over.
pub async fn sign_in_with_ticket(app: &App, client: IpAddr, ticket: &str, code: &str) -> Result<Step, AppError> {
    app.limits.login_by_ip.check(&client.to_string(), app.now())?;
    let expired = || AppError::Unauthenticated {
        code: "sign_in_expired",
        message: "the sign-in took too long; enter your password again".into(),
    };
    let id = open_ticket(&ticket_key(app).await?, ticket, app.now()).ok_or_else(expired)?;
    let user = app.read().user(id).await.map_err(|_| expired())?;
    if !user.active {
        return Err(expired());
    }
    let key = guard(app, client, &user.username).await?;
    second_factor(app, client, &key, user, Some(code)).await
}

async fn second_factor(app: &App, client: IpAddr, key: &str, user: User, code: Option<&str>) -> Result<Step, AppError> {
    if let Some(sealed) = app.read().totp_state(user.id).await?.secret {
        match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => return Ok(Step::CodeNeeded { ticket: ticket(&ticket_key(app).await?, user.id, app.now()) }),
            Some(c) if super::totp::accept(app, user.id, &sealed, c).await? => {}
            Some(_) => {
                failed(app, key, Some(&user), client).await?;
                return Err(AppError::SecondFactor {
                    code: "bad_totp",
                    message: "the code is not right, or was used already; wait for the next one".into(),
                });
            }
        }
    }
    app.store.login_succeeded(key).await?;
    let secret = new_secret("");
    let hours = app.config.session_hours;
    let now = app.now();
    let expires_at = now + chrono::Duration::hours(hours);
    app.store.create_session(&secret, user.id, now, expires_at).await?;
    Ok(Step::Done(Session { user, secret, expires_at, max_age: hours * 3600 }))
}

/// How long the code form of a sign-in stays valid.
const TICKET_MINUTES: i64 = 5;

async fn ticket_key(app: &App) -> Result<Vec<u8>, AppError> {
    Ok(app.store.shared_secret("sign_in_ticket", &new_secret("")).await?.into_bytes())
}

fn ticket_mac(key: &[u8], body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key"));
    mac.update(b"sign-in-ticket:");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn ticket(key: &[u8], user: loopdesk_core::UserId, now: Timestamp) -> String {
    let body = format!("{}.{}", user.0, (now + chrono::Duration::minutes(TICKET_MINUTES)).timestamp());
    let mac = ticket_mac(key, &body);
    format!("{body}.{mac}")
}

fn open_ticket(key: &[u8], ticket: &str, now: Timestamp) -> Option<loopdesk_core::UserId> {
    let (body, mac) = ticket.rsplit_once('.')?;
    // Compared as HMACs of themselves: no early exit on the first differing byte.
    if ticket_mac(key, mac) != ticket_mac(key, &ticket_mac(key, body)) {
        return None;
    }
    let (id, until) = body.split_once('.')?;
    (until.parse::<i64>().ok()? > now.timestamp()).then_some(())?;
    id.parse().ok().map(loopdesk_core::UserId)
}

/// The limits every check of a password or code passes first: attempts per client address,
/// and the lock of the account name. Returns the name's lock key.
pub(super) async fn guard(app: &App, client: IpAddr, username: &str) -> Result<String, AppError> {
    let now = app.now();
    app.limits.login_by_ip.check(&client.to_string(), now)?;
    let key = lock_key(username.trim());
    if let Some(until) = app.store.login_locked_until(&key, now).await? {
        let retry_after = (until - now).num_seconds().max(1) as u64;
        return Err(AppError::RateLimited { retry_after });
    }
    Ok(key)
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
pub(super) async fn failed(app: &App, key: &str, user: Option<&User>, client: IpAddr) -> Result<(), AppError> {
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
    let username = app.read().user(principal.user_id).await?.username;
    let key = guard(app, client, &username).await?;
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
    fn sign_in_tickets_expire_and_cannot_be_forged() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let t = ticket(b"k", loopdesk_core::UserId(7), now);
        assert_eq!(open_ticket(b"k", &t, now), Some(loopdesk_core::UserId(7)));
        assert_eq!(open_ticket(b"k", &t, now + chrono::Duration::minutes(6)), None);
        assert_eq!(open_ticket(b"other", &t, now), None);
        assert_eq!(open_ticket(b"k", &t.replacen('7', "8", 1), now), None);
    }

    #[test]
    fn locks_double_from_the_threshold_up_to_an_hour() {
        let limits = crate::config::Limits::default();
        let secs = |n| lock_duration(&limits, n).num_seconds();
        assert_eq!((secs(1), secs(4)), (0, 0));
        assert_eq!((secs(5), secs(6), secs(7)), (30, 60, 120));
        assert_eq!(secs(40), 3600);
    }
}
