//! Lockout: consecutive failed logins lock an account for a while.

use crate::error::{Error, ErrorCode, Result};
use crate::settings::EffectiveSettings;
use serde::{Deserialize, Serialize};

/// Lockout limits from effective settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LockoutPolicy {
    /// Failures that lock the account.
    pub max_attempts: u32,
    /// Lock length in seconds.
    pub duration_seconds: i64,
}

impl LockoutPolicy {
    /// The policy of an org's effective settings.
    pub fn from_settings(settings: &EffectiveSettings) -> LockoutPolicy {
        LockoutPolicy {
            max_attempts: settings.max_login_attempts.value,
            duration_seconds: settings.lockout_seconds(),
        }
    }

    /// These limits (the account's: the tenant's) tightened by an org's: the fewer attempts
    /// and the longer lock of the two. An org may make its members' lockout stricter, never
    /// looser, so naming an org with generous limits buys an attacker no extra guesses.
    ///
    /// ```
    /// use orgkit_core::login::LockoutPolicy;
    /// let tenant = LockoutPolicy { max_attempts: 5, duration_seconds: 900 };
    /// let lax = LockoutPolicy { max_attempts: 100, duration_seconds: 60 };
    /// assert_eq!(tenant.tightened_by(Some(&lax)), tenant);
    /// let strict = LockoutPolicy { max_attempts: 3, duration_seconds: 3600 };
    /// assert_eq!(tenant.tightened_by(Some(&strict)), strict);
    /// ```
    #[must_use]
    pub fn tightened_by(&self, org: Option<&LockoutPolicy>) -> LockoutPolicy {
        match org {
            Some(o) => LockoutPolicy {
                max_attempts: self.max_attempts.min(o.max_attempts),
                duration_seconds: self.duration_seconds.max(o.duration_seconds),
            },
            None => *self,
        }
    }
}

/// The stored lockout state of one account (one counter per user, whatever org is named).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LockoutState {
    /// Consecutive failures since the last success or the last lock.
    #[serde(default)]
    pub failed_attempts: u32,
    /// Locked until this time (unix seconds), if locked.
    #[serde(default)]
    pub locked_until: Option<i64>,
}

impl LockoutState {
    /// `account_locked` while `now` is before `locked_until`. Check this before the password,
    /// so a locked account never has its password tested.
    pub fn check(&self, now: i64) -> Result<()> {
        match self.locked_until {
            Some(until) if now < until => Err(Error::new(
                ErrorCode::AccountLocked,
                format!(
                    "too many failed logins: locked for {} more seconds",
                    until - now
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The state after a failed attempt at `now`: the count grows, and reaching
    /// `max_attempts` locks until `now + duration` and starts a fresh count. An expired lock
    /// starts a fresh count too.
    #[must_use]
    pub fn after_failure(&self, policy: &LockoutPolicy, now: i64) -> LockoutState {
        let lock_expired = self.locked_until.is_some_and(|until| now >= until);
        let failed = if lock_expired {
            1
        } else {
            self.failed_attempts.saturating_add(1)
        };
        if failed >= policy.max_attempts {
            LockoutState {
                failed_attempts: 0,
                locked_until: Some(now.saturating_add(policy.duration_seconds)),
            }
        } else {
            LockoutState {
                failed_attempts: failed,
                locked_until: if lock_expired {
                    None
                } else {
                    self.locked_until
                },
            }
        }
    }

    /// The state after a successful login: cleared.
    #[must_use]
    pub fn after_success(&self) -> LockoutState {
        LockoutState::default()
    }
}
