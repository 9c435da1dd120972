//! The optional TOTP second factor for staff (RFC 6238: HMAC-SHA1, 30-second steps, six
//! digits). A member enrols from their account: a fresh secret is shown once (as text and
//! as an otpauth URI), kept sealed while it awaits confirmation, and put in force by a
//! first valid code. Sign-in then asks for a code; each step's code is accepted once
//! (replay refused), a code of the step before or after is accepted for clock drift, and
//! wrong codes count as failed sign-ins (the same limits and lock). Disabling needs the
//! password and a code; an admin may reset another member's (recovery). Every change is
//! audited on the account; the secret is never logged nor shown after enrolment.

use super::{password, sessions};
use crate::access::require;
use crate::{App, AppError};
use hmac::{Hmac, Mac};
use loopdesk_core::access::Permission;
use loopdesk_core::{Principal, Role, Timestamp, UserId};
use rand::RngCore;
use sha1::Sha1;
use sha2::Sha256;
use std::net::IpAddr;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Bytes of a secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// The code of `secret` for time step `step` (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    bin % 10u32.pow(DIGITS as u32)
}

/// The time step of `at`.
pub fn step_of(at: Timestamp) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The step whose code `code` is (the step before, now, or after), if any is later than
/// `last_step`.
fn matching_step(secret: &[u8], code: &str, now: Timestamp, last_step: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let step = step_of(now);
    [step - 1, step, step + 1]
        .into_iter()
        .filter(|s| *s > last_step && *s >= 0)
        .find(|s| code_at(secret, *s as u64) == wanted)
}

/// A new secret as shown for enrolment.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`, for a QR code or a link on a phone.
    pub uri: String,
}

/// A member's second factor as their account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    /// A secret was shown and awaits its first code.
    pub pending: bool,
}

/// Whether `user` uses a second factor, or is enrolling.
pub async fn status(app: &App, user: UserId) -> Result<Status, AppError> {
    let s = app.read().totp_state(user).await?;
    Ok(Status { enabled: s.secret.is_some(), pending: s.pending.is_some() })
}

/// Whether `who` must enrol before doing anything else: the configuration requires a second
/// factor of admins, and this admin has none.
pub async fn enrolment_required(app: &App, who: &Principal) -> Result<bool, AppError> {
    if !app.config.auth.totp_required_for_admins || who.role != Role::Admin {
        return Ok(false);
    }
    Ok(app.read().totp_state(who.user_id).await?.secret.is_none())
}

