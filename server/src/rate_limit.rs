//! Abuse limits: core's quotas (`orgkit_core::rate_limit`) enforced by governor's GCRA
//! limiter, per client address and per account, for each limited action. The state is in this
//! process's memory: behind a load balancer each instance counts what it serves.

use crate::error::{ApiError, ApiResult};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, NotUntil, Quota};
use orgkit_core::client_address::{TrustedProxies, client_address};
use orgkit_core::rate_limit::{LimitedAction, RateQuota};
use poem::Request;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The client's address as the request middleware found it (core's `client_address`: the
/// socket peer, or behind `ORGKIT_TRUSTED_PROXIES` the right-most untrusted forwarded hop);
/// `None` when the transport has none (poem's test client). Requests without one share a key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The client of a request: its socket peer, or, when the peer is one of `trusted`, the
    /// right-most untrusted hop of its `Forwarded` / `X-Forwarded-For` headers (core decides).
    pub fn from_request(req: &Request, trusted: &TrustedProxies) -> ClientAddress {
        let lines = |name: &str| req.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
        let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
        ClientAddress(peer.map(|p| client_address(p, &lines("forwarded"), &lines("x-forwarded-for"), trusted)))
    }

    /// The address the middleware stored in the request.
    pub fn of(req: &Request) -> ClientAddress {
        req.extensions().get::<ClientAddress>().copied().unwrap_or_default()
    }
}

/// Checks between two sweeps of keys whose limits are fully replenished (governor keeps a
/// state per key until told to forget it).
const SWEEP_EVERY: u64 = 4096;

/// The limiters of one action.
struct ActionLimiters {
    per_address: DefaultKeyedRateLimiter<Option<IpAddr>>,
    per_account: Option<DefaultKeyedRateLimiter<String>>,
}

/// Every action's limiters, or none when `ORGKIT_RATE_LIMIT=off`.
pub struct RateLimits {
    actions: HashMap<LimitedAction, ActionLimiters>,
    checks: AtomicU64,
}

fn quota(q: RateQuota) -> Quota {
    let burst = NonZeroU32::new(q.burst).unwrap_or(NonZeroU32::MIN);
    // Core's quotas have a positive period (a vector and a unit test say so); a zero would
    // mean "no replenishment", which governor cannot express, so it gets the slowest it can.
    Quota::with_period(Duration::from_secs(u64::from(q.replenish_seconds)))
        .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl RateLimits {
    /// Core's default quotas, enforced when `enabled`.
    pub fn new(enabled: bool) -> RateLimits {
        let actions = if enabled {
            LimitedAction::ALL
                .iter()
                .map(|action| {
                    let quotas = action.quotas();
                    let limiters = ActionLimiters {
                        per_address: DefaultKeyedRateLimiter::keyed(quota(quotas.per_address)),
                        per_account: quotas.per_account.map(|q| DefaultKeyedRateLimiter::keyed(quota(q))),
                    };
                    (*action, limiters)
                })
                .collect()
        } else {
            HashMap::new()
        };
        RateLimits { actions, checks: AtomicU64::new(0) }
    }

    /// Counts one attempt of `action` from `client` (and for `account`, when the action names
    /// one: an email, an invitation, a user); 429 `rate_limited` with `Retry-After` once either
    /// is over its quota.
    pub fn check(&self, action: LimitedAction, client: ClientAddress, account: Option<&str>) -> ApiResult<()> {
        let Some(limiters) = self.actions.get(&action) else { return Ok(()) };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        admit(&limiters.per_address, &client.0)?;
        if let (Some(limiter), Some(account)) = (&limiters.per_account, account) {
            admit(limiter, &account.to_owned())?;
        }
        Ok(())
    }

    fn sweep(&self) {
        for limiters in self.actions.values() {
            limiters.per_address.retain_recent();
            if let Some(l) = &limiters.per_account {
                l.retain_recent();
            }
        }
    }
}

fn admit<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> ApiResult<()> {
    limiter.check_key(key).map_err(|not_until: NotUntil<_>| {
        let wait = not_until.wait_time_from(limiter.clock().now());
        ApiError::rate_limited(wait)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_then_a_coded_refusal_with_a_wait() {
        let limits = RateLimits::new(true);
        let client = ClientAddress(Some("203.0.113.9".parse().unwrap()));
        let burst = LimitedAction::Login.quotas().per_address.burst;
        for i in 0..burst {
            // Each attempt names another account, so only the address's limit is reached.
            limits.check(LimitedAction::Login, client, Some(&format!("account-{i}"))).unwrap();
        }
        let refused = limits.check(LimitedAction::Login, client, Some("another")).unwrap_err();
        assert_eq!(refused.code().as_str(), "rate_limited");
        assert!(refused.retry_after.is_some_and(|s| (1..=3).contains(&s)), "{:?}", refused.retry_after);
        // Another address and another action are counted apart.
        let other = ClientAddress(Some("198.51.100.1".parse().unwrap()));
        limits.check(LimitedAction::Login, other, Some("x")).unwrap();
        limits.check(LimitedAction::Discover, client, Some("x")).unwrap();
    }

    #[test]
    fn an_account_has_its_own_limit_across_addresses() {
        let limits = RateLimits::new(true);
        let burst = LimitedAction::Signup.quotas().per_account.unwrap().burst;
        for i in 0..burst {
            let client = ClientAddress(Some(IpAddr::from([192, 0, 2, u8::try_from(i).unwrap()])));
            limits.check(LimitedAction::Signup, client, Some("ann@acme.com")).unwrap();
        }
        let fresh = ClientAddress(Some("192.0.2.200".parse().unwrap()));
        assert_eq!(limits.check(LimitedAction::Signup, fresh, Some("ann@acme.com")).unwrap_err().code().as_str(), "rate_limited");
    }

    #[test]
    fn off_means_off() {
        let limits = RateLimits::new(false);
        for _ in 0..1000 {
            limits.check(LimitedAction::Login, ClientAddress(None), Some("a")).unwrap();
        }
    }
}
