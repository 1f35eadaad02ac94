//! `OrgTokenVerifier`: core's `Verifier` for Python backends.
//!
//! The configuration (defaults, limits, claim profile), verification, each call's requirement,
//! the cache and what survives a key rotation are core's (`VerifierConfig`, `Verifier`). This
//! file keeps only what a Python object needs: the lock around core's verifier (taken for core's
//! short cache steps; signatures are checked with the GIL released and no lock held), the clock,
//! and the JWKS fetched through a Python callable (refreshed after a TTL and once on an unknown
//! `kid`, rate limited: see [`crate::jwks`]).

use crate::answer::{self, Memo};
use crate::jwks::{JwksSource, key_set, lock};
use crate::{convert, errors};
use orgkit_core::token::{KeySet, Lookup, Remembered, Requirement, Verifier, VerifierConfig};
use orgkit_core::{ErrorCode, Permission, Role};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyType};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Verifies org access tokens with core's rules, caching verified tokens.
///
/// `OrgTokenVerifier(jwks, *, issuer, audience, leeway=None, cache_size=None, profile=None,
/// role_map=None)`: `leeway` and `cache_size` default to core's (0 and 1024); `profile` reads
/// another provider's tokens ("auth0", "clerk-v1", "clerk-v2", "workos", "stytch", "logto",
/// "keycloak", or a dict such as `{"name": "auth0", "roles_claim": ...}` or `{"name":
/// "custom", "org_id": "/org/id", ...}`); `role_map` maps provider role names to orgkit roles,
/// over the profile's defaults.
#[pyclass(frozen, module = "orgkit")]
pub struct OrgTokenVerifier {
    /// Locked only for core's cache steps and key replacement. No Python code runs while it
    /// is held: Python code may hand the GIL to a thread that then waits on this lock (deadlock).
    verifier: Mutex<Verifier<Memo>>,
    source: Option<JwksSource>,
}

