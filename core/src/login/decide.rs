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

/// The org a password login names, as the host found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct NamedOrg {
    /// Whether the user is a member of it (`false` also when no such org exists).
    pub member: bool,
    /// The org's effective lockout limits (absent when no such org exists). They tighten the
    /// account's limits for a member's login; a non-member's org has no say in their account.
    #[serde(default)]
    pub lockout_policy: Option<LockoutPolicy>,
}

/// What a host knows about a password login attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PasswordLoginFacts {
    /// The stored lockout state of the account (one counter per user, whatever org is named).
    #[serde(default)]
    pub lockout: LockoutState,
    /// The account's lockout limits: the tenant's effective ones.
    pub lockout_policy: LockoutPolicy,
    /// The org the login names, if it names one.
    #[serde(default)]
    pub org: Option<NamedOrg>,
    /// The effective password rules (of the named org for a member, else the tenant's).
    pub password_rules: PasswordRules,
    /// Whether the named org (for a member, else the tenant) requires MFA.
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
/// 2. a wrong password, or any password when the named org does not exist or the user is not
///    its member, counts a failure on the account (`invalid_credentials`, possibly locking):
///    the answer never tells a right password from a wrong one, nor a member from a stranger.
///    Failures count against the account's limits, tightened by the named org's for a member
///    ([`LockoutPolicy::tightened_by`]);
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
    let member = f.org.is_none_or(|o| o.member);
    let policy = match &f.org {
        Some(o) if o.member => f.lockout_policy.tightened_by(o.lockout_policy.as_ref()),
        _ => f.lockout_policy,
    };
    if !f.password_ok || !member {
        let next = f.lockout.after_failure(&policy, f.now);
        return refuse(
            ErrorCode::InvalidCredentials,
            "wrong email or password",
            next,
        );
    }
    let mut amr = new_account_amr();
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
                let next = f.lockout.after_failure(&policy, f.now);
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


/// The `amr` value of a verified password (RFC 8176).
pub const PASSWORD_AMR: &str = "pwd";

/// The `amr` of an authentication by password alone: a signup, or an account created by
/// accepting an invitation (its password was just set).
///
/// ```
/// assert_eq!(orgkit_core::login::new_account_amr(), vec!["pwd"]);
/// ```
pub fn new_account_amr() -> Vec<String> {
    vec![PASSWORD_AMR.to_owned()]
}

/// The `amr` of the token that comes with an accepted invitation: the accepting session's own
/// (accepting proves nothing more), or a new account's when the invitation created it.
///
/// ```
/// use orgkit_core::login::acceptance_amr;
/// let session = vec!["pwd".to_owned(), "otp".to_owned()];
/// assert_eq!(acceptance_amr(Some(&session)), session);
/// assert_eq!(acceptance_amr(None), vec!["pwd"]);
/// ```
pub fn acceptance_amr(session: Option<&[String]>) -> Vec<String> {
    session.map_or_else(new_account_amr, <[String]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: LockoutPolicy = LockoutPolicy {
        max_attempts: 5,
        duration_seconds: 900,
    };

    fn facts(org: Option<NamedOrg>, failed: u32, password_ok: bool) -> PasswordLoginFacts {
        PasswordLoginFacts {
            lockout: LockoutState {
                failed_attempts: failed,
                locked_until: None,
            },
            lockout_policy: TENANT,
            org,
            password_rules: PasswordRules { min_length: 8 },
            require_mfa: false,
            password_ok,
            password: Some("correct horse battery".into()),
            email: Some("ann@example.com".into()),
            mfa: MfaFacts::default(),
            now: 1_000,
        }
    }

    fn named(member: bool, max_attempts: u32, duration_seconds: i64) -> Option<NamedOrg> {
        Some(NamedOrg {
            member,
            lockout_policy: Some(LockoutPolicy {
                max_attempts,
                duration_seconds,
            }),
        })
    }

    #[test]
    fn a_lax_org_buys_no_extra_guesses() {
        let d = decide_password_login(&facts(named(true, 100, 60), 4, false));
        assert_eq!(
            d.lockout.locked_until,
            Some(1_900),
            "the tenant's 5 attempts and 15 minutes"
        );
    }

    #[test]
    fn a_strict_org_tightens_its_members_lockout() {
        let d = decide_password_login(&facts(named(true, 3, 3_600), 2, false));
        assert_eq!(d.lockout.locked_until, Some(4_600));
    }

    #[test]
    fn a_strangers_org_neither_tightens_nor_reveals_the_password() {
        // An attacker's org with one attempt and a week's lock has no say over a stranger.
        let d = decide_password_login(&facts(named(false, 1, 604_800), 0, true));
        assert_eq!(
            d.outcome.as_ref().unwrap_err().code,
            ErrorCode::InvalidCredentials
        );
        assert_eq!(
            d.lockout,
            LockoutState {
                failed_attempts: 1,
                locked_until: None
            }
        );
        // A right and a wrong password answer alike, and so does an org that does not exist.
        let wrong = decide_password_login(&facts(named(false, 1, 604_800), 0, false));
        assert_eq!(wrong, d);
        let missing = NamedOrg {
            member: false,
            lockout_policy: None,
        };
        assert_eq!(decide_password_login(&facts(Some(missing), 0, true)), d);
    }
}
