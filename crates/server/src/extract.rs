//! Request extractors that answer in the API's error format: JSON bodies (with the path of
//! the offending field), query strings, and the client address.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// A JSON body. Malformed JSON is 400, a wrong or missing field 422 naming the field.
pub struct Json<T>(pub T);

/// The raw bytes behind a [`Json`] body, for idempotency hashing.
pub struct JsonWithBytes<T>(pub T, pub Bytes);

fn is_json(req: &Request) -> bool {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(
        |mime| {
            let m = mime.trim();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        },
    )
}

fn body_error(e: BytesRejection, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit }
    } else {
        ApiError::BadRequest { code: "unreadable_body", message: e.body_text(), field: None }
    }
}

/// Parses JSON bytes into `T`, naming the offending field on failure. Every body of the API
/// is an object: serde would also read a struct from an array of its fields in order
/// (`[null, null]`), which no client means, so an array is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::Invalid {
            code: "invalid_field",
            message: "the body must be a JSON object, not an array".into(),
            field: None,
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = (path != ".").then_some(path);
        if inner.is_syntax() || inner.is_eof() {
            ApiError::BadRequest {
                code: "malformed_json",
                message: format!("the body is not valid JSON: {inner}"),
                field,
            }
        } else {
            let message = inner.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            ApiError::Invalid { code: "invalid_field", message, field }
        }
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonWithBytes<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.config.limits.max_body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|e| body_error(e, limit))?;
        Ok(JsonWithBytes(parse_json(&bytes)?, bytes))
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonWithBytes(value, _) = JsonWithBytes::from_request(req, state).await?;
        Ok(Json(value))
    }
}

/// A page size from a query: absent is `default`, outside `1..=max` is refused (as the
/// API document says) rather than quietly clamped.
pub fn limit<T: Copy + PartialOrd + From<u8> + std::fmt::Display>(
    value: Option<T>,
    default: T,
    max: T,
) -> Result<T, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if v >= T::from(1) && v <= max => Ok(v),
        Some(_) => Err(ApiError::BadRequest {
            code: "invalid_query",
            message: format!("limit must be from 1 to {max}"),
            field: Some("limit".into()),
        }),
    }
}

/// A query string. Unknown values are 400 naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(Query).map_err(|e| {
            let path = e.path().to_string();
            let text = e.into_inner().to_string();
            // Unknown parameters carry their name in the message, not the path.
            let field = if path == "." { text.split('`').nth(1).map(str::to_string) } else { Some(path) };
            ApiError::BadRequest { code: "invalid_query", message: text, field }
        })
    }
}

/// The caller's address: the socket peer, or — behind trusted proxies — the rightmost
/// `X-Forwarded-For` entry not written by one of them ([`TrustedProxies`]), never an entry
/// the client could choose.
///
/// [`TrustedProxies`]: loopdesk_app::config::proxy::TrustedProxies
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let peer = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientIp(state.proxies.client_address(peer, forwarded)))
    }
}

/// A path parameter; a malformed one is 400 in the API's error format.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(|axum::extract::Path(v)| Path(v)).map_err(
            |e| ApiError::BadRequest { code: "invalid_path", message: e.body_text(), field: Some("id".into()) },
        )
    }
}
