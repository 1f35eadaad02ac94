//! Runs the verifier scenarios of `tests/vectors/verifier.json` (see its README) against core's
//! `Verifier`, each step against the one verifier of its scenario, and prints the count the WASM
//! and Python runners must match.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: a panic is a failure report

mod common;

use common::{contains, vectors_dir};
use orgkit_core::Error;
use orgkit_core::ops::parse_input;
use orgkit_core::token::{KeySet, Requirement, Verifier, VerifierConfig};
use serde_json::{Value, json};

/// What a step or a construction answered, as the file spells expectations.
fn outcome(result: Result<Value, Error>) -> Value {
    match result {
        Ok(value) => json!({ "expect": value }),
        Err(e) => json!({ "error": e.code(), "field": e.field }),
    }
}

/// Whether `got` (from [`outcome`]) meets the step's `expect` or `error` (and `field`).
fn meets(got: &Value, step: &Value) -> bool {
    match (step.get("expect"), step.get("error")) {
        (Some(expected), None) => got.get("expect").is_some_and(|v| contains(v, expected)),
        (None, Some(code)) => {
            got["error"] == *code && step.get("field").is_none_or(|f| got["field"] == *f)
        }
        // A key replacement without `error` must succeed.
        (None, None) => step.get("replace_jwks").is_some() && got.get("expect").is_some(),
        _ => panic!("a step expects one of `expect` and `error`: {step}"),
    }
}

fn run_scenario(doc: &Value, scenario: &Value) -> Result<usize, String> {
    let jwks = |name: &Value| &doc["jwks"][name.as_str().expect("a JWKS name")];
    let built = VerifierConfig::from_json(scenario["config"].clone()).and_then(|config| {
        Verifier::<()>::new(config, KeySet::from_jwks(jwks(&scenario["jwks"]))?)
    });
    let mut verifier = match built {
        Err(e) if scenario.get("error").is_some() => {
            let got = outcome(Err(e));
            let problem = if meets(&got, scenario) {
                None
            } else {
                Some(got)
            };
            return problem.map_or(Ok(0), |got| Err(format!("built: {got}")));
        }
        Err(e) => {
            return Err(format!(
                "not built: {} {:?} {}",
                e.code(),
                e.field,
                e.message
            ));
        }
        Ok(_) if scenario.get("error").is_some() => return Err("built, expected an error".into()),
        Ok(verifier) => verifier,
    };
    let steps = scenario["steps"].as_array().expect("steps");
    for (i, step) in steps.iter().enumerate() {
        let result = if let Some(name) = step.get("replace_jwks") {
            KeySet::from_jwks(jwks(name)).map(|keys| {
                verifier.replace_keys(keys);
                json!({})
            })
        } else {
            let token = doc["tokens"][step["verify"].as_str().expect("a token name")]
                .as_str()
                .expect("a token");
            let now = step["now"].as_i64().expect("now");
            parse_input::<Requirement>(step.get("require").cloned().unwrap_or(json!({}))).and_then(
                |req| {
                    let remembered = verifier.verify(token, now)?;
                    let answer = remembered.authorize(&req)?;
                    Ok(serde_json::to_value(answer).unwrap())
                },
            )
        };
        let got = outcome(result);
        let cached_ok = step
            .get("cached")
            .is_none_or(|n| n.as_u64() == Some(verifier.cached_tokens() as u64));
        if !meets(&got, step) || !cached_ok {
            return Err(format!(
                "step {i} {step}: answered {got}, {} tokens cached",
                verifier.cached_tokens()
            ));
        }
    }
    Ok(steps.len())
}

#[test]
fn every_verifier_scenario_passes() {
    let text = std::fs::read_to_string(vectors_dir().join("verifier.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let scenarios = doc["scenarios"].as_array().expect("scenarios");
    let (mut steps, mut failures) = (0, Vec::new());
    for scenario in scenarios {
        match run_scenario(&doc, scenario) {
            Ok(n) => steps += n,
            Err(problem) => failures.push(format!("{}: {problem}", scenario["name"])),
        }
    }
    println!(
        "core verifier scenarios: {} run ({steps} steps), {} failed",
        scenarios.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(scenarios.len() >= 20, "expected at least 20 scenarios");
}
