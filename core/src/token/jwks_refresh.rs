//! When a host that fetches its JWKS over the network (the Python verifier's URL source, the npm
//! guard's remote JWKS) may fetch it again.
//!
//! Fetching is the host's job; *when* is core's, so every runtime answers an issuer that rotates
//! its keys, or an attacker who sends tokens with made-up `kid`s, the same way: keys are fetched
//! when there are none yet, refreshed once they are older than `max_age`, and fetched early for
//! a `kid` the set does not know — but never more than once per `cooldown`, whatever the reason,
//! so no stream of requests turns into a stream of fetches.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// Default age after which fetched keys are refreshed: 5 minutes.
pub const DEFAULT_JWKS_MAX_AGE_MS: u64 = 5 * 60 * 1000;
/// Default least time between two fetch attempts: 30 seconds.
pub const DEFAULT_JWKS_COOLDOWN_MS: u64 = 30 * 1000;
/// Longest `max_age` or `cooldown` a host may configure: one day.
pub const MAX_JWKS_INTERVAL_MS: u64 = 24 * 60 * 60 * 1000;

/// How often a fetched JWKS is refreshed, in milliseconds.
///
/// ```
/// use orgkit_core::token::{JwksFetchState, JwksRefreshPolicy, JwksNeed};
/// let policy = JwksRefreshPolicy::default();
/// let mut state = JwksFetchState::default();
/// assert!(policy.should_fetch(&state, JwksNeed::Routine, 0)); // no keys yet
/// state.attempted(0);
/// state.fetched(0);
/// assert!(!policy.should_fetch(&state, JwksNeed::UnknownKid, 1_000)); // within the cooldown
/// assert!(policy.should_fetch(&state, JwksNeed::UnknownKid, 30_000));
/// assert!(!policy.should_fetch(&state, JwksNeed::Routine, 60_000)); // keys still fresh
/// assert!(policy.should_fetch(&state, JwksNeed::Routine, 300_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct JwksRefreshPolicy {
    /// Keys older than this are refreshed (default [`DEFAULT_JWKS_MAX_AGE_MS`]).
    #[serde(default = "default_max_age")]
    pub max_age_ms: u64,
    /// Least time between two fetch attempts, successful or not (default
    /// [`DEFAULT_JWKS_COOLDOWN_MS`]).
    #[serde(default = "default_cooldown")]
    pub cooldown_ms: u64,
}

fn default_max_age() -> u64 {
    DEFAULT_JWKS_MAX_AGE_MS
}

fn default_cooldown() -> u64 {
    DEFAULT_JWKS_COOLDOWN_MS
}

impl Default for JwksRefreshPolicy {
    fn default() -> Self {
        JwksRefreshPolicy {
            max_age_ms: DEFAULT_JWKS_MAX_AGE_MS,
            cooldown_ms: DEFAULT_JWKS_COOLDOWN_MS,
        }
    }
}

/// Why a host asks whether to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum JwksNeed {
    /// A verification is about to use the keys: fetch if there are none or they are older than
    /// `max_age`. Hosts ask this on every verification, cache hits included, so keys the issuer
    /// withdrew stop answering within `max_age` (new keys drop the tokens they verified).
    Routine,
    /// A token names a `kid` the keys do not have: fetch now unless within the cooldown.
    UnknownKid,
}

/// What a host remembers about its fetches (unix milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct JwksFetchState {
    /// When keys were last fetched successfully (`None`: never).
    #[serde(default)]
    pub fetched_at: Option<i64>,
    /// When a fetch was last attempted, successful or not (`None`: never).
    #[serde(default)]
    pub attempted_at: Option<i64>,
}

impl JwksFetchState {
    /// Records an attempt at `now`: call it when a fetch starts, before its outcome is known,
    /// so concurrent callers see the cooldown at once.
    pub fn attempted(&mut self, now: i64) {
        self.attempted_at = Some(now);
    }

    /// Records a successful fetch at `now`: the keys' age starts again.
    pub fn fetched(&mut self, now: i64) {
        self.fetched_at = Some(now);
    }
}

impl JwksRefreshPolicy {
    /// Checks the policy: both intervals at most [`MAX_JWKS_INTERVAL_MS`], the cooldown no
    /// longer than `max_age` (else the keys could never be refreshed at their age).
    pub fn validate(&self) -> Result<()> {
        let bounded = |value: u64, field: &str| {
            if value > MAX_JWKS_INTERVAL_MS {
                Err(Error::new(
                    ErrorCode::InvalidRequest,
                    format!("{field} must be at most {MAX_JWKS_INTERVAL_MS} ms (one day)"),
                )
                .with_field(field))
            } else {
                Ok(())
            }
        };
        bounded(self.max_age_ms, "max_age_ms")?;
        bounded(self.cooldown_ms, "cooldown_ms")?;
        if self.cooldown_ms > self.max_age_ms {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "cooldown_ms must not be longer than max_age_ms",
            )
            .with_field("cooldown_ms"));
        }
        Ok(())
    }

    /// Whether the host should fetch the JWKS now, for `need`, given what it remembers.
    /// Without keys every need fetches; a fetch is never attempted twice within `cooldown_ms`.
    pub fn should_fetch(&self, state: &JwksFetchState, need: JwksNeed, now: i64) -> bool {
        let since = |at: i64| u64::try_from(now.saturating_sub(at)).unwrap_or(0);
        let cooled = state
            .attempted_at
            .is_none_or(|at| since(at) >= self.cooldown_ms);
        let wanted = match (state.fetched_at, need) {
            (None, _) | (Some(_), JwksNeed::UnknownKid) => true,
            (Some(at), JwksNeed::Routine) => since(at) >= self.max_age_ms,
        };
        wanted && cooled
    }
}
