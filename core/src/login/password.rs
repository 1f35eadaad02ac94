//! Password rules.

use crate::error::{Error, ErrorCode, Result};
use crate::settings::EffectiveSettings;
use serde::{Deserialize, Serialize};

/// Longest password accepted, in characters: bounds the hashing work one request can cause.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// The rules a password must meet in an org context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PasswordRules {
    /// Minimum length in characters.
    pub min_length: u32,
}

impl PasswordRules {
    /// The rules of an org's (or a tenant's) effective settings.
    pub fn from_settings(settings: &EffectiveSettings) -> PasswordRules {
        PasswordRules {
            min_length: settings.password_min_length.value,
        }
    }
}

/// One way a password breaks the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum PasswordViolation {
    /// Fewer characters than `min_length`.
    TooShort,
    /// More than 256 characters.
    TooLong,
    /// One character repeated.
    SingleCharacter,
    /// The email address or its local part.
    MatchesEmail,
}

/// Every rule `password` breaks (empty when it is acceptable). Length counts Unicode
/// characters, as NIST SP 800-63B asks.
///
/// ```
/// use orgkit_core::login::{check_password, PasswordRules, PasswordViolation};
/// let rules = PasswordRules { min_length: 12 };
/// assert_eq!(check_password("aaaa", &rules, None), vec![PasswordViolation::TooShort, PasswordViolation::SingleCharacter]);
/// assert!(check_password("correct horse battery", &rules, None).is_empty());
/// ```
pub fn check_password(
    password: &str,
    rules: &PasswordRules,
    email: Option<&str>,
) -> Vec<PasswordViolation> {
    let chars = password.chars().count();
    let mut violations = Vec::new();
    if chars < rules.min_length as usize {
        violations.push(PasswordViolation::TooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        violations.push(PasswordViolation::TooLong);
    }
    let mut it = password.chars();
    if let Some(first) = it.next()
        && it.all(|c| c == first)
    {
        violations.push(PasswordViolation::SingleCharacter);
    }
    if let Some(email) = email {
        let lower = password.to_lowercase();
        let email = email.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or_default();
        if lower == email || (local.len() >= 3 && lower == local) {
            violations.push(PasswordViolation::MatchesEmail);
        }
    }
    violations
}

/// [`check_password`] as a result: `weak_password` naming every violation.
pub fn enforce_password(password: &str, rules: &PasswordRules, email: Option<&str>) -> Result<()> {
    let violations = check_password(password, rules, email);
    if violations.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = violations
        .iter()
        .map(|v| match v {
            PasswordViolation::TooShort => format!("at least {} characters", rules.min_length),
            PasswordViolation::TooLong => format!("at most {PASSWORD_MAX_CHARS} characters"),
            PasswordViolation::SingleCharacter => "more than one distinct character".to_owned(),
            PasswordViolation::MatchesEmail => "different from the email address".to_owned(),
        })
        .collect();
    Err(Error::new(
        ErrorCode::WeakPassword,
        format!("the password must be {}", reasons.join(", ")),
    )
    .with_field("password"))
}
