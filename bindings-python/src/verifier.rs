//! `OrgTokenVerifier`: keys + options + a verified-token cache, for Python backends.
//!
//! Verification is core's `verify_token` with the verifier's claim profile; each call's
//! requirement is core's `VerifiedToken::authorize`; the cache is core's `TokenCache`. This file
//! only keeps state between calls: the key set (optionally fetched through a Python callable,
//! refreshed after a TTL and once on an unknown `kid`, rate limited: see [`crate::jwks`]), the
//! profile and the cache.

use crate::answer::{Entry, Reply};
use crate::jwks::{JwksSource, Keys, key_set, lock};
use crate::{errors, profile};
use orgkit_core::token::{
    KeySet, MAX_TOKEN_BYTES, ProfileConfig, Requirement, TokenCache, VerifiedToken, VerifyOptions,
    token_hash, verify_token,
};
use orgkit_core::{Error, ErrorCode, Permission, Role};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyType};
use serde_json::Value;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Verifies org access tokens with core's rules, caching verified tokens.
///
/// `OrgTokenVerifier(jwks, *, issuer, audience, leeway=0, cache_size=1024, profile="orgkit",
/// role_map=None)`: `profile` reads another provider's tokens ("auth0", "clerk-v1", "clerk-v2",
/// "workos", "stytch", "logto", "keycloak", or a dict such as `{"name": "auth0", "roles_claim":
/// ...}` or `{"name": "custom", "org_id": "/org/id", ...}`); `role_map` maps provider role
/// names to orgkit roles, over the profile's defaults.
#[pyclass(frozen, module = "orgkit")]
pub struct OrgTokenVerifier {
    issuer: String,
    audience: String,
    leeway: u64,
    /// The claim profile and role mapping every token is read with.
    profile: ProfileConfig,
    keys: RwLock<Keys>,
    /// Not thread-safe by itself: only touched under this lock. No Python code runs while it is
    /// held: Python code may hand the GIL to a thread that then waits on this lock (deadlock).
    cache: Mutex<TokenCache<Entry>>,
    source: Option<JwksSource>,
}

/// Largest cache a verifier may ask for (as the WASM guard).
const MAX_CACHE_SIZE: usize = 100_000;

fn check_cache_size(py: Python<'_>, cache_size: usize) -> PyResult<usize> {
    if cache_size > MAX_CACHE_SIZE {
        let e = Error::new(
            ErrorCode::InvalidRequest,
            format!("cache_size must be at most {MAX_CACHE_SIZE}"),
        )
        .with_field("cache_size");
        return Err(errors::to_py_err(py, &e));
    }
    Ok(cache_size)
}

fn seconds(value: f64, name: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        PyValueError::new_err(format!("{name} must be a finite number of seconds >= 0"))
    })
}

fn requirement(
    py: Python<'_>,
    org: Option<String>,
    role: Option<&str>,
    permission: Option<&str>,
) -> PyResult<Requirement> {
    let role = role
        .map(Role::parse)
        .transpose()
        .map_err(|e| errors::to_py_err(py, &e))?;
    let permission = permission
        .map(Permission::parse)
        .transpose()
        .map_err(|e| errors::to_py_err(py, &e))?;
    Ok(Requirement {
        org,
        role,
        permission,
    })
}

