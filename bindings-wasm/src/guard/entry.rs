//! What the guard keeps beside a token core's `Verifier` remembers — its frozen JS answer, when
//! that answer is the same for every request — and the JS value a request is answered with.

use crate::convert::{deep_freeze, to_js};
use orgkit_core::Error;
use orgkit_core::token::{Answer, Remembered, Requirement};
use std::cell::OnceCell;
use wasm_bindgen::JsValue;

/// The frozen JS claims of a remembered token, made on its first per-token answer.
pub type Memo = OnceCell<JsValue>;

/// Core's answer to `requirement`, as a frozen JS object: the remembered one for a per-token
/// answer (one conversion per token), a new one when the answer depends on the request.
pub fn answer(token: &Remembered<Memo>, requirement: &Requirement) -> Result<JsValue, Error> {
    let answer = token.authorize(requirement)?;
    if !answer.is_per_token() {
        return frozen(&answer);
    }
    if let Some(js) = token.memo().get() {
        return Ok(js.clone());
    }
    let js = frozen(&answer)?;
    Ok(token.memo().get_or_init(|| js).clone())
}

/// Orgkit tokens answer their `OrgClaims` unchanged; other profiles their `ProfiledClaims`.
fn frozen(answer: &Answer<'_>) -> Result<JsValue, Error> {
    let js = to_js(answer)?;
    deep_freeze(&js);
    Ok(js)
}
