//! Authentication (sessions and API tokens) and the extractors handlers use to require it.

pub mod routes;
pub mod totp;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use loopdesk_core::access::Permission;
use loopdesk_core::Principal;

/// Name of the login session cookie.
pub const SESSION_COOKIE: &str = "loopdesk_session";

/// An authenticated caller. Rejects with 401 when there are no valid credentials.
pub struct Auth(pub Principal);

/// The caller if credentials were sent; a bad token is still 401, never "anonymous".
pub struct MaybeAuth(pub Option<Principal>);

impl Auth {
    /// 403 unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<&Principal, ApiError> {
        Ok(loopdesk_app::access::require(&self.0, permission)?)
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// The session secret from the `Cookie` header, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
        })
    })
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    if parts.headers.contains_key(header::AUTHORIZATION) {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        return match state.read().principal_for_token(token).await? {
            Some(p) => Ok(Some(p)),
            None => Err(ApiError::Unauthorized),
        };
    }
    if let Some(secret) = session_cookie(&parts.headers) {
        if let Some(session) = state.read().session(&secret, state.now()).await? {
            let principal = session.user.principal();
            // Signed in by password alone while a second factor is required: only the
            // sign-in routes (enrolment among them) answer. API tokens are for machines and
            // are not held to it.
            let path = parts.uri.path();
            let open = path.strip_prefix("/api/v1").unwrap_or(path).starts_with("/auth/");
            if !open && loopdesk_app::accounts::totp::enrolment_required(state, &principal).await? {
                return Err(ApiError::EnrolmentRequired);
            }
            return Ok(Some(principal));
        }
    }
    Ok(None)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state).await?.map(Auth).ok_or(ApiError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state).await.map(MaybeAuth)
    }
}

macro_rules! permission_extractor {
    ($(#[$doc:meta])* $name:ident, $perm:expr) => {
        $(#[$doc])*
        pub struct $name(pub Auth);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
                let auth = Auth::from_request_parts(parts, state).await?;
                auth.require($perm)?;
                Ok($name(auth))
            }
        }
    };
}

permission_extractor!(
    /// A caller who may work tickets; checked before the body is read.
    Worker,
    Permission::Work
);
permission_extractor!(
    /// A caller who may supervise; checked before the body is read.
    Supervisor,
    Permission::Supervise
);
permission_extractor!(
    /// An administrator; checked before the body is read.
    Admin,
    Permission::Administer
);