fn current_time(now: Option<f64>) -> PyResult<i64> {
    match now {
        Some(t) if t.is_finite() => Ok(t.floor() as i64),
        Some(_) => Err(PyValueError::new_err(
            "now must be a finite unix time in seconds",
        )),
        None => {
            let since = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            Ok(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
        }
    }
}

/// The caller's dict, or core's error as the package's exception.
fn finish(py: Python<'_>, reply: Result<Reply, Error>) -> PyResult<Bound<'_, PyDict>> {
    reply.map_err(|e| errors::to_py_err(py, &e))?.into_dict(py)
}

impl OrgTokenVerifier {
    fn build(
        jwks: (KeySet, Value),
        issuer: String,
        audience: String,
        leeway: u64,
        cache_size: usize,
        profile: ProfileConfig,
        source: Option<JwksSource>,
    ) -> OrgTokenVerifier {
        OrgTokenVerifier {
            issuer,
            audience,
            leeway,
            profile,
            keys: RwLock::new(Keys {
                set: Arc::new(jwks.0),
                jwks: jwks.1,
            }),
            cache: Mutex::new(TokenCache::new(cache_size)),
            source,
        }
    }

    fn current_keys(&self) -> Arc<KeySet> {
        Arc::clone(
            &self
                .keys
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .set,
        )
    }

    fn install(&self, (set, jwks): (KeySet, Value)) {
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if keys.jwks != jwks {
            *keys = Keys {
                set: Arc::new(set),
                jwks,
            };
            lock(&self.cache).clear();
        }
    }

    /// Fetches the JWKS through the source and installs it.
    fn fetch(&self, py: Python<'_>, source: &JwksSource) -> PyResult<()> {
        let document = source.fetch.call0(py)?;
        self.install(key_set(py, document.bind(py))?);
        source.fetched_now();
        Ok(())
    }

    /// A fetch that fails keeps the keys we have and is logged, not raised: the verifier stays
    /// available while the issuer's JWKS endpoint is down.
    fn fetch_or_log(&self, py: Python<'_>, source: &JwksSource) {
        if let Err(err) = self.fetch(py, source) {
            let message =
                format!("orgkit: fetching the JWKS failed, keeping the current keys: {err}");
            let logged = py
                .import("logging")
                .and_then(|logging| logging.call_method1("getLogger", ("orgkit",)))
                .and_then(|logger| logger.call_method1("warning", (message,)));
            drop(logged);
        }
    }

    fn options(&self, now: i64) -> VerifyOptions {
        VerifyOptions {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            leeway: self.leeway,
            now,
        }
    }

    /// Full verification with the GIL released; on an unknown `kid`, one refetch and retry.
    fn verify_uncached(
        &self,
        py: Python<'_>,
        token: &str,
        now: i64,
    ) -> Result<(VerifiedToken, u64), PyErr> {
        if let Some(source) = &self.source
            && source.claim(true)
        {
            self.fetch_or_log(py, source);
        }
        let opts = self.options(now);
        let attempt = |py: Python<'_>| {
            let generation = lock(&self.cache).generation();
            let keys = self.current_keys();
            let result = py.detach(|| verify_token(token, &keys, &opts, &self.profile));
            (result, generation)
        };
        let (mut result, mut generation) = attempt(py);
        if let (Err(e), Some(source)) = (&result, &self.source)
            && e.code == ErrorCode::UnknownKey
            && source.claim(false)
        {
            self.fetch_or_log(py, source);
            (result, generation) = attempt(py);
        }
        result
            .map(|verified| (verified, generation))
            .map_err(|e| errors::to_py_err(py, &e))
    }
}

#[pymethods]
impl OrgTokenVerifier {
    /// A verifier for tokens of `issuer` for `audience`, signed by a key of `jwks` (a JWKS as a
    /// dict, JSON str or bytes), whose org context is read with claim `profile` (a name such as
    /// `"auth0"`, or a dict `{"name": ..., **options}`) and `role_map` (provider role → orgkit
    /// role), both checked now by core.
    #[new]
    #[pyo3(
        signature = (jwks, *, issuer, audience, leeway = 0, cache_size = 1024, profile = None, role_map = None),
        text_signature = "(jwks, *, issuer, audience, leeway=0, cache_size=1024, profile='orgkit', role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        jwks: &Bound<'_, PyAny>,
        issuer: String,
        audience: String,
        leeway: u64,
        cache_size: usize,
        profile: Option<&Bound<'_, PyAny>>,
        role_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cache_size = check_cache_size(py, cache_size)?;
        let profile = profile::profile_config(py, profile, role_map)?;
        Ok(Self::build(
            key_set(py, jwks)?,
            issuer,
            audience,
            leeway,
            cache_size,
            profile,
            None,
        ))
    }

    /// A verifier whose JWKS comes from `fetch()` (returning a dict, str or bytes): fetched now,
    /// again after `cache_ttl` seconds, and once more when a token names an unknown `kid` — at
    /// most once per `refetch_interval` seconds. `profile` and `role_map` as for the constructor.
    #[classmethod]
    #[pyo3(
        signature = (fetch, *, issuer, audience, leeway = 0, cache_ttl = 300.0, refetch_interval = 30.0, cache_size = 1024, profile = None, role_map = None),
        text_signature = "(fetch, *, issuer, audience, leeway=0, cache_ttl=300.0, refetch_interval=30.0, cache_size=1024, profile='orgkit', role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_jwks_fetcher(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        fetch: Py<PyAny>,
        issuer: String,
        audience: String,
        leeway: u64,
        cache_ttl: f64,
        refetch_interval: f64,
        cache_size: usize,
        profile: Option<&Bound<'_, PyAny>>,
        role_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cache_size = check_cache_size(py, cache_size)?;
        let profile = profile::profile_config(py, profile, role_map)?;
        let ttl = seconds(cache_ttl, "cache_ttl")?;
        let refetch_interval = seconds(refetch_interval, "refetch_interval")?;
        let document = fetch.call0(py)?;
        let jwks = key_set(py, document.bind(py))?;
        let source = JwksSource::new(fetch, ttl, refetch_interval);
        Ok(Self::build(
            jwks,
            issuer,
            audience,
            leeway,
            cache_size,
            profile,
            Some(source),
        ))
    }

    /// A verifier whose JWKS is fetched from `url` with the standard library (urllib).
    /// `profile` and `role_map` as for the constructor.
    #[classmethod]
    #[pyo3(
        signature = (url, *, issuer, audience, leeway = 0, cache_ttl = 300.0, refetch_interval = 30.0, timeout = 5.0, cache_size = 1024, profile = None, role_map = None),
        text_signature = "(url, *, issuer, audience, leeway=0, cache_ttl=300.0, refetch_interval=30.0, timeout=5.0, cache_size=1024, profile='orgkit', role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_jwks_url(
        cls: &Bound<'_, PyType>,
        py: Python<'_>,
        url: String,
        issuer: String,
        audience: String,
        leeway: u64,
        cache_ttl: f64,
        refetch_interval: f64,
        timeout: f64,
        cache_size: usize,
        profile: Option<&Bound<'_, PyAny>>,
        role_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let fetch = py
            .import("orgkit._jwks_url")?
            .getattr("url_fetcher")?
            .call1((url, timeout))?;
        Self::from_jwks_fetcher(
            cls,
            py,
            fetch.unbind(),
            issuer,
            audience,
            leeway,
            cache_ttl,
            refetch_interval,
            cache_size,
            profile,
            role_map,
        )
    }

    /// Verifies `token` and returns its claims as a dict; then requires, when given, the org
    /// (id or slug), a minimum role and a permission. `now` defaults to the current time.
    ///
    /// The orgkit profile (without a role map) returns the token's claims unchanged; any other
    /// profile returns `{sub, org_id, org_slug, org_role, permissions, claims}` with the
    /// provider's original claims under `claims`. For a token listing several orgs (Keycloak),
    /// `org` picks the one the answer is about.
    #[pyo3(signature = (token, *, org = None, role = None, permission = None, now = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: PyBackedStr,
        org: Option<String>,
        role: Option<String>,
        permission: Option<String>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let token: &str = &token;
        let now = current_time(now)?;
        let req = requirement(py, org, role.as_deref(), permission.as_deref())?;
        // Oversized tokens go straight to core, which refuses them, instead of being hashed.
        let hash = (token.len() <= MAX_TOKEN_BYTES).then(|| token_hash(token));
        if let Some(hash) = &hash {
            // The lock is released before any Python object is built.
            let hit = lock(&self.cache)
                .get(hash, now)
                .map(|entry| entry.reply(py, &self.profile, &req));
            if let Some(reply) = hit {
                return finish(py, reply);
            }
        }
        let (verified, generation) = self.verify_uncached(py, token, now)?;
        let exp = verified.exp();
        let entry = Entry::new(py, verified, &self.profile)?;
        // A requirement that fails still leaves the valid token cached for the next call.
        let reply = entry.reply(py, &self.profile, &req);
        if let Some(hash) = hash {
            lock(&self.cache).insert(hash, entry, exp, now, generation);
        }
        finish(py, reply)
    }

    /// Replaces the key set (a JWKS dict, str or bytes); the cache is emptied if it changed.
    fn set_jwks(&self, py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        self.install(key_set(py, jwks)?);
        Ok(())
    }

    /// Fetches the JWKS again now (verifiers built from a URL or fetcher only); raises what
    /// the fetch raises.
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        match &self.source {
            Some(source) => {
                source.attempted_now();
                self.fetch(py, source)
            }
            None => Err(PyValueError::new_err(
                "this verifier has no JWKS source to refresh from",
            )),
        }
    }

    /// How many verified tokens the cache holds.
    #[getter]
    fn cache_len(&self) -> usize {
        lock(&self.cache).len()
    }

    /// How many keys the current key set holds.
    #[getter]
    fn key_count(&self) -> usize {
        self.current_keys().len()
    }

    #[getter]
    fn issuer(&self) -> &str {
        &self.issuer
    }

    #[getter]
    fn audience(&self) -> &str {
        &self.audience
    }

    #[getter]
    fn leeway(&self) -> u64 {
        self.leeway
    }

    fn __repr__(&self) -> String {
        format!(
            "OrgTokenVerifier(issuer={:?}, audience={:?}, keys={})",
            self.issuer,
            self.audience,
            self.key_count()
        )
    }
}
