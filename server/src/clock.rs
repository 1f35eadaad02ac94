//! The one place the server reads the wall clock; core always receives `now` as an argument.

use orgkit_core::{Error, ErrorCode};

/// Now, unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix seconds as RFC 3339 (`2026-03-13T10:00:00Z`), the form API answers use.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Random bytes from the operating system (for TOTP secrets, keys, nonces and tokens).
pub fn random_bytes(bytes: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).map_err(|_| Error::new(ErrorCode::InternalError, "no randomness available"))?;
    Ok(buf)
}

/// Random bytes from the operating system, as base64url (for keys, nonces and tokens).
pub fn random_token(bytes: usize) -> Result<String, Error> {
    use base64::Engine;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes)?))
}

/// SHA-256 of a secret, hex: how management keys and invitation tokens are stored.
pub fn sha256_hex(secret: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
