//! The one place where errors become HTTP responses: the application's errors and the
//! HTTP layer's own (a body that cannot be read, a method not allowed) map to one status,
//! code and field each, used by the JSON API and the HTML pages alike. Every error body is
//! `{"code", "message", "field"?}`; 5xx log their cause chain and answer a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_app::read::StoreError;
use loopdesk_app::AppError;
use loopdesk_core::DomainError;
use serde::Serialize;

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// What a use case answered (each variant's status is in [`ApiError::parts`]).
    #[error(transparent)]
    App(AppError),
    /// 400: the request could not be read (malformed JSON, bad query string).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String, field: Option<String> },
    /// 401: no valid credentials.
    #[error("sign in or send a valid API token")]
    Unauthorized,
    /// 403: credentials valid, permission missing.
    #[error("{0}")]
    Forbidden(String),
    /// 403 `totp_enrolment_required`: an admin without a second factor while the
    /// configuration requires one; only `/auth/…` (enrolment included) stays open.
    #[error("admins must enrol a second factor first: POST /api/v1/auth/totp/enrol, then /auth/totp/confirm")]
    EnrolmentRequired,
    /// 404: nothing there (or not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// 405: the endpoint exists, the method does not.
    #[error("this endpoint does not accept that method")]
    MethodNotAllowed,
    /// 409: conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String, field: Option<String> },
    /// 410: it was there, and is no longer valid (an expired link).
    #[error("{0}")]
    Gone(String),
    /// 413: body too large.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: not JSON.
    #[error("send the body as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 413 for one uploaded file (over the size limit), naming its form field.
    #[error("{message}")]
    FileTooLarge { field: String, message: String },
    /// 415 for one uploaded file (type not accepted), naming its form field.
    #[error("{message}")]
    FileType { field: String, message: String },
    /// 422: well-formed but invalid.
    #[error("{message}")]
    Invalid { code: &'static str, message: String, field: Option<String> },
    /// 429: slow down.
    #[error("too many requests; try again in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    /// 503: not ready.
    #[error("the service is starting or shutting down; try again shortly")]
    Unavailable,
    /// 500: a bug or a failed dependency; details go to the log only.
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// 422 for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid { code: "invalid_field", message: message.into(), field: Some(field.into()) }
    }

    /// The status, machine code and offending field of this error.
    pub fn parts(&self) -> (StatusCode, &'static str, Option<&str>) {
        match self {
            ApiError::App(e) => app_parts(e),
            ApiError::BadRequest { code, field, .. } => (StatusCode::BAD_REQUEST, code, field.as_deref()),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            ApiError::EnrolmentRequired => (StatusCode::FORBIDDEN, "totp_enrolment_required", None),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None),
            ApiError::Conflict { code, field, .. } => (StatusCode::CONFLICT, code, field.as_deref()),
            ApiError::Gone(_) => (StatusCode::GONE, "gone", None),
            ApiError::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None),
            ApiError::FileTooLarge { field, .. } => (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", Some(field)),
            ApiError::FileType { field, .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type", Some(field)),
            ApiError::Invalid { code, field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code, field.as_deref()),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", None),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        }
    }
}

/// The HTTP meaning of each application error.
fn app_parts(e: &AppError) -> (StatusCode, &'static str, Option<&str>) {
    match e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
        AppError::Unauthenticated { code, .. } => (StatusCode::UNAUTHORIZED, code, None),
        AppError::SecondFactor { code, .. } => (StatusCode::UNAUTHORIZED, code, Some("code")),
        AppError::Malformed { code, field, .. } => (StatusCode::BAD_REQUEST, code, field.as_deref()),
        AppError::Invalid { code, field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code, field.as_deref()),
        AppError::TooLarge { field, .. } => (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", Some(field)),
        AppError::UnsupportedType { field, .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type", Some(field)),
        AppError::Conflict { code, field, .. } => (StatusCode::CONFLICT, code, field.as_deref()),
        AppError::StaleVersion { .. } => (StatusCode::CONFLICT, "stale_version", Some("expected_version")),
        AppError::Gone(_) => (StatusCode::GONE, "gone", None),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", None),
        AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
    }
}

impl ApiError {
    /// The message shown to the client: a 5xx never shows its cause.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::App(AppError::Internal(_)) | ApiError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }

    /// Seconds to wait, for a rate-limited answer.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests { retry_after } | ApiError::App(AppError::RateLimited { retry_after }) => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// Logs a server-side failure with its whole cause chain.
    pub fn log(&self) {
        let cause: &dyn std::error::Error = match self {
            ApiError::App(e @ AppError::Internal(_)) => e,
            ApiError::Internal(_) => self,
            _ => return,
        };
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(&format!(": {s}"));
            source = s.source();
        }
        tracing::error!(cause = %chain, "request failed");
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let (status, code, field) = self.parts();
        let body = Body { code, message: self.public_message(), field };
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(retry_after) = self.retry_after() {
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::App(e.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::App(e.into())
    }
}
