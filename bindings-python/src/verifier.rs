//! `OrgTokenVerifier`: core's `Verifier` for Python backends.
//!
//! The configuration (defaults, limits, claim profile), verification, each call's requirement,
//! the cache and what survives a key rotation are core's (`VerifierConfig`, `Verifier`). This
//! file keeps only what a Python object needs: the lock around core's verifier (taken for core's
//! short cache steps; signatures are checked with the GIL released and no lock held), the clock,
//! and the JWKS fetched through a Python callable, lazily: when to fetch is core's
//! `JwksRefreshPolicy` (see [`crate::jwks`]). The async path (`verify_async`) is Python
//! (`orgkit._verify_async`) around the same steps, exposed here as private methods.

use crate::answer::{self, Memo};
use crate::jwks::{JwksSource, key_set, lock};
use crate::{convert, errors};
use orgkit_core::token::{
    JwksNeed, KeySet, Lookup, Remembered, Requirement, Verifier, VerifierConfig,
};
use orgkit_core::{Error, ErrorCode, Permission, Role};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyType};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Verifies org access tokens with core's rules, caching verified tokens.
///
/// `OrgTokenVerifier(jwks, *, issuer, audience, leeway=None, cache_size=None, profile=None,
/// role_map=None)`: `leeway` and `cache_size` default to core's (0 and 1024); `profile` reads
/// another provider's tokens ("auth0", "clerk-v1", "clerk-v2", "workos", "stytch", "logto",
/// "keycloak", or a dict such as `{"name": "auth0", "roles_claim": ...}` or `{"name":
/// "custom", "org_id": "/org/id", ...}`); `role_map` maps provider role names to orgkit roles,
/// over the profile's defaults.
#[pyclass(frozen, weakref, module = "orgkit")]
pub struct OrgTokenVerifier {
    /// Locked only for core's cache steps and key replacement. No Python code runs while it
    /// is held: Python code may hand the GIL to a thread that then waits on this lock (deadlock).
    verifier: Mutex<Slot>,
    source: Option<JwksSource>,
}

/// Core's verifier once there are keys; before the first successful fetch of a lazy source,
/// only its checked configuration.
enum Slot {
    Waiting(VerifierConfig),
    Ready(Verifier<Memo>),
}

impl Slot {
    fn config_field<T>(
        &self,
        waiting: impl Fn(&VerifierConfig) -> T,
        ready: impl Fn(&Verifier<Memo>) -> T,
    ) -> T {
        match self {
            Slot::Waiting(config) => waiting(config),
            Slot::Ready(verifier) => ready(verifier),
        }
    }

    /// Gives core the new keys: the first ones build the verifier.
    fn replace_keys(&mut self, keys: KeySet) -> Result<(), Error> {
        match self {
            Slot::Ready(verifier) => verifier.replace_keys(keys),
            Slot::Waiting(config) => *self = Slot::Ready(Verifier::new(config.clone(), keys)?),
        }
        Ok(())
    }
}

