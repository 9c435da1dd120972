//! Pictures sent to the WeChat official account: the message carries only a MediaId, so a
//! background job (`wechat.media`; the passive reply must go out within 5 s) downloads the
//! picture through WeChat's documented API — an access token from `cgi-bin/token` (AppID +
//! AppSecret, cached until shortly before it expires) and `cgi-bin/media/get?media_id=` —
//! and stores it as an attachment of the ticket, under the same size limit and type check
//! as e-mail attachments. WeChat's errors (`{"errcode":…}`) are retried with the job
//! queue's backoff; an expired or revoked token is dropped from the cache first.

use super::messages::system_note;
use crate::documents::channel::WechatDoc;
use crate::documents::{load, ChannelName, DocumentKind};
use crate::jobs::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::App;
use loopdesk_core::{TicketId, Timestamp};
use loopdesk_store::KeyWrite;
use serde::{Deserialize, Serialize};
/// Where WeChat's API lives unless the `channel:wechat` document says otherwise.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
/// Error codes that mean the access token is no longer good.
const TOKEN_ERRORS: [i64; 3] = [40001, 40014, 42001];

/// A cached access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub app_id: String,
    pub token: String,
    pub expires_at: Timestamp,
}

/// Download one picture a follower sent and keep it with the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchMedia {
    pub ticket_id: TicketId,
    pub media_id: String,
    pub msg_id: String,
}

impl Job for FetchMedia {
    const KIND: JobKind = JobKind::WechatMedia;

    fn key(&self) -> Key {
        Key::wechat_media(&self.msg_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        fetch(app, self).await
    }
}

#[derive(Deserialize)]
struct WechatAnswer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

fn api_base(doc: &WechatDoc) -> String {
    doc.api_base.as_deref().filter(|b| !b.is_empty()).unwrap_or(DEFAULT_API_BASE).trim_end_matches('/').to_string()
}

fn retry(what: &str, e: reqwest::Error) -> JobError {
    JobError::Retry(format!("WeChat {what}: {}", e.without_url()))
}

/// A valid access token: the cached one, or a fresh one from `cgi-bin/token`.
async fn access_token(app: &App, doc: &WechatDoc, secret: &str) -> Result<String, JobError> {
    let now = app.now();
    let mut cache = app.outbound.wechat_token.lock().await;
    if let Some(t) = cache.as_ref().filter(|t| t.app_id == doc.app_id && t.expires_at > now) {
        return Ok(t.token.clone());
    }
    let url = format!("{}/cgi-bin/token", api_base(doc));
    let query = [("grant_type", "client_credential"), ("appid", doc.app_id.as_str()), ("secret", secret)];
    let resp = app.outbound.http.get(&url).query(&query).send().await.map_err(|e| retry("token", e))?;
    let answer: WechatAnswer = resp.json().await.map_err(|e| retry("token", e))?;
    match (answer.errcode, answer.access_token) {
        (0, Some(token)) => {
            // Renew a little early so a token never expires in flight.
            let ttl = answer.expires_in.unwrap_or(7200).max(60) - 60;
            *cache = Some(AccessToken {
                app_id: doc.app_id.clone(),
                token: token.clone(),
                expires_at: now + chrono::Duration::seconds(ttl),
            });
            Ok(token)
        }
        (code, _) => Err(JobError::Retry(format!("WeChat token: errcode {code}: {}", answer.errmsg))),
    }
}

/// Downloads the picture of a `wechat.media` job.
async fn fetch(app: &App, m: FetchMedia) -> Result<(), JobError> {
    let ticket = m.ticket_id;
    let done_key = Key::wechat_media_done(&m.msg_id);
    if app.read().channel_key(done_key.as_str()).await?.is_some() {
        return Ok(());
    }
    let doc = load::<WechatDoc>(app, &DocumentKind::Channel(ChannelName::wechat()))
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
        .ok_or_else(|| JobError::Retry("WeChat is not configured".into()))?;
    let secret = doc
        .app_secret
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| JobError::Retry("the channel:wechat document has no app_secret".into()))?;
    let token = access_token(app, &doc, &secret).await?;
    let url = format!("{}/cgi-bin/media/get", api_base(&doc));
    let query = [("access_token", token.as_str()), ("media_id", m.media_id.as_str())];
    let resp = app.outbound.http.get(&url).query(&query).send().await.map_err(|e| retry("media/get", e))?;
    let status = resp.status();
    let content_type =
        resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if !status.is_success() {
        return Err(JobError::Retry(format!("WeChat media/get: HTTP {status}")));
    }
    let policy = crate::intake::uploads::policy();
    if let Some(len) = resp.content_length().filter(|l| *l as usize > policy.max_bytes) {
        return refused(
            app,
            ticket,
            &done_key,
            &m,
            &format!("{len} bytes is over the {} byte limit", policy.max_bytes),
        )
        .await;
    }
    // Read with the limit in hand: a chunked answer has no length to check first.
    let (mut resp, mut bytes) = (resp, Vec::new());
    while let Some(chunk) = resp.chunk().await.map_err(|e| retry("media/get", e))? {
        if bytes.len() + chunk.len() > policy.max_bytes {
            let why = format!("over the {} byte limit", policy.max_bytes);
            return refused(app, ticket, &done_key, &m, &why).await;
        }
        bytes.extend_from_slice(&chunk);
    }
    // Errors come back as JSON (`{"errcode":40007,"errmsg":"invalid media_id"}`), media as the file.
    if content_type.starts_with("application/json") || content_type.starts_with("text/plain") {
        let answer: WechatAnswer = serde_json::from_slice(&bytes)
            .map_err(|e| JobError::Retry(format!("WeChat media/get: unreadable answer: {e}")))?;
        if TOKEN_ERRORS.contains(&answer.errcode) {
            *app.outbound.wechat_token.lock().await = None;
        }
        return Err(JobError::Retry(format!("WeChat media/get: errcode {}: {}", answer.errcode, answer.errmsg)));
    }
    let file = match policy.accept(&m.media_id, &content_type, bytes) {
        Ok(f) => f,
        Err(why) => return refused(app, ticket, &done_key, &m, &why.to_string()).await,
    };
    let name = format!("wechat-{}.{}", m.msg_id, extension(&file.content_type));
    let now = app.now();
    let id = app.store.add_attachment(Some(ticket), &name, &file.content_type, &file.bytes, now).await?;
    let note = format!("微信图片已保存 / WeChat picture saved: {name} ({} bytes) /api/v1/attachments/{id}", file.size);
    done(app, ticket, &done_key, note).await
}

async fn refused(app: &App, ticket: TicketId, done_key: &Key, m: &FetchMedia, why: &str) -> Result<(), JobError> {
    let note = format!("微信图片未保存 / WeChat picture not kept (media {}): {why}", m.media_id);
    done(app, ticket, done_key, note).await
}

/// The note on the timeline and the key that says the picture was dealt with, together.
async fn done(app: &App, ticket: TicketId, done_key: &Key, note: String) -> Result<(), JobError> {
    let key = KeyWrite { key: done_key.clone().into(), value: None };
    Ok(system_note(app, ticket, note, vec![key]).await?)
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/bmp" => "bmp",
        "image/heic" => "heic",
        _ => "bin",
    }
}
