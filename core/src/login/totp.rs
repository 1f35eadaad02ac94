//! TOTP second factor (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of clock skew
//! either way — what every authenticator app speaks. A code is accepted once: the caller stores
//! the step of the last accepted code and passes it back.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Digits of a code.
pub const TOTP_DIGITS: u8 = 6;
/// Seconds per step.
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Steps of clock skew accepted either way.
pub const TOTP_SKEW_STEPS: u16 = 1;
/// Shortest secret accepted, in bytes (RFC 4226's 128 bits).
pub const TOTP_SECRET_MIN_BYTES: usize = 16;

/// A user's TOTP secret and, when enrolled, what the authenticator app needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct TotpEnrolment {
    /// The secret, base32 without padding (what apps show for manual entry).
    pub secret: String,
    /// The `otpauth://totp/…` URI (what a QR code encodes).
    pub otpauth_uri: String,
}

fn totp(secret_base32: &str, issuer: Option<&str>, account: &str) -> Result<Totp> {
    let bad_secret = || {
        Error::new(
            ErrorCode::InvalidRequest,
            "the TOTP secret must be base32 of at least 16 bytes",
        )
        .with_field("secret")
    };
    let bytes =
        Secret::try_from_base32(secret_base32.trim_end_matches('=')).map_err(|_| bad_secret())?;
    if bytes.len() < TOTP_SECRET_MIN_BYTES {
        return Err(bad_secret());
    }
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(TOTP_DIGITS)
        .with_skew(TOTP_SKEW_STEPS)
        .with_step_duration(TOTP_STEP_SECONDS)
        .with_secret(bytes.to_vec())
        .with_issuer(issuer.map(str::to_owned))
        .with_account_name(account.to_owned())
        .build()
        .map_err(|e| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("TOTP parameters refused: {e}"),
            )
        })
}

/// A TOTP secret in the form [`totp_enrolment`] and [`verify_totp`] take (base32 without
/// padding), from random bytes the host drew (core picks no randomness itself). At least
/// [`TOTP_SECRET_MIN_BYTES`] bytes, else `invalid_request`; 20 bytes (160 bits, RFC 4226's
/// recommendation) is what apps expect.
///
/// ```
/// use orgkit_core::login::totp_secret_base32;
/// assert_eq!(totp_secret_base32(&[0u8; 20]).unwrap(), "A".repeat(32));
/// assert!(totp_secret_base32(&[0u8; 8]).is_err());
/// ```
pub fn totp_secret_base32(random_bytes: &[u8]) -> Result<String> {
    if random_bytes.len() < TOTP_SECRET_MIN_BYTES {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "a TOTP secret needs at least 16 random bytes",
        )
        .with_field("secret"));
    }
    Ok(Secret::from(random_bytes).to_base32())
}

/// The enrolment answer for a secret the caller generated (at least 16 random bytes, base32).
pub fn totp_enrolment(secret_base32: &str, issuer: &str, account: &str) -> Result<TotpEnrolment> {
    let t = totp(secret_base32, Some(issuer), account)?;
    let otpauth_uri = t.to_url().map_err(|e| {
        Error::new(
            ErrorCode::InvalidRequest,
            format!("otpauth URI refused: {e}"),
        )
    })?;
    Ok(TotpEnrolment {
        secret: secret_base32.to_owned(),
        otpauth_uri,
    })
}

/// Verifies `code` at `now`; answers the step it matched, to be stored as `last_used_step`.
/// A wrong code, or a code of a step at or before `last_used_step` (a replay), is
/// `invalid_mfa_code`.
pub fn verify_totp(
    secret_base32: &str,
    code: &str,
    now: i64,
    last_used_step: Option<u64>,
) -> Result<u64> {
    let wrong = || {
        Error::new(
            ErrorCode::InvalidMfaCode,
            "the one-time code is wrong or was already used",
        )
    };
    let now = u64::try_from(now)
        .map_err(|_| Error::new(ErrorCode::InvalidRequest, "now must not be negative"))?;
    let step = totp(secret_base32, None, "user")?
        .check(code.trim(), now)
        .ok_or_else(wrong)?;
    if last_used_step.is_some_and(|last| step <= last) {
        return Err(wrong());
    }
    Ok(step)
}

/// The code for `now` (for tests and for a host's own tooling; never sent to anyone).
pub fn totp_code(secret_base32: &str, now: i64) -> Result<String> {
    let now = u64::try_from(now)
        .map_err(|_| Error::new(ErrorCode::InvalidRequest, "now must not be negative"))?;
    Ok(totp(secret_base32, None, "user")?.generate(now).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_from_bytes_round_trips_through_verify() {
        let secret = totp_secret_base32(&[7u8; 20]).unwrap();
        assert_eq!(secret.len(), 32);
        assert!(!secret.contains('='));
        let now = 1_700_000_000;
        let code = totp_code(&secret, now).unwrap();
        assert_eq!(
            verify_totp(&secret, &code, now, None).unwrap(),
            1_700_000_000 / 30
        );
    }

    #[test]
    fn secret_from_too_few_bytes_is_refused() {
        let err = totp_secret_base32(&[1u8; 15]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert!(totp_secret_base32(&[1u8; 16]).is_ok());
    }
}