/// Core's configuration from the constructor's arguments (`None`: core's default), checked by
/// core before any JWKS is read or fetched.
fn verifier_config(
    py: Python<'_>,
    issuer: String,
    audience: String,
    leeway: Option<u64>,
    cache_size: Option<usize>,
    profile: Option<&Bound<'_, PyAny>>,
    role_map: Option<&Bound<'_, PyAny>>,
) -> PyResult<VerifierConfig> {
    let mut fields = Map::new();
    fields.insert("issuer".into(), Value::String(issuer));
    fields.insert("audience".into(), Value::String(audience));
    fields.insert("leeway".into(), leeway.map_or(Value::Null, Value::from));
    fields.insert(
        "cache_size".into(),
        cache_size.map_or(Value::Null, Value::from),
    );
    for (name, value) in [("profile", profile), ("role_map", role_map)] {
        let value = value
            .map(convert::to_json)
            .transpose()?
            .unwrap_or(Value::Null);
        fields.insert(name.into(), value);
    }
    VerifierConfig::from_json(Value::Object(fields)).map_err(|e| errors::to_py_err(py, &e))
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

impl OrgTokenVerifier {
    fn build(
        py: Python<'_>,
        config: VerifierConfig,
        keys: KeySet,
        source: Option<JwksSource>,
    ) -> PyResult<OrgTokenVerifier> {
        let verifier = Verifier::new(config, keys).map_err(|e| errors::to_py_err(py, &e))?;
        Ok(OrgTokenVerifier {
            verifier: Mutex::new(verifier),
            source,
        })
    }

    /// Fetches the JWKS through the source and gives it to core.
    fn fetch(&self, py: Python<'_>, source: &JwksSource) -> PyResult<()> {
        let document = source.fetch.call0(py)?;
        let keys = key_set(py, document.bind(py))?;
        lock(&self.verifier).replace_keys(keys);
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

    /// The verified token: remembered by core, or verified in full with the GIL released (after
    /// a TTL refresh of the keys when one is due; on an unknown `kid`, one refetch and retry).
    fn verified(&self, py: Python<'_>, token: &str, now: i64) -> PyResult<Arc<Remembered<Memo>>> {
        let lookup = lock(&self.verifier).lookup(token, now);
        let mut pending = match lookup {
            Lookup::Hit(remembered) => return Ok(remembered),
            Lookup::Miss(pending) => pending,
        };
        if let Some(source) = &self.source
            && source.claim(true)
        {
            self.fetch_or_log(py, source);
            pending = lock(&self.verifier).pending(token, now);
        }
        let mut result = py.detach(|| pending.run());
        if let (Err(e), Some(source)) = (&result, &self.source)
            && e.code == ErrorCode::UnknownKey
            && source.claim(false)
        {
            self.fetch_or_log(py, source);
            pending = lock(&self.verifier).pending(token, now);
            result = py.detach(|| pending.run());
        }
        let checked = result.map_err(|e| errors::to_py_err(py, &e))?;
        Ok(lock(&self.verifier).remember(&pending, checked, Memo::new()))
    }
}

#[pymethods]
impl OrgTokenVerifier {
    /// A verifier for tokens of `issuer` for `audience`, signed by a key of `jwks` (a JWKS as a
    /// dict, JSON str or bytes), whose org context is read with claim `profile` (a name such as
    /// `"auth0"`, or a dict `{"name": ..., **options}`) and `role_map` (provider role → orgkit
    /// role). `leeway` (seconds) and `cache_size` default to core's; core checks them all now.
    #[new]
    #[pyo3(
        signature = (jwks, *, issuer, audience, leeway = None, cache_size = None, profile = None, role_map = None),
        text_signature = "(jwks, *, issuer, audience, leeway=None, cache_size=None, profile=None, role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        jwks: &Bound<'_, PyAny>,
        issuer: String,
        audience: String,
        leeway: Option<u64>,
        cache_size: Option<usize>,
        profile: Option<&Bound<'_, PyAny>>,
        role_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = verifier_config(py, issuer, audience, leeway, cache_size, profile, role_map)?;
        Self::build(py, config, key_set(py, jwks)?, None)
    }

    /// A verifier whose JWKS comes from `fetch()` (returning a dict, str or bytes): fetched now,
    /// again after `cache_ttl` seconds, and once more when a token names an unknown `kid` — at
    /// most once per `refetch_interval` seconds. `profile` and `role_map` as for the constructor.
    #[classmethod]
    #[pyo3(
        signature = (fetch, *, issuer, audience, leeway = None, cache_ttl = 300.0, refetch_interval = 30.0, cache_size = None, profile = None, role_map = None),
        text_signature = "(fetch, *, issuer, audience, leeway=None, cache_ttl=300.0, refetch_interval=30.0, cache_size=None, profile=None, role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_jwks_fetcher(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        fetch: Py<PyAny>,
        issuer: String,
        audience: String,
        leeway: Option<u64>,
        cache_ttl: f64,
        refetch_interval: f64,
        cache_size: Option<usize>,
        profile: Option<&Bound<'_, PyAny>>,
        role_map: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = verifier_config(py, issuer, audience, leeway, cache_size, profile, role_map)?;
        let ttl = seconds(cache_ttl, "cache_ttl")?;
        let refetch_interval = seconds(refetch_interval, "refetch_interval")?;
        let document = fetch.call0(py)?;
        let keys = key_set(py, document.bind(py))?;
        let source = JwksSource::new(fetch, ttl, refetch_interval);
        Self::build(py, config, keys, Some(source))
    }

    /// A verifier whose JWKS is fetched from `url` with the standard library (urllib).
    /// `profile` and `role_map` as for the constructor.
    #[classmethod]
    #[pyo3(
        signature = (url, *, issuer, audience, leeway = None, cache_ttl = 300.0, refetch_interval = 30.0, timeout = 5.0, cache_size = None, profile = None, role_map = None),
        text_signature = "(url, *, issuer, audience, leeway=None, cache_ttl=300.0, refetch_interval=30.0, timeout=5.0, cache_size=None, profile=None, role_map=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_jwks_url(
        cls: &Bound<'_, PyType>,
        py: Python<'_>,
        url: String,
        issuer: String,
        audience: String,
        leeway: Option<u64>,
        cache_ttl: f64,
        refetch_interval: f64,
        timeout: f64,
        cache_size: Option<usize>,
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
        let token = self.verified(py, token, now)?;
        // A requirement that fails leaves the valid token remembered for the next call.
        answer::reply(py, &token, &req)
    }

    /// Replaces the key set (a JWKS dict, str or bytes). Tokens remembered stay only when the
    /// new keys would verify them with the same key (core's rule).
    fn set_jwks(&self, py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let keys = key_set(py, jwks)?;
        lock(&self.verifier).replace_keys(keys);
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
        lock(&self.verifier).cached_tokens()
    }

    /// How many keys the current key set holds.
    #[getter]
    fn key_count(&self) -> usize {
        lock(&self.verifier).key_count()
    }

    #[getter]
    fn issuer(&self) -> String {
        lock(&self.verifier).issuer().to_owned()
    }

    #[getter]
    fn audience(&self) -> String {
        lock(&self.verifier).audience().to_owned()
    }

    #[getter]
    fn leeway(&self) -> u64 {
        lock(&self.verifier).leeway()
    }

    fn __repr__(&self) -> String {
        let verifier = lock(&self.verifier);
        format!(
            "OrgTokenVerifier(issuer={:?}, audience={:?}, keys={})",
            verifier.issuer(),
            verifier.audience(),
            verifier.key_count()
        )
    }
}
