//! Password hashing with argon2id (PHC strings). Hashing is slow on purpose, so it runs on
//! the blocking pool.

use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;

/// Hashes a password.
pub async fn hash(password: String) -> Result<String, AppError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(AppError::invalid("password", format!("must be at least {MIN_LENGTH} characters")));
    }
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(|e| AppError::internal(e.to_string()))
}

/// A hash of a password nobody knows, made once with the same parameters as real ones:
/// what an unknown user's password is checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = generate();
        Argon2::default()
            .hash_password(random.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Makes the dummy hash now (at start-up), so the first unknown user is not slower.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

/// Checks a password against a stored hash. With no hash (unknown user) or a hash that
/// cannot be read, the password is checked against a precomputed dummy hash instead — one
/// verification either way, so response times do not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
        let checked = match real {
            Some(h) => Some(h),
            None => PasswordHash::new(dummy_hash()).ok(),
        };
        let ok = checked.is_some_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        ok && stored.as_deref().is_some_and(|s| PasswordHash::new(s).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A random password for generated accounts (first admin): 20 characters, no look-alikes.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_users_cost_one_verification_against_the_dummy() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(stored)).await);
        assert!(!verify("correct horse battery".into(), None).await);
        assert!(!verify("x".into(), Some("not a phc string".into())).await);
        // The dummy is made once.
        assert!(std::ptr::eq(dummy_hash(), dummy_hash()));
    }
}
