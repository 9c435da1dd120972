//! Links to the customer portal. They are built on the configured public address
//! (`[workflow] public_url`, else `[channels] public_url`); without one, links that leave
//! the server (e-mails, survey links) fall back to the listening address and
//! `loopdesk serve` warns at start.
//!
//! The status link, `/status/<tracking number>.<signature>`, lets the customer come back
//! to their ticket without typing anything: the signature is an HMAC-SHA256 of the
//! tracking number under the server's link key (the key that signs survey links, with
//! its own domain prefix so one kind of link can never pass for the other). It does not
//! expire, so it can be bookmarked; it cannot be guessed or altered.

use crate::config::Config;
use crate::{App, AppError};
use hmac::{Hmac, Mac};
use loopdesk_core::{Ticket, TrackingNo};
use loopdesk_store::StoreError;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signature bytes kept in a status link.
const SIG_BYTES: usize = 16;
/// Longest token accepted before any parsing.
const MAX_LEN: usize = 100;
/// Keeps status signatures apart from survey signatures made with the same key.
const DOMAIN: &str = "loopdesk-status:";

/// The public address configured for the portal, if any (no trailing slash).
pub fn configured(config: &Config) -> Option<String> {
    let workflow = config.workflow.public_url.trim();
    let url = if workflow.is_empty() { config.channels.public_url.as_deref().unwrap_or("").trim() } else { workflow };
    (!url.is_empty()).then(|| url.trim_end_matches('/').to_string())
}

/// The address links that leave the server are built on: the configured public address,
/// else the listening address (only right when customers reach the server directly).
pub fn base(config: &Config) -> String {
    configured(config).unwrap_or_else(|| format!("http://{}", config.bind))
}

/// The warning an operator gets while no public address is configured.
pub const NO_PUBLIC_URL: &str = "no public address configured ([workflow] public_url or \
    LOOPDESK_WORKFLOW__PUBLIC_URL): survey and status links in e-mails point at the listening address";

fn mac(key: &[u8], tracking: &TrackingNo) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    m.update(DOMAIN.as_bytes());
    m.update(tracking.as_str().as_bytes());
    Some(m)
}

/// The status token of `tracking`: the number, a dot and the signature.
pub fn sign(key: &[u8], tracking: &TrackingNo) -> String {
    let sig = mac(key, tracking).map(|m| hex::encode(&m.finalize().into_bytes()[..SIG_BYTES])).unwrap_or_default();
    format!("{}.{sig}", tracking.as_str())
}

/// The tracking number a status token proves, or `None` when it was altered or made up.
pub fn verify(key: &[u8], token: &str) -> Option<TrackingNo> {
    if token.len() > MAX_LEN {
        return None;
    }
    let (number, sig) = token.rsplit_once('.')?;
    let sig = hex::decode(sig).ok().filter(|s| s.len() == SIG_BYTES)?;
    // Only the number exactly as issued is accepted: a re-spelt one is another token.
    let tracking = TrackingNo::parse(number).ok().filter(|t| t.as_str() == number)?;
    mac(key, &tracking)?.verify_truncated_left(&sig).ok()?;
    Some(tracking)
}

/// The path of `ticket`'s status page (`/status/…`).
pub async fn status_path(app: &App, ticket: &Ticket) -> Result<String, AppError> {
    let key = crate::workflow::survey::signing_key(app).await?;
    Ok(format!("/status/{}", sign(&key, &ticket.tracking_no)))
}

/// The full status link of `ticket`, on the public address.
pub async fn status_url(app: &App, ticket: &Ticket) -> Result<String, AppError> {
    Ok(format!("{}{}", base(&app.config), status_path(app, ticket).await?))
}

/// The ticket a status token names. An altered or unknown token is the same 404.
pub async fn open_status(app: &App, token: &str) -> Result<Ticket, AppError> {
    let refused = || AppError::NotFound("this status link is not valid".into());
    let key = crate::workflow::survey::signing_key(app).await?;
    let tracking = verify(&key, token).ok_or_else(refused)?;
    match app.read().ticket(tracking.ticket_id()).await {
        Ok(t) if t.tracking_no == tracking => Ok(t),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(refused()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use loopdesk_core::TicketId;

    #[test]
    fn status_tokens_verify_and_resist_tampering() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
        let t = TrackingNo::new(TicketId(42), at);
        let token = sign(b"key", &t);
        assert_eq!(verify(b"key", &token), Some(t.clone()));
        assert_eq!(verify(b"other", &token), None);
        let other = TrackingNo::new(TicketId(43), at);
        let (_, sig) = token.rsplit_once('.').unwrap();
        assert_eq!(verify(b"key", &format!("{}.{sig}", other.as_str())), None);
        let mut flipped = token.clone();
        let last = if flipped.ends_with('0') { '1' } else { '0' };
        flipped.pop();
        flipped.push(last);
        assert_eq!(verify(b"key", &flipped), None);
        assert_eq!(verify(b"key", &token.to_lowercase()), None);
        assert_eq!(verify(b"key", "garbage"), None);
        assert_eq!(verify(b"key", t.as_str()), None);
    }
}
