//! Finding the bearer token in what `authorize` was given. Every JS access here goes through a
//! `catch`ing binding, so a hostile getter or Proxy becomes a coded error, never an exception
//! unwinding through Rust.

use crate::error::invalid_request;
use orgkit_core::Error;
use orgkit_core::token::parse_bearer;
use wasm_bindgen::prelude::*;

/// The token in a `Request` (or any object with `headers`), an `Authorization` header value
/// (a string with a space in it) or a bare token. Core's `parse_bearer` judges header values.
pub fn bearer_token(input: &JsValue) -> Result<String, Error> {
    if let Some(text) = input.as_string() {
        return from_string(&text);
    }
    if !input.is_object() {
        return Err(not_a_request());
    }
    let headers = get(input, "headers")?;
    if !headers.is_object() {
        return Err(not_a_request());
    }
    let value = match get(&headers, "get")?.dyn_into::<js_sys::Function>() {
        // A `Headers` object (fetch `Request`): header names are case-insensitive.
        Ok(get_header) => get_header
            .call1(&headers, &JsValue::from_str("authorization"))
            .map_err(|_| invalid_request("reading the Authorization header threw"))?,
        // A plain object (Node's `IncomingMessage.headers`): names are lower case.
        Err(_) => get(&headers, "authorization")?,
    };
    match value.as_string() {
        Some(header) => parse_bearer(&header).map(str::to_owned),
        None if value.is_null() || value.is_undefined() => parse_bearer("").map(str::to_owned),
        None => Err(invalid_request("the Authorization header is not a string")),
    }
}

fn from_string(text: &str) -> Result<String, Error> {
    if text.trim().is_empty() || text.trim().contains(char::is_whitespace) {
        parse_bearer(text).map(str::to_owned)
    } else {
        Ok(text.trim().to_owned())
    }
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, Error> {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).map_err(|_| invalid_request(format!("reading {key} threw")))
}

fn not_a_request() -> Error {
    invalid_request("expected a Request, an Authorization header value or a token")
}
