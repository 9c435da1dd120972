//! The WeChat official account (公众号) server protocol: URL verification, the SHA1
//! signatures, plaintext and safe-mode (AES) messages, and passive replies.
//!
//! The server calls [`WechatAccount::verify_url`] for the GET that WeChat sends when the
//! URL is configured, [`WechatAccount::open`] for each POSTed message, and
//! [`WechatAccount::reply_text`] to answer within the same HTTP response.

mod cipher;
mod message;
mod reply;
mod signature;

pub use cipher::EncodingAesKey;
pub use message::{MessageBody, WechatMessage};
pub use signature::signature;

use loopdesk_core::Timestamp;
use serde::Deserialize;

/// One official account's server settings (开发 › 基本配置).
#[derive(Clone)]
pub struct WechatAccount {
    /// The Token set in the console.
    pub token: String,
    /// The account's AppID; safe-mode messages must carry it.
    pub app_id: String,
    /// The EncodingAESKey; `None` for plaintext mode.
    pub aes_key: Option<EncodingAesKey>,
    /// Compatible mode (兼容模式): with a key, plaintext messages are accepted as well. Off
    /// means safe mode (安全模式) when a key is set: plaintext is refused, so nobody who
    /// learned the Token alone can inject messages.
    pub compatible_mode: bool,
    /// How far a request's timestamp may be from now, in seconds (replay window).
    pub max_skew_secs: i64,
}

impl std::fmt::Debug for WechatAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatAccount")
            .field("app_id", &self.app_id)
            .field("token", &"<redacted>")
            .field("aes_key", &self.aes_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Query parameters of WeChat's requests (`?signature=&timestamp=&nonce=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallbackQuery {
    /// `sha1(sort(token, timestamp, nonce))`.
    pub signature: Option<String>,
    /// Unix seconds as text.
    pub timestamp: String,
    /// A random string chosen by WeChat.
    pub nonce: String,
    /// Only on the URL verification GET.
    pub echostr: Option<String>,
    /// The follower's OpenID, on message pushes.
    pub openid: Option<String>,
    /// `aes` in safe and compatible mode, absent or `raw` in plaintext mode.
    pub encrypt_type: Option<String>,
    /// Signature over the encrypted body, in safe mode.
    pub msg_signature: Option<String>,
}

/// A verified, decrypted inbound message, and how it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The message itself.
    pub message: WechatMessage,
    /// Whether it came encrypted: the reply must then be encrypted too.
    pub encrypted: bool,
}

/// Why a WeChat request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WechatError {
    /// A signature did not match.
    #[error("signature does not match")]
    BadSignature,
    /// The timestamp is unreadable or too far from now.
    #[error("timestamp is missing, malformed or outside the allowed window")]
    StaleTimestamp,
    /// A required query parameter is absent.
    #[error("missing query parameter {0}")]
    MissingParameter(&'static str),
    /// The configured EncodingAESKey is malformed.
    #[error("EncodingAESKey must be 43 base64 characters")]
    BadAesKey,
    /// Safe mode without a configured key.
    #[error("message is encrypted but no EncodingAESKey is configured")]
    NoAesKey,
    /// The ciphertext could not be decrypted.
    #[error("cannot decrypt: {0}")]
    Decrypt(&'static str),
    /// The decrypted AppID is not ours.
    #[error("message was encrypted for another AppID")]
    WrongAppId,
    /// A plaintext message while the account is in safe mode.
    #[error("plaintext messages are refused in safe mode; send it encrypted (encrypt_type=aes)")]
    PlaintextRefused,
    /// The body is not the XML WeChat sends.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// A required element is absent.
    #[error("required element <{0}> is missing")]
    MissingElement(&'static str),
}

impl WechatAccount {
    /// Answers the URL verification GET: returns `echostr` when the signature is right.
    pub fn verify_url(&self, q: &CallbackQuery, now: Timestamp) -> Result<String, WechatError> {
        let signature = q.signature.as_deref().ok_or(WechatError::MissingParameter("signature"))?;
        self.check_time(&q.timestamp, now)?;
        signature::verify(signature, &[&self.token, &q.timestamp, &q.nonce])?;
        q.echostr.clone().ok_or(WechatError::MissingParameter("echostr"))
    }

    /// Verifies and opens a POSTed message: encrypted whenever a key is set (safe mode),
    /// plaintext only without a key or in compatible mode.
    pub fn open(&self, q: &CallbackQuery, body: &[u8], now: Timestamp) -> Result<Inbound, WechatError> {
        self.check_time(&q.timestamp, now)?;
        let xml = std::str::from_utf8(body).map_err(|_| WechatError::Xml("not UTF-8".into()))?;
        if q.encrypt_type.as_deref() != Some("aes") {
            if self.aes_key.is_some() && !self.compatible_mode {
                return Err(WechatError::PlaintextRefused);
            }
            let signature = q.signature.as_deref().ok_or(WechatError::MissingParameter("signature"))?;
            signature::verify(signature, &[&self.token, &q.timestamp, &q.nonce])?;
            let message = message::parse(xml)?;
            return Ok(Inbound { message, encrypted: false });
        }
        let key = self.aes_key.as_ref().ok_or(WechatError::NoAesKey)?;
        let msg_signature = q.msg_signature.as_deref().ok_or(WechatError::MissingParameter("msg_signature"))?;
        let encrypted = message::encrypted_part(xml)?;
        signature::verify(msg_signature, &[&self.token, &q.timestamp, &q.nonce, &encrypted])?;
        let plain = key.decrypt(&encrypted, &self.app_id)?;
        let message = message::parse(&plain)?;
        Ok(Inbound { message, encrypted: true })
    }

    /// The passive reply carrying `content` (e.g. the tracking number), encrypted when
    /// the message came encrypted. `nonce` is any random string.
    pub fn reply_text(&self, to: &Inbound, content: &str, now: Timestamp, nonce: &str) -> Result<String, WechatError> {
        let plain = reply::text(&to.message, content, now.timestamp());
        if !to.encrypted {
            return Ok(plain);
        }
        let key = self.aes_key.as_ref().ok_or(WechatError::NoAesKey)?;
        let encrypted = key.encrypt(&plain, &self.app_id, rand::random());
        let timestamp = now.timestamp().to_string();
        let msg_signature = signature(&[&self.token, &timestamp, nonce, &encrypted]);
        Ok(reply::envelope(&encrypted, &msg_signature, &timestamp, nonce))
    }

    fn check_time(&self, timestamp: &str, now: Timestamp) -> Result<(), WechatError> {
        let ts: i64 = timestamp.parse().map_err(|_| WechatError::StaleTimestamp)?;
        if (now.timestamp() - ts).abs() > self.max_skew_secs {
            return Err(WechatError::StaleTimestamp);
        }
        Ok(())
    }
}
