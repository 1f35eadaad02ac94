//! `OrgGuard`: core's `Verifier` for JS — built once from a JWKS, issuer, audience, leeway and
//! claim profile, it answers the verified claims of a request's bearer token or throws an
//! `OrgkitError`.
//!
//! The configuration, verification, the claim profiles, the requirement check, the cache and
//! what survives a key rotation are core's (`VerifierConfig`, `Verifier`); the guard adds only
//! what a JS object needs: renaming its camelCase options, reading the token out of a
//! `Request`, the clock (`Date.now()` when the caller gives no `now`) and frozen JS answers.

mod config;
mod entry;
mod input;
mod slot;

use crate::convert::{NULL, to_json};
use crate::error::{self, JsResult};
use config::js_field;
use entry::Memo;
use orgkit_core::token::{KeySet, Lookup, Requirement};
use orgkit_core::{Error, Permission, Role};
use serde::Deserialize;
use serde_json::Value;
use slot::Slot;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

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
    /// Borrowed only for core's short cache steps, never while JS code or a signature runs.
    verifier: RefCell<Slot>,
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
        let (jwks, config) = config::read(&to_json(config, "the guard config")?)?;
        let jwks = jwks.ok_or_else(|| error::invalid_request("missing field `jwks`").with_field("jwks"))?;
        let mut slot = Slot::Waiting(config);
        slot.replace_keys(key_set(&jwks)?).map_err(js_field)?;
        Ok(OrgGuard { verifier: RefCell::new(slot) })
    }

    /// `OrgGuard.keyless({ issuer, audience, … })`: a guard without keys yet, its config
    /// checked now (the same errors as the constructor; a `jwks` given is used). Until `setJwks`
    /// gives it keys, `authorize` throws `unknown_key`. A `RemoteOrgGuard` starts this way, so
    /// that a bad config fails at construction and a JWKS endpoint that is down does not.
    pub fn keyless(#[wasm_bindgen(unchecked_param_type = "Omit<OrgGuardConfig, \"jwks\"> & { jwks?: Jwks | string }")] config: JsValue) -> JsResult<OrgGuard> {
        Self::build_keyless(&config).map_err(error::to_js)
    }

    fn build_keyless(config: &JsValue) -> Result<OrgGuard, Error> {
        let (jwks, config) = config::read(&to_json(config, "the guard config")?)?;
        config.validate().map_err(js_field)?;
        let mut slot = Slot::Waiting(config);
        if let Some(jwks) = jwks {
            slot.replace_keys(key_set(&jwks)?).map_err(js_field)?;
        }
        Ok(OrgGuard { verifier: RefCell::new(slot) })
    }

    /// Replaces the key set (key rotation). Tokens remembered stay only when the new keys would
    /// verify them with the same key (core's rule); the others are verified again. On an
    /// unusable JWKS it throws `invalid_key` and keeps the old keys.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&self, #[wasm_bindgen(unchecked_param_type = "Jwks | string")] jwks: JsValue) -> JsResult<()> {
        let keys = to_json(&jwks, "the JWKS")
            .and_then(|text| orgkit_core::ops::parse_input_text(&text))
            .and_then(|jwks: Value| key_set(&jwks))
            .map_err(error::to_js)?;
        self.verifier.borrow_mut().replace_keys(keys).map_err(|e| error::to_js(js_field(e)))
    }

    /// How many verified tokens the cache holds now.
    #[wasm_bindgen(getter, js_name = cachedTokens)]
    pub fn cached_tokens(&self) -> usize {
        self.verifier.borrow().cached_tokens()
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

        // Core's verification in its three steps, so that no borrow is held while the signature
        // is checked (the nodejs build calls node:crypto) or the answer is built in JS.
        let lookup = self.verifier.borrow_mut().lookup(&token, now)?;
        let token = match lookup {
            Lookup::Hit(token) => token,
            Lookup::Miss(pending) => {
                let checked = pending.run()?;
                match &mut *self.verifier.borrow_mut() {
                    Slot::Ready(verifier) => verifier.remember(&pending, checked, Memo::default()),
                    Slot::Waiting(_) => return Err(slot::no_keys_yet()),
                }
            }
        };
        entry::answer(&token, &requirement)
    }
}

fn key_set(jwks: &Value) -> Result<KeySet, Error> {
    match jwks {
        Value::String(text) => KeySet::from_jwks_json(text),
        other => KeySet::from_jwks(other),
    }
}
