//! Staff accounts: users, departments, sign-in sessions and API tokens, and the first
//! administrator of an empty installation.

pub mod departments;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod totp;
pub mod users;
pub mod views;

use crate::{App, AppError};
use loopdesk_core::Role;
use loopdesk_store::{NewUser, StoreError};
use rand::RngCore;

/// A fresh random secret (sessions, API tokens), hex-encoded.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Creates the first admin on an empty database. Returns the username and its one-time
/// password, or `None` if users already exist.
pub async fn bootstrap_admin(app: &App) -> Result<Option<(String, String)>, AppError> {
    if app.read().user_count().await? > 0 {
        return Ok(None);
    }
    let pw = password::generate();
    let new = NewUser {
        username: "admin".into(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        department_id: None,
        password_hash: password::hash(pw.clone()).await?,
    };
    match app.store.create_user(&new, app.now()).await {
        Ok(_) => Ok(Some((new.username, pw))),
        // Another node created it first.
        Err(StoreError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
