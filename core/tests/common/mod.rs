//! What the vector runners share: the README's "contains" rule and where the vectors are.

use serde_json::Value;
use std::path::PathBuf;

/// `tests/vectors` of the repository.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// `expected` is contained in `actual`: objects by key (recursively), everything else exactly.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| contains(av, ev))),
        _ => actual == expected,
    }
}
