//! `OrgGuard`: a verifier built once from a JWKS, issuer, audience, leeway and claim profile,
//! that answers the verified claims of a request's bearer token or throws an `OrgkitError`.
//!
//! Verification, the claim profiles, the requirement check and when a verified token may be
//! reused are core's (`verify_token`, `VerifiedToken::authorize`, `TokenCache`); the guard adds
//! only what a long-lived JS object needs: reading the token out of a `Request`, the clock
//! (`Date.now()` when the caller gives no `now`) and the frozen JS answers.

mod entry;
mod input;
mod profile;

use crate::convert::{NULL, to_json};
use crate::error::{self, JsResult};
use entry::Entry;
use orgkit_core::token::{
    KeySet, MAX_LEEWAY_SECONDS, MAX_TOKEN_BYTES, ProfileConfig, Requirement, TokenCache, VerifyOptions, token_hash,
    verify_token,
};
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
#[derive(Deserialize, tsify::Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OrgGuardConfig {
    /// The issuer's JWKS, as an object or its JSON text.
    #[tsify(type = "Jwks | string")]
    jwks: Value,
    /// The exact `iss` required.
    issuer: String,
    /// The `aud` required.
    audience: String,
    /// Clock-skew allowance in seconds (at most 300).
    #[serde(default)]
    leeway: u64,
    /// Verified tokens remembered (default 1024, 0 disables the cache).
    #[serde(default = "default_cache_size")]
    cache_size: usize,
    /// Whose claim layout the tokens carry (default `"orgkit"`): a profile name, or the profile
    /// with its options in camelCase (`{ name: "auth0", rolesClaim }`, `{ name: "custom", orgId, … }`).
    /// With any profile but orgkit's (or with a `roleMap`), `authorize` answers `ProfiledClaims`.
    #[serde(default)]
    #[tsify(type = "GuardProfile")]
    profile: Option<Value>,
    /// Provider role name → orgkit role, over the profile's defaults (e.g. `{ "org:billing": "member" }`).
    #[serde(default)]
    #[tsify(type = "Record<string, Role>")]
    role_map: Option<Value>,
}

fn default_cache_size() -> usize {
    DEFAULT_CACHE_SIZE
}

/// `guard.authorize(input, options)`: the requirement, with role and permission as names.
#[derive(Deserialize, Default, tsify::Tsify)]
#[serde(deny_unknown_fields)]
struct AuthorizeOptions {
    /// The org the request is about: its id or slug.
    #[serde(default)]
    #[tsify(optional)]
    org: Option<String>,
    /// The minimum role.
    #[serde(default)]
    #[tsify(optional, type = "Role")]
    role: Option<String>,
    /// A permission the role must carry.
    #[serde(default)]
    #[tsify(optional, type = "Permission")]
    permission: Option<String>,
    /// Now, unix seconds (default `Date.now() / 1000`).
    #[serde(default)]
    #[tsify(optional)]
    now: Option<f64>,
}

/// Verifies access tokens of one issuer and audience — orgkit's, or another provider's through
/// a claim profile — and requires an org, a role or a permission of them. Tokens already
/// verified are remembered (keyed by their SHA-256, never past their `exp`) so a repeated token
/// costs a hash and a lookup; the requirement is checked on every call.
#[wasm_bindgen]
pub struct OrgGuard {
    keys: RefCell<KeySet>,
    issuer: String,
    audience: String,
    leeway: u64,
    profile: ProfileConfig,
    cache: RefCell<TokenCache<Entry>>,
}

#[wasm_bindgen]
impl OrgGuard {
    /// `new OrgGuard({ jwks, issuer, audience, leeway?, cacheSize?, profile?, roleMap? })`; `jwks`
    /// is a JWKS object or its JSON text, `profile` a profile name (`"clerk-v1"`) or an object
    /// (`{ name: "auth0", rolesClaim }`), `roleMap` provider role names → orgkit roles. Throws
    /// `OrgkitError` (`invalid_key`, `unknown_field`, `invalid_request`, `invalid_role`).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "OrgGuardConfig")] config: JsValue) -> JsResult<OrgGuard> {
        Self::build(&config).map_err(error::to_js)
    }

    fn build(config: &JsValue) -> Result<OrgGuard, Error> {
        let config: OrgGuardConfig = orgkit_core::ops::parse_input_text(&to_json(config, "the guard config")?)?;
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
            profile: profile::profile_config(config.profile, config.role_map)?,
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
        let keys = to_json(&jwks, "the JWKS")
            .and_then(|text| orgkit_core::ops::parse_input_text(&text))
            .and_then(|jwks: Value| key_set(&jwks))
            .map_err(error::to_js)?;
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
    /// claims as a frozen object — the token's `OrgClaims` for the orgkit profile, core's
    /// `ProfiledClaims` for the others — or throws `OrgkitError` with core's code.
    #[wasm_bindgen(unchecked_return_type = "OrgClaims | ProfiledClaims")]
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
        let options = to_json(options, "the options object")?;
        let options: AuthorizeOptions = match options.as_str() {
            NULL => AuthorizeOptions::default(),
            options => orgkit_core::ops::parse_input_text(options)?,
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
        let generation = {
            let mut cache = self.cache.borrow_mut();
            if let Some(hit) = hash.as_ref().and_then(|hash| cache.get(hash, now)) {
                return hit.authorize(&self.profile, &requirement);
            }
            cache.generation()
        };
        let opts = VerifyOptions { issuer: self.issuer.clone(), audience: self.audience.clone(), leeway: self.leeway, now };
        let entry = Entry::new(verify_token(&token, &self.keys.borrow(), &opts, &self.profile)?);
        let answer = entry.authorize(&self.profile, &requirement);
        // Cached whatever this requirement says: a token that fails it may meet the next one.
        if let Some(hash) = hash {
            let exp = entry.exp();
            self.cache.borrow_mut().insert(hash, entry, exp, now, generation);
        }
        answer
    }
}

fn key_set(jwks: &Value) -> Result<KeySet, Error> {
    match jwks {
        Value::String(text) => KeySet::from_jwks_json(text),
        other => KeySet::from_jwks(other),
    }
}
