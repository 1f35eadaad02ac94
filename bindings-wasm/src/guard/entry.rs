//! What the guard remembers of a verified token (in core's `TokenCache`), and the JS value it
//! answers a request with.

use crate::convert::{deep_freeze, to_js};
use orgkit_core::Error;
use orgkit_core::token::{Answer, ProfileConfig, Requirement, VerifiedToken};
use std::cell::OnceCell;
use wasm_bindgen::JsValue;

/// A verified token and, once a request has been answered from it, its frozen JS claims when
/// they are the same for every request (core's `Answer::is_per_token`).
pub struct Entry {
    verified: VerifiedToken,
    js: OnceCell<JsValue>,
}

impl Entry {
    pub fn new(verified: VerifiedToken) -> Entry {
        Entry { verified, js: OnceCell::new() }
    }

    /// `exp`: how long the cache may keep the entry.
    pub fn exp(&self) -> i64 {
        self.verified.exp()
    }

    /// Core's answer to `requirement`, as a frozen JS object: the remembered one for a per-token
    /// answer (one conversion per token), a new one when the answer depends on the request.
    pub fn authorize(&self, config: &ProfileConfig, requirement: &Requirement) -> Result<JsValue, Error> {
        let answer = self.verified.authorize(config, requirement)?;
        if !answer.is_per_token() {
            return frozen(&answer);
        }
        if let Some(js) = self.js.get() {
            return Ok(js.clone());
        }
        let js = frozen(&answer)?;
        Ok(self.js.get_or_init(|| js).clone())
    }
}

/// Orgkit tokens answer their `OrgClaims` unchanged; other profiles their `ProfiledClaims`.
fn frozen(answer: &Answer<'_>) -> Result<JsValue, Error> {
    let js = match answer {
        Answer::Orgkit(claims) => to_js(claims)?,
        Answer::Profiled(claims) => to_js(claims)?,
        Answer::ForRequest(claims) => to_js(claims)?,
    };
    deep_freeze(&js);
    Ok(js)
}
