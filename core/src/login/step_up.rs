//! Step-up: a session entering an org whose policy asks more than the session performed.

use super::decide::{LoginDecision, MfaFacts};
use super::lockout::{LockoutPolicy, LockoutState};
use crate::error::{Error, ErrorCode};
use crate::token::Authentication;
use serde::{Deserialize, Serialize};

/// What a host knows when an authenticated session switches into an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct StepUpFacts {
    /// What the session performed (its token's `amr`).
    pub amr: Vec<String>,
    /// The SSO connection the session logged in through (its token's `cid`).
    #[serde(default)]
    pub connection_id: Option<String>,
    /// The connections the target org allows.
    #[serde(default)]
    pub connections: Vec<String>,
    /// Whether the target org requires MFA (effective settings).
    pub require_mfa: bool,
    /// The lockout state of the user's account (one counter per account, whatever org a
    /// login or a switch names).
    #[serde(default)]
    pub lockout: LockoutState,
    /// The account's lockout limits: the tenant's effective ones.
    pub lockout_policy: LockoutPolicy,
    /// The target org's effective lockout limits: they tighten `lockout_policy`, never loosen
    /// it (see [`LockoutPolicy::tightened_by`]). The user is a member of the target org (the
    /// host refused the switch otherwise).
    #[serde(default)]
    pub org_lockout_policy: Option<LockoutPolicy>,
    /// Second-factor facts of this attempt.
    #[serde(default)]
    pub mfa: MfaFacts,
    /// Now, unix seconds.
    pub now: i64,
}

impl StepUpFacts {
    /// The limits a failed step-up counts against: the account's, tightened by the org's.
    fn account_lockout_policy(&self) -> LockoutPolicy {
        self.lockout_policy
            .tightened_by(self.org_lockout_policy.as_ref())
    }
}

