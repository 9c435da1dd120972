//! The WeChat official-account (公众号) server endpoint, configured by the `channel:wechat`
//! document. GET answers the URL verification; POST takes a message (plaintext or safe
//! mode), opens or extends the follower's ticket, and answers with a passive reply that
//! carries the tracking number. WeChat expects plain text, so errors are plain text too.

use super::docs::{self, WechatDoc};
use super::email_in::acknowledge;
use super::intake::{append_customer_message, is_open, open_ticket};
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_channels::wechat::{CallbackQuery, EncodingAesKey, MessageBody, WechatAccount, WechatError};
use loopdesk_core::{Channel, Customer, Ticket};

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.into()).into_response()
}

/// WeChat always sends these parameters; anything else is answered as an API error.
fn query(raw: Option<String>) -> Result<CallbackQuery, ApiError> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).map_err(|e| ApiError::BadRequest {
        code: "bad_query",
        message: format!("query string: {e}"),
        field: None,
    })
}

fn refused(e: &WechatError) -> Response {
    match e {
        WechatError::BadSignature | WechatError::StaleTimestamp | WechatError::MissingParameter(_) => {
            plain(StatusCode::UNAUTHORIZED, format!("invalid signature: {e}"))
        }
        _ => plain(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn account(state: &AppState) -> Result<WechatAccount, Response> {
    let doc = match docs::load::<WechatDoc>(state, "channel:wechat").await {
        Ok(Some(d)) => d,
        Ok(None) => return Err(ApiError::NotFound("WeChat is not configured".into()).into_response()),
        Err(e) => return Err(e.into_response()),
    };
    let aes_key = match doc.encoding_aes_key.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(EncodingAesKey::parse(k).map_err(|e| plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?),
        None => None,
    };
    Ok(WechatAccount { token: doc.token, app_id: doc.app_id, aes_key, max_skew_secs: doc.max_skew_secs })
}

/// `GET /api/v1/inbound/wechat`: URL verification, answers `echostr`.
pub async fn verify(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let q = match query(raw) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let account = match account(&state).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match account.verify_url(&q, state.now()) {
        Ok(echo) => plain(StatusCode::OK, echo),
        Err(e) => refused(&e),
    }
}

/// `POST /api/v1/inbound/wechat`: a pushed message.
pub async fn receive(State(state): State<AppState>, RawQuery(raw): RawQuery, body: Bytes) -> Response {
    let q = match query(raw) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let account = match account(&state).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let now = state.now();
    let inbound = match account.open(&q, &body, now) {
        Ok(m) => m,
        Err(e) => return refused(&e),
    };
    let answer = match handle(&state, &inbound.message).await {
        Ok(Some(text)) => text,
        // WeChat takes "success" as "no reply".
        Ok(None) => return plain(StatusCode::OK, "success"),
        Err(e) => {
            tracing::warn!(error = %e, "WeChat message not taken in");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "temporarily unavailable");
        }
    };
    let nonce = format!("{:016x}", rand::random::<u64>());
    match account.reply_text(&inbound, &answer, now, &nonce) {
        Ok(xml) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response(),
        Err(e) => refused(&e),
    }
}

fn words(msg: &loopdesk_channels::wechat::WechatMessage) -> Option<String> {
    match &msg.body {
        MessageBody::Image { pic_url, .. } => Some(format!("[图片 / picture] {pic_url}")),
        _ => msg.text().map(str::to_string).filter(|t| !t.trim().is_empty()),
    }
}

/// Takes the message in; the passive reply's text, or `None` for events.
async fn handle(state: &AppState, msg: &loopdesk_channels::wechat::WechatMessage) -> Result<Option<String>, ApiError> {
    let Some(text) = words(msg) else {
        return Ok(match &msg.body {
            MessageBody::Event { event, .. } if event == "subscribe" => {
                Some("感谢关注！直接发送消息即可提交反馈，我们会回复您反馈编号。".to_string())
            }
            _ => None,
        });
    };
    let now = state.now();
    let dedupe = msg.dedupe_key();
    let thread_key = format!("wechat-open:{}", msg.from_user);
    // WeChat resends a message it got no answer for: answer the same way again.
    if let Some((ticket, _)) = state.store.channel_key(&dedupe).await? {
        let t = state.store.ticket(ticket).await?;
        return Ok(Some(received_text(&t)));
    }
    if let Some((ticket, _)) = state.store.channel_key(&thread_key).await? {
        let t = state.store.ticket(ticket).await?;
        if is_open(&t) {
            state.store.claim_channel_key(&dedupe, t.id, now).await?;
            let t = append_customer_message(state, t.id, &text).await?;
            fetch_picture(state, msg, &t).await?;
            return Ok(Some(format!("已收到您的补充说明，反馈编号 {}。", t.tracking_no)));
        }
    }
    let customer = Customer { member_id: Some(format!("wechat:{}", msg.from_user)), ..Customer::default() };
    let ticket = Ticket::draft(Channel::Wechat, text, customer, now, now);
    let (t, _) = open_ticket(state, ticket, Some((dedupe.clone(), "wechat".into()))).await?;
    state.store.claim_channel_key(&dedupe, t.id, now).await?;
    state.store.set_channel_key(&thread_key, t.id, None, now).await?;
    fetch_picture(state, msg, &t).await?;
    acknowledge(state, &t).await?;
    Ok(Some(received_text(&t)))
}

/// A picture is fetched in the background (the passive reply cannot wait for WeChat's API).
async fn fetch_picture(
    state: &AppState,
    msg: &loopdesk_channels::wechat::WechatMessage,
    t: &Ticket,
) -> Result<(), ApiError> {
    match &msg.body {
        MessageBody::Image { media_id, msg_id, .. } => {
            super::wechat_media::enqueue(state, t.id, media_id, msg_id).await
        }
        _ => Ok(()),
    }
}

fn received_text(t: &Ticket) -> String {
    format!("您的反馈已收到，反馈编号 {}。我们将在 48 小时内答复，查询进度请提供此编号。", t.tracking_no)
}
