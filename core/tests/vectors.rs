//! Runs every shared vector in `tests/vectors/*.json` through `ops::call`, prints the count,
//! and fails if any vector fails or any core-decided error code has no vector.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: a panic is a failure report

mod common;

use common::contains;
use orgkit_core::{ErrorCode, Origin, ops};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The files of per-operation vectors: every `tests/vectors/*.json` with a `vectors` list (the
/// verifier's scenarios, `scenarios`, run in `verifier_vectors.rs`).
fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            assert!(
                doc.get("vectors").is_some() != doc.get("scenarios").is_some(),
                "{}: a vector file holds exactly one of `vectors` and `scenarios`",
                p.display()
            );
            doc.get("vectors").is_some()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_vector_passes_and_every_core_code_is_covered() {
    let mut run = 0;
    let mut failures = Vec::new();
    let mut codes_seen = BTreeSet::new();
    let mut names = BTreeSet::new();
    for file in vector_files() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let fname = file.file_name().unwrap().to_string_lossy().to_string();
        for v in doc["vectors"].as_array().expect("vectors array") {
            run += 1;
            let name = v["name"].as_str().expect("name");
            assert!(
                names.insert(format!("{fname}/{name}")),
                "duplicate vector name {fname}/{name}"
            );
            let op = v["op"].as_str().expect("op");
            assert!(ops::OPERATIONS.contains(&op), "{name}: unknown op {op}");
            // Both entry points run every vector: `call` on a JSON value and `call_json` on its
            // text (the WASM module's path). Signatures may be randomised (ECDSA), so each answer
            // is held to the vector, not to the other.
            let from_value = ops::call(op, v["input"].clone());
            let from_text = ops::call_json(op, &v["input"].to_string())
                .map(|text| serde_json::from_str::<Value>(&text).unwrap());
            let mut outcome = Ok(());
            for (entry, result) in [("call", from_value), ("call_json", from_text)] {
                match (&result, v.get("output"), v.get("error")) {
                    (Ok(out), Some(expected), None) if contains(out, expected) => {}
                    (Err(e), None, Some(code)) if code == e.code() => {
                        codes_seen.insert(e.code());
                    }
                    _ => {
                        outcome = Err(format!(
                            "{fname} / {name}: {entry} answered {result:?}, expected output {:?} error {:?}",
                            v.get("output"),
                            v.get("error")
                        ))
                    }
                }
            }
            if let Err(f) = outcome {
                failures.push(f);
            }
        }
    }
    let core_codes: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| c.origin() == Origin::Core)
        .map(|c| c.as_str())
        .collect();
    let uncovered: Vec<&&str> = core_codes
        .iter()
        .filter(|c| !codes_seen.contains(**c))
        .collect();
    println!(
        "core vectors: {run} run, {} passed, {} failed; core error codes covered: {}/{}",
        run - failures.len(),
        failures.len(),
        core_codes.len() - uncovered.len(),
        core_codes.len()
    );
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        uncovered.is_empty(),
        "error codes with no vector: {uncovered:?}"
    );
    assert!(run >= 200, "expected at least 200 vectors, ran {run}");
}

#[test]
fn every_operation_has_a_vector() {
    let mut used = BTreeSet::new();
    for file in vector_files() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            used.insert(v["op"].as_str().unwrap().to_owned());
        }
    }
    let missing: Vec<&&str> = ops::OPERATIONS
        .iter()
        .filter(|op| !used.contains(**op) && **op != "error_codes")
        .collect();
    assert!(
        missing.is_empty(),
        "operations without vectors: {missing:?}"
    );
}
