//! Survey links: `<ticket>.<round>.<expiry>.<signature>`, signed with HMAC-SHA256 under a
//! server key (the first 16 bytes, hex), so a link names its ticket and resolution, expires
//! on its own and cannot be forged or altered.

use hmac::{Hmac, Mac};
use loopdesk_core::{TicketId, Timestamp};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signature bytes kept in a link.
const SIG_BYTES: usize = 16;
/// Longest token accepted before any parsing.
const MAX_LEN: usize = 160;

/// What a survey link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyToken {
    pub ticket_id: TicketId,
    /// The resolution asked about (unix milliseconds of the resolution).
    pub round: i64,
    pub expires_at: Timestamp,
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("this survey link is not valid")]
    Invalid,
    #[error("this survey link has expired")]
    Expired,
}

fn mac(key: &[u8], body: &str) -> Result<HmacSha256, TokenError> {
    let mut m = HmacSha256::new_from_slice(key).map_err(|_| TokenError::Invalid)?;
    m.update(body.as_bytes());
    Ok(m)
}

/// The link token for `t`.
pub fn sign(key: &[u8], t: &SurveyToken) -> String {
    let body = format!("{}.{}.{}", t.ticket_id, t.round, t.expires_at.timestamp());
    match mac(key, &body) {
        Ok(m) => format!("{body}.{}", hex::encode(&m.finalize().into_bytes()[..SIG_BYTES])),
        Err(_) => body,
    }
}

/// Checks the signature, then the expiry.
pub fn verify(key: &[u8], token: &str, now: Timestamp) -> Result<SurveyToken, TokenError> {
    if token.len() > MAX_LEN {
        return Err(TokenError::Invalid);
    }
    let (body, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
    let sig = hex::decode(sig).map_err(|_| TokenError::Invalid)?;
    if sig.len() != SIG_BYTES {
        return Err(TokenError::Invalid);
    }
    mac(key, body)?.verify_truncated_left(&sig).map_err(|_| TokenError::Invalid)?;
    let mut parts = body.split('.').map(str::parse::<i64>);
    let (Some(Ok(ticket)), Some(Ok(round)), Some(Ok(expiry)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    let expires_at = chrono::DateTime::from_timestamp(expiry, 0).ok_or(TokenError::Invalid)?;
    if now >= expires_at {
        return Err(TokenError::Expired);
    }
    Ok(SurveyToken { ticket_id: TicketId(ticket), round, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn signed_links_verify_until_they_expire_and_resist_tampering() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
        let t = SurveyToken {
            ticket_id: TicketId(42),
            round: 1_700_000_000_000,
            expires_at: now + chrono::Duration::hours(72),
        };
        let token = sign(b"key", &t);
        assert_eq!(verify(b"key", &token, now), Ok(t.clone()));
        assert_eq!(verify(b"other", &token, now), Err(TokenError::Invalid));
        let altered = token.replacen("42.", "43.", 1);
        assert_eq!(verify(b"key", &altered, now), Err(TokenError::Invalid));
        assert_eq!(verify(b"key", &token, t.expires_at), Err(TokenError::Expired));
        assert_eq!(verify(b"key", "garbage", now), Err(TokenError::Invalid));
    }
}
