//! The verifier's keys: a JWKS handed over by Python (a dict, a JSON str or bytes) read into
//! core's `KeySet`, and, for verifiers that fetch their keys, where the JWKS comes from and what
//! core's `JwksRefreshPolicy` needs to say when it may be fetched. Which remembered tokens survive new keys is core's rule
//! (`Verifier::replace_keys`).

use crate::{convert, errors};
use orgkit_core::token::{JwksFetchState, JwksNeed, JwksRefreshPolicy, KeySet};
use orgkit_core::{Error, ErrorCode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::Value;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Locks `m`, going on after a thread panicked while holding it (the data is plain state).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where the keys come from when they are fetched, and what core's [`JwksRefreshPolicy`] needs
/// to decide when to fetch them (the rule is core's; this only keeps the state and the clock).
pub struct JwksSource {
    /// A Python callable returning the JWKS as a dict, a str or bytes.
    pub fetch: Py<PyAny>,
    policy: JwksRefreshPolicy,
    state: Mutex<JwksFetchState>,
    /// Whether a fetch runs, so that a verification finding no keys yet can wait for the
    /// first fetch instead of failing beside it.
    fetching: Mutex<bool>,
    fetched: Condvar,
}

/// A fetch in progress; dropping it (whatever the fetch's outcome) wakes the waiters.
pub struct Fetching<'s>(&'s JwksSource);

impl Drop for Fetching<'_> {
    fn drop(&mut self) {
        *lock(&self.0.fetching) = false;
        self.0.fetched.notify_all();
    }
}

/// The JWKS clock: unix milliseconds, as core's [`JwksFetchState`] counts.
fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// Whole milliseconds of `seconds` (a Python float), refused when negative or not finite.
fn millis(seconds: f64, name: &str) -> PyResult<u64> {
    let duration = Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!("{name} must be a finite number of seconds >= 0"))
    })?;
    Ok(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

impl JwksSource {
    /// A source that has fetched nothing yet (the first verification fetches): keys refreshed
    /// after `cache_ttl` seconds, never two attempts within `refetch_interval` seconds. Core
    /// checks the policy; its errors name the Python arguments.
    pub fn new(
        py: Python<'_>,
        fetch: Py<PyAny>,
        cache_ttl: f64,
        refetch_interval: f64,
    ) -> PyResult<JwksSource> {
        let policy = JwksRefreshPolicy {
            max_age_ms: millis(cache_ttl, "cache_ttl")?,
            cooldown_ms: millis(refetch_interval, "refetch_interval")?,
        };
        policy.validate().map_err(|mut e| {
            e.field = e.field.map(|field| {
                match field.as_str() {
                    "max_age_ms" => "cache_ttl",
                    "cooldown_ms" => "refetch_interval",
                    other => other,
                }
                .to_owned()
            });
            errors::to_py_err(py, &e)
        })?;
        Ok(JwksSource {
            fetch,
            policy,
            state: Mutex::new(JwksFetchState::default()),
            fetching: Mutex::new(false),
            fetched: Condvar::new(),
        })
    }

    /// Takes the right to fetch now for `need`, when core's policy grants it, recording the
    /// attempt under the same lock, so threads racing on the same unknown `kid` fetch once.
    /// A yes must be followed by a fetch ([`JwksSource::fetching`]).
    pub fn claim(&self, need: JwksNeed) -> bool {
        let now = now_ms();
        let mut state = lock(&self.state);
        let granted = self.policy.should_fetch(&state, need, now);
        if granted {
            state.attempted(now);
            // Marked before the state is unlocked: a thread that finds no keys and was not
            // granted the fetch sees it running. The fetch itself ends the mark.
            *lock(&self.fetching) = true;
        }
        granted
    }

    /// Marks a fetch as running until the returned value is dropped.
    pub fn fetching(&self) -> Fetching<'_> {
        *lock(&self.fetching) = true;
        Fetching(self)
    }

    /// Waits until no fetch runs. Call it with the GIL released: the fetch needs it.
    pub fn wait_for_fetch(&self) {
        let mut running = lock(&self.fetching);
        while *running {
            running = self
                .fetched
                .wait(running)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Records a fetch asked for by the caller (`refresh()`), which does not wait its turn.
    pub fn attempted_now(&self) {
        lock(&self.state).attempted(now_ms());
    }

    /// Records a successful fetch: the keys' age starts again.
    pub fn fetched_now(&self) {
        lock(&self.state).fetched(now_ms());
    }
}

/// Reads a JWKS (dict, JSON str or bytes) into core's key set; `invalid_key` when it is not
/// JSON or core refuses it.
pub fn key_set(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<KeySet> {
    let value: Value = if let Ok(s) = jwks.cast::<PyString>() {
        serde_json::from_str(&s.to_cow()?).map_err(|e| {
            errors::to_py_err(
                py,
                &Error::new(ErrorCode::InvalidKey, format!("JWKS is not JSON: {e}")),
            )
        })?
    } else if let Ok(b) = jwks.cast::<PyBytes>() {
        serde_json::from_slice(b.as_bytes()).map_err(|e| {
            errors::to_py_err(
                py,
                &Error::new(ErrorCode::InvalidKey, format!("JWKS is not JSON: {e}")),
            )
        })?
    } else {
        convert::to_json(jwks)?
    };
    KeySet::from_jwks(&value).map_err(|e| errors::to_py_err(py, &e))
}
