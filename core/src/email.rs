//! Email addresses: validation and the normal form used for every comparison.

use crate::error::{Error, ErrorCode, Result};
use crate::hostname::is_hostname;
use crate::role::truncate;
use serde::{Deserialize, Serialize};

/// Longest email accepted (RFC 5321 path limit).
pub const EMAIL_MAX_LEN: usize = 254;

/// Normalises an email for storage and comparison: surrounding white space trimmed, the whole
/// address lowercased. Refuses anything that is not `local@domain` with a printable ASCII local
/// part of at most 64 bytes and a DNS domain.
///
/// Lowercasing the local part is what users expect of an auth product (`Bob@x.com` and
/// `bob@x.com` are one account), even though RFC 5321 lets a server distinguish them.
///
/// ```
/// use orgkit_core::normalize_email;
/// assert_eq!(normalize_email(" Bob@Hospital.com ").unwrap(), "bob@hospital.com");
/// assert_eq!(normalize_email("bob").unwrap_err().code(), "invalid_email");
/// ```
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_ascii_lowercase();
    let invalid = || {
        Error::new(
            ErrorCode::InvalidEmail,
            format!("{:?} is not a valid email address", truncate(&email)),
        )
        .with_field("email")
    };
    if email.len() > EMAIL_MAX_LEN {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"@\"(),:;<>[\\]".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if local_ok && is_hostname(domain) {
        Ok(email)
    } else {
        Err(invalid())
    }
}

/// The domain part of a normalised email.
pub fn email_domain(normalized: &str) -> Option<&str> {
    normalized.rsplit_once('@').map(|(_, d)| d)
}

/// How long an email verification link works: 48 hours.
pub const EMAIL_VERIFICATION_TTL_SECONDS: i64 = 48 * 3600;

/// An email verification link as the host stored it (the link's secret is the host's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct EmailVerificationRecord {
    /// Created, unix seconds.
    pub created_at: i64,
    /// When it was used, if it was.
    #[serde(default)]
    pub used_at: Option<i64>,
}

impl EmailVerificationRecord {
    /// Whether the link may verify its email at `now`: `invalid_token` once used,
    /// `token_expired` after [`EMAIL_VERIFICATION_TTL_SECONDS`].
    ///
    /// ```
    /// use orgkit_core::email::EmailVerificationRecord;
    /// let link = EmailVerificationRecord { created_at: 1_000, used_at: None };
    /// assert!(link.check_usable(1_000 + 3600).is_ok());
    /// assert_eq!(link.check_usable(1_000 + 49 * 3600).unwrap_err().code(), "token_expired");
    /// ```
    pub fn check_usable(&self, now: i64) -> Result<()> {
        if self.used_at.is_some() {
            return Err(Error::new(ErrorCode::InvalidToken, "this verification link was already used"));
        }
        if now >= self.created_at.saturating_add(EMAIL_VERIFICATION_TTL_SECONDS) {
            return Err(Error::new(ErrorCode::TokenExpired, "this verification link has expired: ask for a new one"));
        }
        Ok(())
    }
}