/// Starts (or restarts) enrolment: a fresh secret, kept sealed until confirmed, shown now.
/// Refused while a second factor is in force (disable it first).
pub async fn begin(app: &App, who: &Principal) -> Result<Enrolment, AppError> {
    if app.read().totp_state(who.user_id).await?.secret.is_some() {
        return Err(AppError::conflict("totp_enabled", "a second factor is already in use; disable it first"));
    }
    let mut secret = [0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    app.store.set_totp_pending(who.user_id, &seal(&key(app).await?, &secret)).await?;
    enrolment(app, who, &secret).await
}

/// The enrolment in progress, shown again (before its first code only).
pub async fn pending(app: &App, who: &Principal) -> Result<Option<Enrolment>, AppError> {
    let state = app.read().totp_state(who.user_id).await?;
    match state.pending.filter(|_| state.secret.is_none()) {
        Some(sealed) => {
            let secret = open(&key(app).await?, &sealed)?;
            Ok(Some(enrolment(app, who, &secret).await?))
        }
        None => Ok(None),
    }
}

async fn enrolment(app: &App, who: &Principal, secret: &[u8]) -> Result<Enrolment, AppError> {
    let username = app.read().user(who.user_id).await?.username;
    let issuer = app.config.auth.totp_issuer.trim();
    let issuer = if issuer.is_empty() { "Loopdesk" } else { issuer };
    let secret = base32(secret);
    let label = format!("{}:{}", encode(issuer), encode(&username));
    let uri = format!(
        "otpauth://totp/{label}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(issuer)
    );
    Ok(Enrolment { secret, uri })
}

/// Percent-encoding for the otpauth label and issuer.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Puts the pending secret in force with its first valid code; audited. A wrong code counts
/// as a failed sign-in.
pub async fn confirm(app: &App, who: &Principal, client: IpAddr, code: &str) -> Result<(), AppError> {
    let user = app.read().user(who.user_id).await?;
    let key_name = sessions::guard(app, client, &user.username).await?;
    let state = app.read().totp_state(who.user_id).await?;
    let Some(sealed) = state.pending.filter(|_| state.secret.is_none()) else {
        return Err(AppError::conflict("totp_not_pending", "start the enrolment first"));
    };
    let secret = open(&key(app).await?, &sealed)?;
    let step = matching_step(&secret, code, app.now(), state.last_step);
    match step {
        Some(step) if app.store.confirm_totp(who.user_id, step, &user.username, app.now()).await? => {
            app.store.login_succeeded(&key_name).await?;
            Ok(())
        }
        _ => {
            sessions::failed(app, &key_name, Some(&user), client).await?;
            Err(wrong_code())
        }
    }
}

/// The refusal of a wrong or reused code.
fn wrong_code() -> AppError {
    AppError::Invalid {
        code: "bad_totp",
        field: Some("code".into()),
        message: "the code is not right, or was used already; wait for the next one".into(),
    }
}

/// Checks `code` at sign-in of `user`, who has a second factor (`sealed`); accepts its step
/// once. `false` when wrong or reused.
pub(super) async fn accept(app: &App, user: UserId, sealed: &str, code: &str) -> Result<bool, AppError> {
    let secret = open(&key(app).await?, sealed)?;
    let last = app.read().totp_state(user).await?.last_step;
    match matching_step(&secret, code, app.now(), last) {
        Some(step) => Ok(app.store.use_totp_step(user, step).await?),
        None => Ok(false),
    }
}

/// Turns the second factor off: the password and a current code are both needed (either
/// wrong counts as a failed sign-in); audited.
pub async fn disable(app: &App, who: &Principal, client: IpAddr, pw: String, code: &str) -> Result<(), AppError> {
    let user = app.read().user(who.user_id).await?;
    let key_name = sessions::guard(app, client, &user.username).await?;
    let Some((_, stored)) = app.read().user_for_login(&user.username).await? else {
        return Err(AppError::Forbidden("this account is deactivated".into()));
    };
    let sealed = app.read().totp_state(who.user_id).await?.secret;
    let Some(sealed) = sealed else {
        return Err(AppError::conflict("totp_not_enabled", "no second factor is in use"));
    };
    if pw.chars().count() > sessions::MAX_PASSWORD || !password::verify(pw, Some(stored)).await {
        sessions::failed(app, &key_name, Some(&user), client).await?;
        return Err(AppError::invalid("password", "the password is not right"));
    }
    if !accept(app, who.user_id, &sealed, code).await? {
        sessions::failed(app, &key_name, Some(&user), client).await?;
        return Err(wrong_code());
    }
    app.store.login_succeeded(&key_name).await?;
    app.store.clear_totp(who.user_id, &user.username, "totp_disabled", app.now()).await?;
    Ok(())
}

/// An admin removes another member's second factor (they lost their phone); they sign in
/// with their password and may enrol again. Audited under the admin's name.
pub async fn reset(app: &App, by: &Principal, user: UserId) -> Result<(), AppError> {
    require(by, Permission::Administer)?;
    if by.user_id == user {
        return Err(AppError::invalid("id", "disable your own second factor from your account page"));
    }
    app.read().user(user).await?;
    let admin = app.read().user(by.user_id).await?.username;
    app.store.clear_totp(user, &admin, "totp_reset", app.now()).await?;
    Ok(())
}

/// The key secrets are sealed with: generated once, shared by every node through the
/// database (so a copy of the users table alone does not reveal them).
async fn key(app: &App) -> Result<Vec<u8>, AppError> {
    Ok(app.store.shared_secret("totp_seal", &super::new_secret("")).await?.into_bytes())
}

fn prf(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Encrypt-then-MAC with HMAC-SHA256 as the keystream and the tag, under a random nonce:
/// `v1.{nonce}.{ciphertext}.{tag}` in hex. Secrets are 20 bytes, within one block.
fn seal(key: &[u8], plain: &[u8; SECRET_BYTES]) -> String {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let stream = prf(key, &[b"totp-enc".as_slice(), nonce.as_slice()]);
    let cipher: Vec<u8> = plain.iter().zip(stream).map(|(p, k)| p ^ k).collect();
    let tag = prf(key, &[b"totp-mac".as_slice(), nonce.as_slice(), cipher.as_slice()]);
    format!("v1.{}.{}.{}", hex::encode(nonce), hex::encode(&cipher), hex::encode(tag))
}

fn open(key: &[u8], sealed: &str) -> Result<Vec<u8>, AppError> {
    let broken = || AppError::internal("a sealed TOTP secret cannot be opened (was the server key replaced?)");
    let mut parts = sealed.split('.');
    let (Some("v1"), Some(nonce), Some(cipher), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(broken());
    };
    let (nonce, cipher, tag) = (
        hex::decode(nonce).map_err(|_| broken())?,
        hex::decode(cipher).map_err(|_| broken())?,
        hex::decode(tag).map_err(|_| broken())?,
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| broken())?;
    for p in [b"totp-mac".as_slice(), nonce.as_slice(), cipher.as_slice()] {
        mac.update(p);
    }
    mac.verify_slice(&tag).map_err(|_| broken())?;
    let stream = prf(key, &[b"totp-enc".as_slice(), nonce.as_slice()]);
    Ok(cipher.iter().zip(stream).map(|(c, k)| c ^ k).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn codes_match_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", 8 digits truncated to 6.
        let key = b"12345678901234567890";
        for (time, eight) in
            [(59u64, 94287082u32), (1111111109, 7081804), (1234567890, 89005924), (2000000000, 69279037)]
        {
            assert_eq!(code_at(key, time / 30), eight % 1_000_000, "at {time}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn steps_around_now_are_accepted_once_in_order() {
        let key = b"12345678901234567890";
        let now = chrono::Utc.timestamp_opt(1_234_567_890, 0).unwrap();
        let step = step_of(now);
        let code = format!("{:06}", code_at(key, step as u64));
        assert_eq!(matching_step(key, &code, now, 0), Some(step));
        assert_eq!(matching_step(key, &code, now, step), None, "the same step twice");
        let before = format!("{:06}", code_at(key, step as u64 - 1));
        assert_eq!(matching_step(key, &before, now, 0), Some(step - 1), "drift of one step");
        let old = format!("{:06}", code_at(key, step as u64 - 2));
        assert_eq!(matching_step(key, &old, now, 0), None);
        assert_eq!(matching_step(key, "12a456", now, 0), None);
    }

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let secret = [7u8; SECRET_BYTES];
        let sealed = seal(b"k1", &secret);
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(open(b"k1", &sealed).unwrap(), secret);
        assert!(open(b"k2", &sealed).is_err());
        assert_ne!(seal(b"k1", &secret), sealed, "a fresh nonce each time");
    }
}
