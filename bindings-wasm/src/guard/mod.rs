//! `OrgGuard`: a verifier built once from a JWKS, issuer, audience and leeway, that answers the
//! verified claims of a request's bearer token or throws an `OrgkitError`.
//!
//! Verification and requirement checks are core's (`verify_org_token`, `OrgClaims::require`);
//! the guard adds only what a long-lived JS object needs: reading the token out of a `Request`,
//! the clock (`Date.now()` when the caller gives no `now`) and a cache of verified tokens.

mod cache;
mod input;

use crate::convert::{deep_freeze, to_js, to_json};
use crate::error::{self, JsResult};
use cache::{TokenCache, Verified, token_hash};
use orgkit_core::token::{KeySet, MAX_LEEWAY_SECONDS, MAX_TOKEN_BYTES, Requirement, VerifyOptions, verify_org_token};
use orgkit_core::{Error, ErrorCode, Permission, Role};
use serde::Deserialize;
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Entries the verified-token cache holds unless the config says otherwise.
const DEFAULT_CACHE_SIZE: usize = 1024;
/// Largest cache a config may ask for.
const MAX_CACHE_SIZE: usize = 100_000;

/// `new OrgGuard(config)`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GuardConfig {
    jwks: Value,
    issuer: String,
    audience: String,
    #[serde(default)]
    leeway: u64,
    #[serde(default = "default_cache_size")]
    cache_size: usize,
}

fn default_cache_size() -> usize {
    DEFAULT_CACHE_SIZE
}

/// `guard.authorize(input, options)`: the requirement, with role and permission as names.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AuthorizeOptions {
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    permission: Option<String>,
    #[serde(default)]
    now: Option<f64>,
}

/// Verifies org access tokens for one issuer and audience, and requires an org, a role or a
/// permission of them. Tokens already verified are remembered (keyed by their SHA-256, never
/// past their `exp`) so a repeated token costs a hash and a lookup; the requirement is checked
/// on every call.
#[wasm_bindgen]
pub struct OrgGuard {
    keys: RefCell<KeySet>,
    issuer: String,
    audience: String,
    leeway: u64,
    cache: RefCell<TokenCache>,
}

#[wasm_bindgen]
impl OrgGuard {
    /// `new OrgGuard({ jwks, issuer, audience, leeway?, cacheSize? })`; `jwks` is a JWKS object or
    /// its JSON text. Throws `OrgkitError` (`invalid_key`, `unknown_field`, `invalid_request`).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "OrgGuardConfig")] config: JsValue) -> JsResult<OrgGuard> {
        Self::build(&config).map_err(error::to_js)
    }

    fn build(config: &JsValue) -> Result<OrgGuard, Error> {
        let config: GuardConfig = orgkit_core::ops::parse_input(to_json(config, "the guard config")?)?;
        if config.leeway > MAX_LEEWAY_SECONDS {
            // Core refuses such options on every verification; refuse them once, up front.
            return Err(Error::new(ErrorCode::InvalidRequest, format!("leeway must be at most {MAX_LEEWAY_SECONDS} seconds"))
                .with_field("leeway"));
        }
        if config.cache_size > MAX_CACHE_SIZE {
            return Err(Error::new(ErrorCode::InvalidRequest, format!("cacheSize must be at most {MAX_CACHE_SIZE}"))
                .with_field("cacheSize"));
        }
        Ok(OrgGuard {
            keys: RefCell::new(key_set(&config.jwks)?),
            issuer: config.issuer,
            audience: config.audience,
            leeway: config.leeway,
            cache: RefCell::new(TokenCache::new(config.cache_size)),
        })
    }

    /// Replaces the key set (key rotation) and forgets every token the old keys verified.
    /// On an unusable JWKS it throws `invalid_key` and keeps the old keys.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&self, #[wasm_bindgen(unchecked_param_type = "Jwks | string")] jwks: JsValue) -> JsResult<()> {
        let keys = to_json(&jwks, "the JWKS").and_then(|v| key_set(&v)).map_err(error::to_js)?;
        *self.keys.borrow_mut() = keys;
        self.cache.borrow_mut().clear();
        Ok(())
    }

    /// How many verified tokens the cache holds now.
    #[wasm_bindgen(getter, js_name = cachedTokens)]
    pub fn cached_tokens(&self) -> usize {
        self.cache.borrow().len()
    }

    /// Verifies the bearer token of `input` (a `Request`, anything with `headers`, an
    /// `Authorization` header value or a bare token) at `options.now` (default: the clock) and
    /// requires `options.org`, `options.role` and `options.permission`. Answers the verified
    /// claims (a frozen object) or throws `OrgkitError` with core's code.
    #[wasm_bindgen(unchecked_return_type = "OrgClaims")]
    pub fn authorize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request | { headers: unknown } | string")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthorizeOptions")] options: JsValue,
    ) -> JsResult {
        self.authorize_inner(&input, &options).map_err(error::to_js)
    }

    fn authorize_inner(&self, input: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
        // Read everything from JS first: no borrow is held while JS code (getters) runs.
        let token = input::bearer_token(input)?;
        let options: AuthorizeOptions = match to_json(options, "the options object")? {
            Value::Null => AuthorizeOptions::default(),
            options => orgkit_core::ops::parse_input(options)?,
        };
        let requirement = Requirement {
            org: options.org,
            role: options.role.as_deref().map(Role::parse).transpose()?,
            permission: options.permission.as_deref().map(Permission::parse).transpose()?,
        };
        let now = match options.now {
            Some(now) => now,
            None => js_sys::Date::now() / 1000.0,
        }
        .floor();
        // `as` saturates; JSON carries no NaN or infinity.
        #[allow(clippy::cast_possible_truncation)]
        let now = now as i64;

        let hash = (token.len() <= MAX_TOKEN_BYTES).then(|| token_hash(&token));
        if let Some(hash) = &hash {
            let mut cache = self.cache.borrow_mut();
            if let Some(hit) = cache.get(hash, now) {
                hit.claims.require(&requirement)?;
                return Ok(hit.js.clone());
            }
        }
        let opts = VerifyOptions { issuer: self.issuer.clone(), audience: self.audience.clone(), leeway: self.leeway, now };
        let claims = verify_org_token(&token, &self.keys.borrow(), &opts, &Requirement::default())?;
        let js = to_js(&claims)?;
        deep_freeze(&js);
        // Cache first: a token that fails this requirement may meet the next one.
        let requirement_met = claims.require(&requirement);
        let answer = js.clone();
        if let Some(hash) = hash {
            self.cache.borrow_mut().insert(hash, Verified { claims, js, verified_at: now }, now);
        }
        requirement_met.map(|()| answer)
    }
}

fn key_set(jwks: &Value) -> Result<KeySet, Error> {
    match jwks {
        Value::String(text) => KeySet::from_jwks_json(text),
        other => KeySet::from_jwks(other),
    }
}
