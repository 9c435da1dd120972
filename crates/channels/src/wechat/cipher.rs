//! Safe-mode encryption: AES-256-CBC keyed by the EncodingAESKey, IV = first 16 key bytes,
//! PKCS#7 padding to 32-byte blocks, over random(16) ‖ length(4, big-endian) ‖ msg ‖ AppID.

use super::WechatError;
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

/// WeChat pads to 32 bytes, not AES's 16, so the padding is done here.
const PAD_BLOCK: usize = 32;

/// The 32-byte AES key decoded from the 43-character EncodingAESKey.
#[derive(Clone)]
pub struct EncodingAesKey([u8; 32]);

impl EncodingAesKey {
    /// Decodes the key as shown in the console (43 characters; `=` is appended here).
    pub fn parse(encoded: &str) -> Result<EncodingAesKey, WechatError> {
        let encoded = encoded.trim();
        if encoded.len() != 43 {
            return Err(WechatError::BadAesKey);
        }
        // The 43rd character carries 2 spare bits that need not be zero.
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        let bytes = engine.decode(format!("{encoded}=")).map_err(|_| WechatError::BadAesKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| WechatError::BadAesKey)?;
        Ok(EncodingAesKey(key))
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        iv
    }

    /// Encrypts `msg` for `app_id` with the given 16 random bytes; returns base64.
    pub fn encrypt(&self, msg: &str, app_id: &str, random: [u8; 16]) -> String {
        let mut plain = Vec::with_capacity(20 + msg.len() + app_id.len() + PAD_BLOCK);
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        plain.extend_from_slice(msg.as_bytes());
        plain.extend_from_slice(app_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(pad as u8, pad));
        let cipher = Encryptor::new(&self.0.into(), &self.iv().into()).encrypt_padded_vec_mut::<NoPadding>(&plain);
        crate::crypto::base64(&cipher)
    }

    /// Decrypts a base64 `Encrypt` value and checks it was meant for `app_id`.
    pub fn decrypt(&self, encrypted: &str, app_id: &str) -> Result<String, WechatError> {
        let cipher = base64::engine::general_purpose::STANDARD
            .decode(encrypted.trim())
            .map_err(|_| WechatError::Decrypt("not base64"))?;
        if cipher.is_empty() || cipher.len() % 16 != 0 {
            return Err(WechatError::Decrypt("length is not a whole number of blocks"));
        }
        let plain = Decryptor::new(&self.0.into(), &self.iv().into())
            .decrypt_padded_vec_mut::<NoPadding>(&cipher)
            .map_err(|_| WechatError::Decrypt("cipher error"))?;
        let unpadded = unpad(&plain)?;
        let (msg, rest) = split_frame(unpadded)?;
        if rest != app_id.as_bytes() {
            return Err(WechatError::WrongAppId);
        }
        String::from_utf8(msg.to_vec()).map_err(|_| WechatError::Decrypt("message is not UTF-8"))
    }
}

fn unpad(plain: &[u8]) -> Result<&[u8], WechatError> {
    let pad = *plain.last().ok_or(WechatError::Decrypt("empty"))? as usize;
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(WechatError::Decrypt("bad padding"));
    }
    Ok(&plain[..plain.len() - pad])
}

/// Splits random ‖ length ‖ msg ‖ appid into (msg, appid).
fn split_frame(frame: &[u8]) -> Result<(&[u8], &[u8]), WechatError> {
    let len_bytes: [u8; 4] =
        frame.get(16..20).and_then(|b| b.try_into().ok()).ok_or(WechatError::Decrypt("too short"))?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let msg =
        frame.get(20..20usize.saturating_add(len)).ok_or(WechatError::Decrypt("length field exceeds the message"))?;
    Ok((msg, &frame[20 + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    #[test]
    fn round_trips_and_checks_app_id() {
        let key = EncodingAesKey::parse(KEY).unwrap();
        let enc = key.encrypt("<xml>你好</xml>", "wx1234", [7; 16]);
        assert_eq!(key.decrypt(&enc, "wx1234").unwrap(), "<xml>你好</xml>");
        assert_eq!(key.decrypt(&enc, "wx9999"), Err(WechatError::WrongAppId));
    }

    #[test]
    fn refuses_bad_keys_and_garbage() {
        assert!(EncodingAesKey::parse("short").is_err());
        assert!(EncodingAesKey::parse(&"!".repeat(43)).is_err());
        let key = EncodingAesKey::parse(KEY).unwrap();
        assert!(key.decrypt("not base64 ***", "wx").is_err());
        assert!(key.decrypt("AAAA", "wx").is_err());
        assert!(key.decrypt(&crate::crypto::base64(&[0u8; 64]), "wx").is_err());
    }
}
