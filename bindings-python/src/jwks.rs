//! The verifier's keys: a JWKS handed over by Python (a dict, a JSON str or bytes) read into
//! core's `KeySet`, and, for verifiers that fetch their keys, where the JWKS comes from and
//! when it may be fetched again. Which remembered tokens survive new keys is core's rule
//! (`Verifier::replace_keys`).

use crate::{convert, errors};
use orgkit_core::token::KeySet;
use orgkit_core::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::Value;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Locks `m`, going on after a thread panicked while holding it (the data is plain state).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where the keys come from when they are fetched, and when to fetch them again.
pub struct JwksSource {
    /// A Python callable returning the JWKS as a dict, a str or bytes.
    pub fetch: Py<PyAny>,
    ttl: Duration,
    refetch_interval: Duration,
    state: Mutex<FetchState>,
}

struct FetchState {
    /// Last successful fetch.
    fetched_at: Instant,
    /// Last fetch attempted (refreshes and unknown-`kid` refetches), successful or not.
    attempted_at: Option<Instant>,
}

impl JwksSource {
    /// A source whose keys were just fetched.
    pub fn new(fetch: Py<PyAny>, ttl: Duration, refetch_interval: Duration) -> JwksSource {
        JwksSource {
            fetch,
            ttl,
            refetch_interval,
            state: Mutex::new(FetchState {
                fetched_at: Instant::now(),
                attempted_at: None,
            }),
        }
    }

    /// Takes the right to fetch now: at most one attempt (successful or not) per
    /// `refetch_interval`, and for a TTL refresh only once the keys are older than the TTL.
    /// Checked and recorded under one lock, so threads racing on the same unknown `kid` fetch
    /// once.
    pub fn claim(&self, only_if_stale: bool) -> bool {
        let mut state = lock(&self.state);
        let due = !only_if_stale || state.fetched_at.elapsed() >= self.ttl;
        let allowed = state
            .attempted_at
            .is_none_or(|t| t.elapsed() >= self.refetch_interval);
        if due && allowed {
            state.attempted_at = Some(Instant::now());
        }
        due && allowed
    }

    /// Records a fetch asked for by the caller (`refresh()`), which does not wait its turn.
    pub fn attempted_now(&self) {
        lock(&self.state).attempted_at = Some(Instant::now());
    }

    /// Records a successful fetch: the TTL starts again.
    pub fn fetched_now(&self) {
        lock(&self.state).fetched_at = Instant::now();
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
