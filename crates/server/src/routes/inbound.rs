//! The doors channels knock on: raw e-mail from a mail provider, the WeChat official
//! account's server endpoint, signed webhooks from apps and platforms. Each reads the
//! request, hands the message to `loopdesk_app::inbound` and answers in the form that
//! channel expects.

use crate::error::ApiError;
use crate::extract::Path;
use crate::extract::Query;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loopdesk_app::inbound::email::{ingest, Ingested};
use loopdesk_app::inbound::{webhook, wechat};
use loopdesk_channels::wechat::{CallbackQuery, WechatError};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Routes of this module (under `/api/v1`).
pub fn router(state: &AppState) -> Router<AppState> {
    let max_email = state.config.channels.max_inbound_email_bytes;
    Router::new()
        .route("/inbound/email", post(email).layer(DefaultBodyLimit::max(max_email)))
        .route("/inbound/wechat", get(wechat_verify).post(wechat_receive))
        .route("/inbound/webhook/{source}", post(webhook))
}

/// Query of `POST /inbound/email`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SourceQuery {
    /// Which mailbox or provider (letters, digits, `-_.`; others are dropped).
    #[serde(default)]
    #[param(max_length = 64)]
    pub source: Option<String>,
}

/// Whether the request carries the configured bearer token (compared as digests, so the
/// time taken says nothing about the token).
fn bearer_ok(headers: &HeaderMap, expected: Option<&str>) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match (expected, given) {
        (Some(e), Some(g)) if !e.is_empty() => {
            Sha256::digest(e.as_bytes()).as_slice() == Sha256::digest(g.as_bytes()).as_slice()
        }
        _ => false,
    }
}

/// `POST /api/v1/inbound/email`: a raw RFC 822 message, with `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/inbound/email", tag = "channels", security(("inbound_token" = [])), params(SourceQuery),
    request_body(content((String = "message/rfc822"), (String = "text/plain")), description = "The raw message (any content type is read as bytes)"),
    responses(
        (status = 201, description = "A ticket was opened", body = Ingested),
        (status = 202, description = "Quarantined with its reason", body = Ingested),
        (status = 200, description = "Threaded into a ticket, or a duplicate", body = Ingested),
        crate::openapi::Errors))]
pub async fn email(
    State(state): State<AppState>,
    Query(q): Query<SourceQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    let expected = state.config.channels.inbound_email_token.as_ref().map(|s| s.expose().to_string());
    if !bearer_ok(&headers, expected.as_deref()) {
        return Err(ApiError::Unauthorized);
    }
    let source: String = q
        .source
        .unwrap_or_else(|| "inbound".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(64)
        .collect();
    let outcome = ingest(&state, &format!("email:{source}"), &body).await?;
    let status = match outcome {
        Ingested::Opened { .. } => StatusCode::CREATED,
        Ingested::Quarantined { .. } => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(outcome)))
}

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.into()).into_response()
}

/// WeChat always sends these parameters; anything else is answered as an API error.
fn wechat_query(raw: Option<String>) -> Result<CallbackQuery, ApiError> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).map_err(|e| ApiError::BadRequest {
        code: "bad_query",
        message: format!("query string: {e}"),
        field: None,
    })
}

/// WeChat expects plain text, so its refusals are plain text too.
fn refused(e: &WechatError) -> Response {
    match e {
        WechatError::BadSignature | WechatError::StaleTimestamp | WechatError::MissingParameter(_) => {
            plain(StatusCode::UNAUTHORIZED, format!("invalid signature: {e}"))
        }
        _ => plain(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// `GET /api/v1/inbound/wechat`: URL verification, answers `echostr`.
#[utoipa::path(get, path = "/inbound/wechat", tag = "channels", operation_id = "wechat_verify", security(()), params(
        ("signature" = String, Query, description = "sha1 of the sorted token, timestamp and nonce"),
        ("timestamp" = String, Query, description = "Unix seconds, within the replay window"),
        ("nonce" = String, Query),
        ("echostr" = String, Query, description = "Echoed back when the signature is right"),
        ("openid" = Option<String>, Query),
        ("encrypt_type" = Option<String>, Query, description = "`aes` for encrypted messages (required in safe mode)"),
        ("msg_signature" = Option<String>, Query, description = "Signature over the encrypted message")
    ),
    responses(
        (status = 200, description = "`echostr`", body = String, content_type = "text/plain"),
        (status = 401, description = "Bad signature or stale timestamp", body = String, content_type = "text/plain"),
        crate::openapi::Errors))]
