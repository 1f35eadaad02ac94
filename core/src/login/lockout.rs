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
}

/// The stored lockout state of one user in one login context.
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
