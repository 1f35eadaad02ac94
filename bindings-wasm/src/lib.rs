//! # orgkit-wasm
//!
//! orgkit's policy core for edge workers, Deno, browsers and Node (npm package `orgkit`).
//! This crate converts and renames; every rule lives in `orgkit-core`.
//!
//! - [`call`]: any core operation by its snake_case name, JSON in, JSON out.
//! - One camelCase function per operation (`validateSlug`, `verifyOrgToken`, …), see [`ops`].
//! - [`OrgGuard`]: verifies bearer tokens against a JWKS and requires an org, a role or a
//!   permission, with a bounded cache of verified tokens.
//!
//! Without the `ops` feature the module is the guard alone (the package's `orgkit/guard`).
//!
//! Every failure is thrown as an `OrgkitError` (a JS `Error` subclass) carrying core's `code`.

mod convert;
mod error;
mod guard;
#[cfg(feature = "node_crypto")]
mod node_crypto;
#[cfg(feature = "ops")]
pub mod ops;
mod types;

pub use guard::OrgGuard;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: the nodejs build makes `node:crypto` its signature
/// backend before any key is used.
#[cfg(feature = "node_crypto")]
#[wasm_bindgen(start)]
fn start() {
    node_crypto::install();
}

/// Runs core operation `op` (snake_case, one of [`operations`]) on `input` and answers its JSON
/// result; throws an `OrgkitError` with core's code on any failure, including a wrong JS type.
#[cfg(feature = "ops")]
#[wasm_bindgen(skip_typescript)]
pub fn call(op: JsValue, input: JsValue) -> error::JsResult {
    let Some(op) = op.as_string() else {
        return Err(error::to_js(error::invalid_request("the operation name must be a string")));
    };
    ops::run(&op, &input)
}

/// The names of every operation [`call`] accepts, as core lists them.
#[cfg(feature = "ops")]
#[wasm_bindgen(unchecked_return_type = "OperationName[]")]
pub fn operations() -> Vec<String> {
    orgkit_core::ops::OPERATIONS.iter().map(|s| (*s).to_owned()).collect()
}

/// Core operation `should_fetch_jwks` in the guard-only build (the full build has it among every
/// operation): whether a host that fetches its JWKS (the package's `RemoteOrgGuard`) may fetch
/// it now. Core's policy answers; it is called directly rather than through `call_json`, whose
/// table of every operation would double the guard module (the JSON vectors check both builds).
#[cfg(not(feature = "ops"))]
#[wasm_bindgen(js_name = shouldFetchJwks, unchecked_return_type = "JwksFetchDecision")]
pub fn should_fetch_jwks(#[wasm_bindgen(unchecked_param_type = "JwksFetchInput")] input: JsValue) -> error::JsResult {
    use orgkit_core::ops::io::{JwksFetchDecision, JwksFetchInput};
    let decide = || -> Result<JwksFetchDecision, orgkit_core::Error> {
        let input: JwksFetchInput = orgkit_core::ops::parse_input_text(&convert::to_json(&input, "the input")?)?;
        input.policy.validate()?;
        Ok(JwksFetchDecision { fetch: input.policy.should_fetch(&input.state, input.need, input.now) })
    };
    decide().and_then(|decision| convert::to_js(&decision)).map_err(error::to_js)
}

/// Every error code an `OrgkitError` can carry.
#[wasm_bindgen(js_name = allErrorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn all_error_codes() -> Vec<String> {
    orgkit_core::all_codes().into_iter().map(str::to_owned).collect()
}
