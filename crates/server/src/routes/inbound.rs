//! The doors channels knock on: raw e-mail from a mail provider, the WeChat official
//! account's server endpoint, signed webhooks from apps and platforms. Each reads the
//! request, hands the message to `loopdesk_app::inbound` and answers in the form that
//! channel expects.

use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loopdesk_app::inbound::email::{ingest, Ingested};
use loopdesk_app::inbound::{webhook, wechat};
use loopdesk_channels::wechat::{CallbackQuery, WechatError};
use serde::Deserialize;
use serde_json::json;
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
#[derive(Debug, Deserialize)]
pub struct SourceQuery {
    #[serde(default)]
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
async fn email(
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
async fn wechat_verify(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = wechat_query(raw)?;
    let account = wechat::account(&state).await?;
    Ok(match account.verify_url(&q, state.now()) {
        Ok(echo) => plain(StatusCode::OK, echo),
        Err(e) => refused(&e),
    })
}

/// `POST /api/v1/inbound/wechat`: a pushed message, answered with a passive reply.
async fn wechat_receive(
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

/// `POST /api/v1/inbound/webhook/{source}`: 201 with the new ticket, 200 for a record
/// delivered before; 401 for a bad signature, 409 for a replayed one.
async fn webhook(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let got = webhook::receive(&state, &source, header, &body).await?;
    let status = if got.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let out = json!({
        "id": got.ticket.id.0,
        "tracking_no": got.ticket.tracking_no.to_string(),
        "external_id": got.external_id,
        "replayed": got.replayed,
    });
    Ok((status, Json(out)).into_response())
}
