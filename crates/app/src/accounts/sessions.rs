//! Signing in and out. One sign-in for the API and the console: the same rate limit, the
//! same constant-cost check whether or not the user exists, the same session.

use super::{new_secret, password};
use crate::{App, AppError};
use loopdesk_core::{Principal, Timestamp};
use loopdesk_store::User;
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
/// with code `bad_credentials`, whatever was wrong.
pub async fn sign_in(app: &App, client: IpAddr, username: &str, password: String) -> Result<Session, AppError> {
    app.limits.login_by_ip.check(&client.to_string(), app.now())?;
    let (user, stored) = match app.read().user_for_login(username.trim()).await? {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let user = match (password::verify(password, stored).await, user) {
        (true, Some(u)) if u.active => u,
        _ => {
            return Err(AppError::Unauthenticated {
                code: "bad_credentials",
                message: "wrong username or password".into(),
            })
        }
    };
    let secret = new_secret("");
    let now = app.now();
    let hours = app.config.session_hours;
    let expires_at = now + chrono::Duration::hours(hours);
    app.store.create_session(&secret, user.id, now, expires_at).await?;
    Ok(Session { user, secret, expires_at, max_age: hours * 3600 })
}

/// Ends the session held by `secret`.
pub async fn sign_out(app: &App, secret: &str) -> Result<(), AppError> {
    Ok(app.store.delete_session(secret).await?)
}

/// Who holds `secret`, if it is a live session.
pub async fn session_principal(app: &App, secret: &str) -> Result<Option<(Principal, User)>, AppError> {
    Ok(app.read().session(secret, app.now()).await?.map(|s| (s.user.principal(), s.user)))
}
