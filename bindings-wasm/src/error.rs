//! The one place where core's [`Error`] becomes a JS value: an `OrgkitError` (a subclass of
//! `Error`, defined in `js/orgkit_error.js`) carrying core's `code`, `field`, HTTP `status` and
//! `family` unchanged.

use orgkit_core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/orgkit_error.js")]
extern "C" {
    /// The JS `OrgkitError` class.
    #[wasm_bindgen(js_name = OrgkitError)]
    pub type JsOrgkitError;

    #[wasm_bindgen(constructor, js_class = "OrgkitError")]
    fn new(code: &str, message: &str, field: Option<String>, status: u16, family: &str) -> JsOrgkitError;
}

/// Converts a core error into the `OrgkitError` thrown to JS.
pub fn to_js(error: Error) -> JsValue {
    let family = serde_json::to_value(error.code.family()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    JsOrgkitError::new(error.code(), &error.message, error.field, error.code.http_status(), &family).into()
}

/// An `invalid_request` error for a value of the wrong JS type.
pub fn invalid_request(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidRequest, message)
}

/// `Result` whose error is thrown to JS as an `OrgkitError`.
pub type JsResult<T = JsValue> = std::result::Result<T, JsValue>;
