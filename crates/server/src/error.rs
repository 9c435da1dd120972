//! The one place where errors become HTTP responses. Every error body is
//! `{"code", "message", "field"?}`; 5xx log their cause and answer a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_core::DomainError;
use loopdesk_store::StoreError;
use serde::Serialize;

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read (malformed JSON, bad query string).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String, field: Option<String> },
    /// 401: no valid credentials.
    #[error("sign in or send a valid API token")]
    Unauthorized,
    /// 403: credentials valid, permission missing.
    #[error("{0}")]
    Forbidden(String),
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

    fn parts(&self) -> (StatusCode, &'static str, Option<&str>) {
        match self {
            ApiError::BadRequest { code, field, .. } => (StatusCode::BAD_REQUEST, code, field.as_deref()),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let (status, code, field) = self.parts();
        let body = Body { code, message: self.to_string(), field };
        let mut resp = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::IllegalTransition { state, action } => ApiError::Conflict {
                code: "illegal_transition",
                message: format!(
                    "cannot {action} a ticket that is {state}; allowed now: {}",
                    state.allowed_actions().iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                ),
                field: None,
            },
            DomainError::Invalid { field, message } => ApiError::invalid(field, message),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => ApiError::NotFound(format!("{what} not found")),
            StoreError::Conflict => ApiError::Conflict { code: "conflict", message: e.to_string(), field: None },
            StoreError::IdempotencyMismatch => ApiError::Invalid {
                code: "idempotency_key_reused",
                message: e.to_string(),
                field: Some("Idempotency-Key".into()),
            },
            StoreError::Duplicate { field } => {
                ApiError::Conflict { code: "duplicate", message: e.to_string(), field: Some(field.into()) }
            }
            StoreError::StaleVersion { .. } => ApiError::Conflict {
                code: "stale_version",
                message: e.to_string(),
                field: Some("expected_version".into()),
            },
            StoreError::Domain(d) => d.into(),
            StoreError::WriterGone => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        }
    }
}
