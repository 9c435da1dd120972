//! WeChat's request signature: SHA1 over the sorted, concatenated parameters.

use super::WechatError;
use crate::crypto::constant_time_eq;
use sha1::{Digest, Sha1};

/// Lower-case hex SHA1 of `parts` sorted lexicographically and concatenated: the
/// `signature` (token, timestamp, nonce) and `msg_signature` (plus the Encrypt text).
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for p in sorted {
        hasher.update(p.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Checks a signature given by WeChat, in constant time.
pub(crate) fn verify(given: &str, parts: &[&str]) -> Result<(), WechatError> {
    let expected = signature(parts);
    if constant_time_eq(given.trim().to_ascii_lowercase().as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(WechatError::BadSignature)
    }
}
