//! The one place the server reads the wall clock ([`Clock`]); core always receives `now` as an
//! argument.

use orgkit_core::{Error, ErrorCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The server's time: the system clock, plus an offset that only [`Clock::advance`] moves. The
/// store holds one and stamps every read and write with it, so a test moves time (an expiry, a
/// lockout, a session's age) instead of forging timestamps.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Now, unix seconds.
    pub fn now(&self) -> i64 {
        system_now().saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves this clock, and every clone of it, `seconds` forward (for tests and simulations).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

fn system_now() -> i64 {
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
