//! The decision of a password login, from the facts a host gathered.

use super::lockout::{LockoutPolicy, LockoutState};
use super::password::{PasswordRules, check_password};
use crate::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};

/// The second-factor facts of a login attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MfaFacts {
    /// Whether the user has a confirmed factor.
    #[serde(default)]
    pub enrolled: bool,
    /// Whether a code came with the attempt, and if so whether it verified: `None` = no code.
    #[serde(default)]
    pub code_valid: Option<bool>,
}

/// What a host knows about a password login attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PasswordLoginFacts {
    /// The stored lockout state.
    #[serde(default)]
    pub lockout: LockoutState,
    /// The effective lockout limits.
    pub lockout_policy: LockoutPolicy,
    /// The effective password rules.
    pub password_rules: PasswordRules,
    /// Whether the org requires MFA.
    pub require_mfa: bool,
    /// Whether the password verified against the stored hash (`false` for an unknown user).
    pub password_ok: bool,
    /// The password as typed, to check it against the current rules (only read when it verified).
    #[serde(default)]
    pub password: Option<String>,
    /// The user's email, for the "password is the email" rule.
    #[serde(default)]
    pub email: Option<String>,
    /// Second-factor facts.
    #[serde(default)]
    pub mfa: MfaFacts,
    /// Now, unix seconds.
    pub now: i64,
}

/// The outcome of a login attempt and the lockout state to store, whatever the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginDecision {
    /// `amr` of a successful login, or the refusal.
    pub outcome: Result<Vec<String>, Error>,
    /// The lockout state to persist.
    pub lockout: LockoutState,
}

/// Decides a password login, in this order:
/// 1. a locked account is refused (`account_locked`) and its state is left as is;
/// 2. a wrong password counts a failure (`invalid_credentials`, possibly locking);
/// 3. when the org requires MFA or the user enrolled a factor: no factor →
///    `mfa_enrollment_required`, no code → `mfa_required`, a wrong code counts a failure
///    (`invalid_mfa_code`);
/// 4. a password that no longer meets the rules → `password_change_required` (the user is
///    authenticated, so the counter is cleared);
/// 5. success: `amr` is `["pwd"]` or `["pwd", "otp"]`, the counter is cleared.
pub fn decide_password_login(f: &PasswordLoginFacts) -> LoginDecision {
    let refuse = |code, message: &str, lockout| LoginDecision {
        outcome: Err(Error::new(code, message)),
        lockout,
    };
    if let Err(locked) = f.lockout.check(f.now) {
        return LoginDecision {
            outcome: Err(locked),
            lockout: f.lockout,
        };
    }
    if !f.password_ok {
        let next = f.lockout.after_failure(&f.lockout_policy, f.now);
        return refuse(
            ErrorCode::InvalidCredentials,
            "wrong email or password",
            next,
        );
    }
    let mut amr = vec!["pwd".to_owned()];
    if f.require_mfa || f.mfa.enrolled {
        match (f.mfa.enrolled, f.mfa.code_valid) {
            (false, _) => {
                return refuse(
                    ErrorCode::MfaEnrollmentRequired,
                    "this organization requires MFA: enrol a TOTP factor first",
                    f.lockout,
                );
            }
            (true, None) => {
                return refuse(
                    ErrorCode::MfaRequired,
                    "enter the code from your authenticator app",
                    f.lockout,
                );
            }
            (true, Some(false)) => {
                let next = f.lockout.after_failure(&f.lockout_policy, f.now);
                return refuse(
                    ErrorCode::InvalidMfaCode,
                    "the one-time code is wrong or was already used",
                    next,
                );
            }
            (true, Some(true)) => amr.push("otp".to_owned()),
        }
    }
    let password = f.password.as_deref().unwrap_or_default();
    if !check_password(password, &f.password_rules, f.email.as_deref()).is_empty() {
        return refuse(
            ErrorCode::PasswordChangeRequired,
            "your password no longer meets this organization's rules: change it",
            LockoutState::default(),
        );
    }
    LoginDecision {
        outcome: Ok(amr),
        lockout: f.lockout.after_success(),
    }
}