pub async fn wechat_verify(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = wechat_query(raw)?;
    let account = wechat::account(&state).await?;
    Ok(match account.verify_url(&q, state.now()) {
        Ok(echo) => plain(StatusCode::OK, echo),
        Err(e) => refused(&e),
    })
}

/// `POST /api/v1/inbound/wechat`: a pushed message (XML; encrypted in safe mode, plaintext
/// only without a key or in compatible mode), answered with a passive reply.
#[utoipa::path(post, path = "/inbound/wechat", tag = "channels", operation_id = "wechat_receive", security(()), params(
        ("signature" = Option<String>, Query, description = "sha1 of the sorted token, timestamp and nonce"),
        ("timestamp" = String, Query, description = "Unix seconds, within the replay window"),
        ("nonce" = String, Query),
        ("openid" = Option<String>, Query),
        ("encrypt_type" = Option<String>, Query, description = "`aes` for encrypted messages (required in safe mode)"),
        ("msg_signature" = Option<String>, Query, description = "Signature over the encrypted message")
    ),
    request_body(content = String, content_type = "application/xml"),
    responses(
        (status = 200, description = "The passive reply, or `success`", content(
            (String = "application/xml"), (String = "text/plain"))),
        (status = 400, description = "Refused: plaintext in safe mode, undecryptable, hostile XML", content(
            (String = "text/plain"), (crate::openapi::ErrorBody = "application/json"))),
        (status = 401, description = "Bad signature or stale timestamp", body = String, content_type = "text/plain"),
        (status = 500, description = "Not taken in now; WeChat retries", body = String, content_type = "text/plain"),
        crate::openapi::Errors))]
pub async fn wechat_receive(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q = wechat_query(raw)?;
    let account = wechat::account(&state).await?;
    let now = state.now();
    let inbound = match account.open(&q, &body, now) {
        Ok(m) => m,
        Err(e) => return Ok(refused(&e)),
    };
    let answer = match wechat::receive(&state, &inbound.message).await {
        Ok(Some(text)) => text,
        // WeChat takes "success" as "no reply".
        Ok(None) => return Ok(plain(StatusCode::OK, "success")),
        Err(e) => {
            tracing::warn!(error = %e, "WeChat message not taken in");
            return Ok(plain(StatusCode::INTERNAL_SERVER_ERROR, "temporarily unavailable"));
        }
    };
    let nonce = format!("{:016x}", rand::random::<u64>());
    Ok(match account.reply_text(&inbound, &answer, now, &nonce) {
        Ok(xml) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response(),
        Err(e) => refused(&e),
    })
}

/// A record taken in from a webhook.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WebhookOut {
    id: i64,
    tracking_no: String,
    /// The source's own id of the record.
    external_id: Option<String>,
    /// Delivered before: the same ticket is answered.
    replayed: bool,
}

/// `POST /api/v1/inbound/webhook/{source}`: 201 with the new ticket, 200 for a record
/// delivered before; 401 for a bad signature, 409 for a replayed one.
#[utoipa::path(post, path = "/inbound/webhook/{source}", tag = "channels", security(()),
    params(("source" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "The configured source (`channel:<source>` document)")),
    request_body(content = Object, description = "Signed JSON (the source's own shape, mapped by its document)"),
    responses(
        (status = 201, description = "A ticket was opened", body = WebhookOut),
        (status = 200, description = "Delivered before", body = WebhookOut),
        crate::openapi::Errors))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let got = webhook::receive(&state, &source, header, &body).await?;
    let status = if got.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let out = WebhookOut {
        id: got.ticket.id.0,
        tracking_no: got.ticket.tracking_no.to_string(),
        external_id: got.external_id,
        replayed: got.replayed,
    };
    Ok((status, Json(out)).into_response())
}