/// Decides an org switch. An SSO session into an org that does not allow its connection is
/// `connection_not_allowed`, whatever else it did. When the session's `amr` already satisfies the org's MFA rule (or
/// the org has none) the switch passes with the `amr` unchanged and the counter untouched.
/// Otherwise it is a second-factor login in the org's context, with the same order and
/// counting as [`decide_password_login`](super::decide_password_login) after the password:
/// locked → `account_locked` (the code is not looked at); no factor →
/// `mfa_enrollment_required`; no code → `mfa_required`; a wrong or replayed code counts a
/// failure on the account's counter (`invalid_mfa_code`, against the account's limits
/// tightened by the org's); a good code adds `otp` and clears the counter.
///
/// ```
/// use orgkit_core::login::{decide_step_up, LockoutPolicy, MfaFacts, StepUpFacts};
/// let facts = StepUpFacts {
///     amr: vec!["pwd".into()],
///     connection_id: None,
///     connections: vec![],
///     require_mfa: true,
///     lockout: Default::default(),
///     lockout_policy: LockoutPolicy { max_attempts: 5, duration_seconds: 900 },
///     org_lockout_policy: None,
///     mfa: MfaFacts { enrolled: true, code_valid: None },
///     now: 0,
/// };
/// assert_eq!(decide_step_up(&facts).outcome.unwrap_err().code.as_str(), "mfa_required");
/// ```
pub fn decide_step_up(f: &StepUpFacts) -> LoginDecision {
    let session = Authentication {
        amr: f.amr.clone(),
        connection_id: f.connection_id.clone(),
        auth_time: None,
    };
    match session.check_org_policy(f.require_mfa, &f.connections) {
        Ok(()) => {
            return LoginDecision {
                outcome: Ok(f.amr.clone()),
                lockout: f.lockout,
            };
        }
        Err(e) if e.code == ErrorCode::ConnectionNotAllowed => {
            return LoginDecision {
                outcome: Err(e),
                lockout: f.lockout,
            };
        }
        // MFA required and not performed: a second-factor login in the org's context.
        Err(_) => {}
    }
    let policy = f.account_lockout_policy();
    if let Err(locked) = f.lockout.check(f.now) {
        return LoginDecision {
            outcome: Err(locked),
            lockout: f.lockout,
        };
    }
    let refuse = |code, message: &str, lockout| LoginDecision {
        outcome: Err(Error::new(code, message)),
        lockout,
    };
    match (f.mfa.enrolled, f.mfa.code_valid) {
        (false, _) => refuse(
            ErrorCode::MfaEnrollmentRequired,
            "this organization requires MFA: enrol a TOTP factor first",
            f.lockout,
        ),
        (true, None) => refuse(
            ErrorCode::MfaRequired,
            "this organization requires MFA: send the code from your authenticator app",
            f.lockout,
        ),
        (true, Some(false)) => refuse(
            ErrorCode::InvalidMfaCode,
            "the one-time code is wrong or was already used",
            f.lockout.after_failure(&policy, f.now),
        ),
        (true, Some(true)) => {
            let mut amr = f.amr.clone();
            amr.push("otp".to_owned());
            LoginDecision {
                outcome: Ok(amr),
                lockout: f.lockout.after_success(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(
        amr: &[&str],
        require_mfa: bool,
        enrolled: bool,
        code_valid: Option<bool>,
    ) -> StepUpFacts {
        StepUpFacts {
            amr: amr.iter().map(|s| (*s).to_owned()).collect(),
            connection_id: None,
            connections: vec![],
            require_mfa,
            lockout: LockoutState::default(),
            lockout_policy: LockoutPolicy {
                max_attempts: 2,
                duration_seconds: 600,
            },
            org_lockout_policy: None,
            mfa: MfaFacts {
                enrolled,
                code_valid,
            },
            now: 1_000,
        }
    }

    fn code(d: &LoginDecision) -> &'static str {
        d.outcome.as_ref().unwrap_err().code.as_str()
    }

    #[test]
    fn no_requirement_or_satisfied_amr_passes_unchanged() {
        let d = decide_step_up(&facts(&["pwd"], false, false, None));
        assert_eq!(d.outcome.unwrap(), vec!["pwd"]);
        let d = decide_step_up(&facts(&["pwd", "otp"], true, true, None));
        assert_eq!(d.outcome.unwrap(), vec!["pwd", "otp"]);
        let mut sso = facts(&["saml"], true, false, None);
        sso.connection_id = Some("conn_a".into());
        sso.connections = vec!["conn_a".into()];
        assert_eq!(decide_step_up(&sso).outcome.unwrap(), vec!["saml"]);
        sso.connections = vec!["conn_b".into()];
        assert_eq!(
            code(&decide_step_up(&sso)),
            "connection_not_allowed",
            "another org's SSO does not enter this org"
        );
        sso.connection_id = None;
        assert_eq!(
            code(&decide_step_up(&sso)),
            "mfa_enrollment_required",
            "saml without a connection of the org is no second factor"
        );
    }

    #[test]
    fn missing_factor_or_code_is_refused_without_counting() {
        let d = decide_step_up(&facts(&["pwd"], true, false, Some(true)));
        assert_eq!(code(&d), "mfa_enrollment_required");
        let d = decide_step_up(&facts(&["pwd"], true, true, None));
        assert_eq!(code(&d), "mfa_required");
        assert_eq!(d.lockout, LockoutState::default());
    }

    #[test]
    fn wrong_codes_count_and_lock_then_the_lock_wins() {
        let mut f = facts(&["pwd"], true, true, Some(false));
        let d = decide_step_up(&f);
        assert_eq!(code(&d), "invalid_mfa_code");
        assert_eq!(d.lockout.failed_attempts, 1);
        f.lockout = d.lockout;
        let d = decide_step_up(&f);
        assert_eq!(d.lockout.locked_until, Some(1_600));
        f.lockout = d.lockout;
        f.mfa.code_valid = Some(true);
        let d = decide_step_up(&f);
        assert_eq!(code(&d), "account_locked");
        assert_eq!(d.lockout, f.lockout);
    }

    #[test]
    fn a_wrong_code_counts_against_the_account_tightened_by_the_org() {
        let mut f = facts(&["pwd"], true, true, Some(false));
        f.org_lockout_policy = Some(LockoutPolicy {
            max_attempts: 1,
            duration_seconds: 60,
        });
        let d = decide_step_up(&f);
        assert_eq!(
            d.lockout.locked_until,
            Some(1_600),
            "one attempt, the longer lock"
        );
        f.org_lockout_policy = Some(LockoutPolicy {
            max_attempts: 50,
            duration_seconds: 60,
        });
        assert_eq!(
            decide_step_up(&f).lockout.failed_attempts,
            1,
            "a lax org loosens nothing"
        );
    }

    #[test]
    fn good_code_adds_otp_and_clears_the_counter() {
        let mut f = facts(&["pwd"], true, true, Some(true));
        f.lockout.failed_attempts = 1;
        let d = decide_step_up(&f);
        assert_eq!(d.outcome.unwrap(), vec!["pwd", "otp"]);
        assert_eq!(d.lockout, LockoutState::default());
    }
}
