//! API tokens for integrations: a token acts as a user, optionally limited to submitting
//! feedback (channel integrations). The secret is shown once and kept only as a hash.

use super::new_secret;
use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::access::{Permission, Principal};
use loopdesk_core::UserId;
use loopdesk_store::ApiToken;

/// A new token and its secret (shown once).
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: ApiToken,
    pub secret: String,
}

/// Issues a token acting as `user` (the caller when absent); admins only.
pub async fn issue(
    app: &App,
    by: &Principal,
    name: &str,
    user: Option<UserId>,
    intake_only: bool,
) -> Result<Issued, AppError> {
    require(by, Permission::Administer)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "must be 1 to 100 characters"));
    }
    let user = user.unwrap_or(by.user_id);
    app.read().user(user).await.map_err(|_| AppError::invalid("user_id", "no such user"))?;
    let secret = new_secret("ldk_");
    let token = app.store.create_api_token(&secret, name, user, intake_only, app.now()).await?;
    Ok(Issued { token, secret })
}

/// Revokes a token; admins only.
pub async fn revoke(app: &App, by: &Principal, id: i64) -> Result<(), AppError> {
    require(by, Permission::Administer)?;
    Ok(app.store.revoke_api_token(id, app.now()).await?)
}
