//! Password hashing with argon2id, off the async executor (hashing takes tens of milliseconds).

use crate::error::{ApiError, ApiResult};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password into a PHC string (`$argon2id$…`).
pub async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Whether `password` matches the stored hash. Without a stored hash (unknown user, or a user
/// without a password) a dummy hash is checked, so the answer takes as long either way.
pub async fn verify(password: String, stored: Option<String>) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = match stored {
            Some(h) => h,
            None => dummy_hash()?,
        };
        let parsed = PasswordHash::new(&phc).map_err(ApiError::internal)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known)
    })
    .await
    .map_err(ApiError::internal)?
}

/// argon2id (default parameters) of a random password nobody knows, made once per process.
fn dummy_hash() -> ApiResult<String> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let secret = crate::clock::random_token(24)?;
    let h = Argon2::default().hash_password(secret.as_bytes()).map(|h| h.to_string()).map_err(ApiError::internal)?;
    Ok(DUMMY.get_or_init(|| h).clone())
}
