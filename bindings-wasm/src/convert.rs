//! JS values in and out.
//!
//! Inputs go through `JSON.stringify` (called with a `catch`, so it can never throw through
//! Rust frames) and `serde_json`. This is deliberate: walking a hostile JS value field by field
//! (with serde-wasm-bindgen) calls getters and Proxy traps that may throw, and a JS exception that
//! unwinds through wasm frames leaves the module's shadow stack unbalanced. `JSON.stringify`
//! turns cycles, `BigInt`, throwing getters and over-deep values into one caught error, drops
//! `undefined` fields (so they read as absent), and serde_json bounds the nesting depth.
//! Outputs go the same way back: `serde_json` text, then `JSON.parse`, so they are plain objects
//! and numbers read exactly as any JS JSON parser reads them (a provider claim above 2^53
//! becomes the nearest double, as in every JS JWT library, instead of failing the call); they
//! are frozen where the guard shares them between calls.

use crate::error::invalid_request;
use orgkit_core::Error;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Converts a JS value to JSON text. `undefined`, functions and symbols read as `null`.
pub fn to_json(value: &JsValue, what: &str) -> Result<String, Error> {
    if value.is_undefined() {
        return Ok(NULL.to_owned());
    }
    let text = js_sys::JSON::stringify(value).map_err(|_| {
        invalid_request(format!("{what} is not JSON-compatible (a cycle, a BigInt, a throwing getter or too deep)"))
    })?;
    Ok(text.as_string().unwrap_or_else(|| NULL.to_owned()))
}

/// The JSON text of an absent value.
pub const NULL: &str = "null";

/// Parses JSON text answered by core into a plain JS value.
pub fn parse_js(text: &str) -> Result<JsValue, Error> {
    js_sys::JSON::parse(text).map_err(|_| invalid_request("cannot convert the result to JS"))
}

/// Converts a Rust value to a plain JS value (objects, arrays, numbers, strings).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value).map_err(|e| invalid_request(format!("cannot convert the result to JS: {e}")))?;
    parse_js(&text)
}

/// Freezes a value built by [`to_js`] and everything inside it, so that one object can be handed
/// to several callers without one changing what the next sees.
pub fn deep_freeze(value: &JsValue) {
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for inner in js_sys::Object::values(object).iter() {
            deep_freeze(&inner);
        }
        js_sys::Object::freeze(object);
    }
}
