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

/// Checks a password against a stored hash. With no hash (unknown user) it still spends
/// the same time, so response times do not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let dummy;
        let phc = match &stored {
            Some(s) => s.as_str(),
            None => {
                dummy = Argon2::default()
                    .hash_password(b"not a password", &SaltString::generate(&mut OsRng))
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                dummy.as_str()
            }
        };
        let ok = PasswordHash::new(phc)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        ok && stored.is_some()
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