/// What a token answers while no JWKS could be fetched yet: no key is known.
fn no_keys_yet() -> Error {
    Error::new(
        ErrorCode::UnknownKey,
        "no JWKS has been fetched yet (the fetch failed or waits for its cooldown)",
    )
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

/// A verification call's requirement and instant, from its Python arguments.
fn call_args(
    py: Python<'_>,
    org: Option<String>,
    role: Option<&str>,
    permission: Option<&str>,
    now: Option<f64>,
) -> PyResult<(Requirement, i64)> {
    let now = current_time(now)?;
    Ok((requirement(py, org, role, permission)?, now))
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
    fn build(py: Python<'_>, config: VerifierConfig, keys: KeySet) -> PyResult<OrgTokenVerifier> {
        let verifier = Verifier::new(config, keys).map_err(|e| errors::to_py_err(py, &e))?;
        Ok(OrgTokenVerifier {
            verifier: Mutex::new(Slot::Ready(verifier)),
            source: None,
        })
    }

    /// A verifier that fetches its keys from `source` when first needed: nothing is fetched
    /// now, so an application starts while its issuer is down. The configuration is checked now.
    fn lazy(
        py: Python<'_>,
        config: VerifierConfig,
        source: JwksSource,
    ) -> PyResult<OrgTokenVerifier> {
        config.validate().map_err(|e| errors::to_py_err(py, &e))?;
        Ok(OrgTokenVerifier {
            verifier: Mutex::new(Slot::Waiting(config)),
            source: Some(source),
        })
    }

    /// Fetches the JWKS through the source and gives it to core.
    fn fetch(&self, py: Python<'_>, source: &JwksSource) -> PyResult<()> {
        let _fetching = source.fetching();
        let document = source.fetch.call0(py)?;
        let keys = key_set(py, document.bind(py))?;
        lock(&self.verifier)
            .replace_keys(keys)
            .map_err(|e| errors::to_py_err(py, &e))?;
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

    /// Fetches when core's policy grants it for `need`; whether it did.
    fn fetch_if_due(&self, py: Python<'_>, need: JwksNeed) -> bool {
        match &self.source {
            Some(source) if source.claim(need) => {
                self.fetch_or_log(py, source);
                true
            }
            _ => false,
        }
    }

    /// The verified token with the keys held now, fetching nothing: remembered by core, or
    /// verified in full with the GIL released.
    fn with_current_keys(
        &self,
        py: Python<'_>,
        token: &str,
        now: i64,
    ) -> Result<Arc<Remembered<Memo>>, Error> {
        let pending = match &mut *lock(&self.verifier) {
            Slot::Waiting(_) => return Err(no_keys_yet()),
            Slot::Ready(verifier) => match verifier.lookup(token, now) {
                Lookup::Hit(remembered) => return Ok(remembered),
                Lookup::Miss(pending) => pending,
            },
        };
        let checked = py.detach(|| pending.run())?;
        match &mut *lock(&self.verifier) {
            Slot::Waiting(_) => Err(no_keys_yet()),
            Slot::Ready(verifier) => Ok(verifier.remember(&pending, checked, Memo::new())),
        }
    }

    /// The verified token, fetching the keys when core's policy says: before every
    /// verification when there are none or they are old, and once more on an unknown `kid`.
    fn verified(&self, py: Python<'_>, token: &str, now: i64) -> PyResult<Arc<Remembered<Memo>>> {
        let fetched = self.fetch_if_due(py, JwksNeed::Routine);
        // Its own statement: the lock must be released before waiting (the fetch takes it).
        let waiting = matches!(&*lock(&self.verifier), Slot::Waiting(_));
        if !fetched
            && waiting
            && let Some(source) = &self.source
        {
            // No keys yet and another thread's first fetch may be running: wait for it.
            py.detach(|| source.wait_for_fetch());
        }
        let mut result = self.with_current_keys(py, token, now);
        if matches!(&result, Err(e) if e.code == ErrorCode::UnknownKey)
            && self.fetch_if_due(py, JwksNeed::UnknownKid)
        {
            result = self.with_current_keys(py, token, now);
        }
        result.map_err(|e| errors::to_py_err(py, &e))
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
        Self::build(py, config, key_set(py, jwks)?)
    }

    /// A verifier whose JWKS comes from `fetch()` (returning a dict, str or bytes): fetched by
    /// the first verification (not now), again once older than `cache_ttl` seconds, and when a
    /// token names an unknown `kid` — never twice within `refetch_interval` seconds (core's
    /// `JwksRefreshPolicy`, which requires `refetch_interval <= cache_ttl`). `profile` and
    /// `role_map` as for the constructor.
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
        let source = JwksSource::new(py, fetch, cache_ttl, refetch_interval)?;
        Self::lazy(py, config, source)
    }

    /// A verifier whose JWKS is fetched from `url` with the standard library (urllib), lazily
    /// and refreshed as for `from_jwks_fetcher`. `profile` and `role_map` as for the constructor.
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
        let (req, now) = call_args(py, org, role.as_deref(), permission.as_deref(), now)?;
        let token = self.verified(py, &token, now)?;
        // A requirement that fails leaves the valid token remembered for the next call.
        answer::reply(py, &token, &req)
    }

    /// `verify` for async code: an awaitable that fetches the JWKS, when core's policy says, in
    /// a worker thread (concurrent callers await the same fetch), so the event loop never waits
    /// on the network. The signature check itself runs on the loop (tens of microseconds).
    #[pyo3(signature = (token, *, org = None, role = None, permission = None, now = None))]
    fn verify_async<'py>(
        slf: &Bound<'py, Self>,
        token: &Bound<'py, PyAny>,
        org: Option<String>,
        role: Option<String>,
        permission: Option<String>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item("org", org)?;
        kwargs.set_item("role", role)?;
        kwargs.set_item("permission", permission)?;
        kwargs.set_item("now", now)?;
        py.import("orgkit._verify_async")?
            .getattr("verify_async")?
            .call((slf, token), Some(&kwargs))
    }

    /// `verify` with the keys held now: fetches nothing (the async path's step).
    #[pyo3(signature = (token, *, org = None, role = None, permission = None, now = None))]
    fn _verify_with_current_keys<'py>(
        &self,
        py: Python<'py>,
        token: PyBackedStr,
        org: Option<String>,
        role: Option<String>,
        permission: Option<String>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (req, now) = call_args(py, org, role.as_deref(), permission.as_deref(), now)?;
        let token = self.with_current_keys(py, &token, now);
        let token = token.map_err(|e| errors::to_py_err(py, &e))?;
        answer::reply(py, &token, &req)
    }

    /// Whether to fetch now for `need` (`"routine"` or `"unknown_kid"`), by core's policy; a
    /// yes records the attempt. Always no without a JWKS source.
    fn _claim_fetch(&self, need: &str) -> PyResult<bool> {
        let need = match need {
            "routine" => JwksNeed::Routine,
            "unknown_kid" => JwksNeed::UnknownKid,
            _ => {
                return Err(PyValueError::new_err(
                    "need must be \"routine\" or \"unknown_kid\"",
                ));
            }
        };
        Ok(self
            .source
            .as_ref()
            .is_some_and(|source| source.claim(need)))
    }

    /// Fetches the JWKS now, keeping the current keys (and logging) when it fails. Meant for a
    /// worker thread, after `_claim_fetch` said yes.
    fn _fetch_or_log(&self, py: Python<'_>) {
        if let Some(source) = &self.source {
            self.fetch_or_log(py, source);
        }
    }

    /// Replaces the key set (a JWKS dict, str or bytes). Tokens remembered stay only when the
    /// new keys would verify them with the same key (core's rule).
    fn set_jwks(&self, py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let keys = key_set(py, jwks)?;
        lock(&self.verifier)
            .replace_keys(keys)
            .map_err(|e| errors::to_py_err(py, &e))
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
        lock(&self.verifier).config_field(|_| 0, Verifier::cached_tokens)
    }

    /// How many keys the current key set holds.
    #[getter]
    fn key_count(&self) -> usize {
        lock(&self.verifier).config_field(|_| 0, Verifier::key_count)
    }

    #[getter]
    fn issuer(&self) -> String {
        lock(&self.verifier).config_field(|c| c.issuer.clone(), |v| v.issuer().to_owned())
    }

    #[getter]
    fn audience(&self) -> String {
        lock(&self.verifier).config_field(|c| c.audience.clone(), |v| v.audience().to_owned())
    }

    #[getter]
    fn leeway(&self) -> u64 {
        lock(&self.verifier).config_field(|c| c.leeway, Verifier::leeway)
    }

    fn __repr__(&self) -> String {
        format!(
            "OrgTokenVerifier(issuer={:?}, audience={:?}, keys={})",
            self.issuer(),
            self.audience(),
            self.key_count()
        )
    }
}
