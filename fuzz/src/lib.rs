//! What the fuzz targets share: the fixed test keys of `tests/vectors/keys`, the options the
//! vectors verify with, and the oracle "a token verifies only if its signed part is one we
//! signed" (the seed corpora hold every valid vector token; a mutant that verifies is a forgery).

use orgkit_core::token::{KeySet, VerifyOptions};
use std::collections::BTreeSet;

/// The public test JWKS (`test-rs256`, `test-es256`, `test-eddsa`).
pub const TEST_JWKS: &str = include_str!("../../tests/vectors/keys/test-jwks.json");

/// The key set every token target verifies against.
pub fn test_keys() -> KeySet {
    match KeySet::from_jwks_json(TEST_JWKS) {
        Ok(keys) => keys,
        Err(e) => unreachable!("the test JWKS is valid: {e}"),
    }
}

/// The vectors' verification options: the instant at which their valid tokens are valid.
pub fn test_options() -> VerifyOptions {
    VerifyOptions {
        issuer: "https://auth.test.orgkit.dev".to_owned(),
        audience: "orgkit".to_owned(),
        leeway: 30,
        now: 1_800_000_000,
    }
}

/// `header.payload` of every token in a vector file: the only signed parts that may verify.
pub fn signed_parts(vectors_json: &str) -> BTreeSet<String> {
    let mut parts = BTreeSet::new();
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(vectors_json) else {
        return parts;
    };
    collect(&doc, &mut parts);
    parts
}

fn collect(value: &serde_json::Value, parts: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) if s.matches('.').count() == 2 && s.starts_with("eyJ") => {
            if let Some((signed, _)) = s.rsplit_once('.') {
                parts.insert(signed.to_owned());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, parts)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, parts)),
        _ => {}
    }
}

/// Panics (a fuzz finding) when a token that is not one of the known signed ones verified.
pub fn assert_known(token: &str, known: &BTreeSet<String>) {
    let signed = token.rsplit_once('.').map(|(s, _)| s).unwrap_or(token);
    assert!(
        known.contains(signed),
        "a token nobody signed verified: {token}"
    );
}
