//! `orgkit._orgkit`: the compiled half of the Python package `orgkit`.
//!
//! A thin pyo3 wrapper over `orgkit-core`: it converts Python values to JSON and back, maps
//! core errors to one exception class per family, and keeps core's verifier (keys, a claim
//! profile and a cache of verified tokens) across calls, behind a lock, fetching its JWKS
//! through Python. It holds no rule: every decision is core's.

mod answer;
mod convert;
mod errors;
mod jwks;
mod verifier;

use pyo3::prelude::*;
use pyo3::types::PyAny;

/// Runs core operation `op` on `input` (a JSON-shaped dict) and returns its JSON-shaped result.
#[pyfunction]
fn call<'py>(
    py: Python<'py>,
    op: String,
    input: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = convert::to_json(input)?;
    // Signing and verifying take the crypto path: let other Python threads run meanwhile.
    let result = py.detach(|| orgkit_core::ops::call(&op, input));
    match result {
        Ok(value) => convert::to_py(py, &value),
        Err(e) => Err(errors::to_py_err(py, &e)),
    }
}

/// Every error code with its family and HTTP status: `{code: (family, status)}`.
#[pyfunction]
fn error_table(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let table = pyo3::types::PyDict::new(py);
    for code in orgkit_core::ErrorCode::ALL {
        table.set_item(
            code.as_str(),
            (errors::family_name(code.family()), code.http_status()),
        )?;
    }
    Ok(table)
}

#[pymodule]
fn _orgkit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(error_table, m)?)?;
    m.add("OPERATIONS", orgkit_core::ops::OPERATIONS.to_vec())?;
    m.add("MAX_TOKEN_BYTES", orgkit_core::token::MAX_TOKEN_BYTES)?;
    m.add_class::<verifier::OrgTokenVerifier>()?;
    errors::register(py, m)?;
    Ok(())
}
