//! Abuse limits: how often a client address, and an account, may attempt what an anonymous
//! caller (or a stranger with a fresh account) can make expensive (argon2 hashing, email,
//! stored SAML requests, DNS lookups). A host enforces
//! them with a rate limiter of its choice (the server uses governor); the quotas are policy, so
//! they are here, once.

use serde::{Deserialize, Serialize};

/// A rate: `burst` attempts at once, then one more every `replenish_seconds` (a token bucket
/// / GCRA). `burst` attempts per `burst × replenish_seconds` seconds in the long run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RateQuota {
    /// Attempts allowed at once.
    pub burst: u32,
    /// Seconds for one more attempt to become available.
    pub replenish_seconds: u32,
}

/// The quotas of one limited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ActionQuotas {
    /// What the action is.
    pub action: LimitedAction,
    /// Per client address.
    pub per_address: RateQuota,
    /// Per account the attempt names (the email of a signup, login or discovery, the
    /// invitation accepted, the user sending invitations or verifying domains); `None`: no
    /// account is named.
    pub per_account: Option<RateQuota>,
}

/// What is rate limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum LimitedAction {
    /// Creating an account (argon2).
    Signup,
    /// A password login (argon2): counts every attempt, so at most 20 failed logins per
    /// address and minute.
    Login,
    /// Home-realm discovery (no hashing, but it reads the account's lockout).
    Discover,
    /// Accepting an invitation (argon2 when it creates the account).
    AcceptInvitation,
    /// Starting an SP-initiated SAML login (a stored request).
    SamlStart,
    /// Sending an invitation email (a new invitation or a resend, by a user).
    SendInvitation,
    /// Verifying an org's domain claim (by a user): each one is a DNS lookup the server makes,
    /// for up to seconds, of a name under a domain the caller picked.
    VerifyDomain,
}

const fn q(burst: u32, replenish_seconds: u32) -> RateQuota {
    RateQuota {
        burst,
        replenish_seconds,
    }
}

impl LimitedAction {
    /// Every limited action.
    pub const ALL: [LimitedAction; 7] = [
        LimitedAction::Signup,
        LimitedAction::Login,
        LimitedAction::Discover,
        LimitedAction::AcceptInvitation,
        LimitedAction::SamlStart,
        LimitedAction::SendInvitation,
        LimitedAction::VerifyDomain,
    ];

    /// The default quotas of this action. Per minute in the long run: signup 10 per address
    /// and 3 per email (then one a minute); login 20 per address (so never more than 20
    /// failed logins per address and minute) and 10 per account; discovery 60 and 30;
    /// accepting 20 per address and 10 per invitation; SAML starts 30 per address; invitations
    /// 30 per address and 20 at once per sending user, then one a minute; domain verifications
    /// 30 per address and 10 per user.
    ///
    /// ```
    /// use orgkit_core::rate_limit::LimitedAction;
    /// let login = LimitedAction::Login.quotas().per_address;
    /// assert_eq!(60 * login.burst / (login.burst * login.replenish_seconds), 20); // per minute
    /// ```
    pub const fn quotas(self) -> ActionQuotas {
        let (per_address, per_account) = match self {
            LimitedAction::Signup => (q(10, 6), Some(q(3, 20))),
            LimitedAction::Login => (q(20, 3), Some(q(10, 6))),
            LimitedAction::Discover => (q(60, 1), Some(q(30, 2))),
            LimitedAction::AcceptInvitation => (q(20, 3), Some(q(10, 6))),
            LimitedAction::SamlStart => (q(30, 2), None),
            LimitedAction::SendInvitation => (q(30, 2), Some(q(20, 60))),
            LimitedAction::VerifyDomain => (q(30, 2), Some(q(10, 6))),
        };
        ActionQuotas {
            action: self,
            per_address,
            per_account,
        }
    }
}

/// Every action's default quotas, in [`LimitedAction::ALL`] order.
pub fn rate_limits() -> Vec<ActionQuotas> {
    LimitedAction::ALL.iter().map(|a| a.quotas()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_quota_is_empty_and_logins_stay_within_twenty_a_minute() {
        for quotas in rate_limits() {
            for quota in [Some(quotas.per_address), quotas.per_account]
                .into_iter()
                .flatten()
            {
                assert!(quota.burst > 0 && quota.replenish_seconds > 0, "{quotas:?}");
            }
        }
        let login = LimitedAction::Login.quotas().per_address;
        assert!(login.burst <= 20 && login.replenish_seconds >= 3);
    }
}
