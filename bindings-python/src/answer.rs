//! What the verifier keeps beside a token core's `Verifier` remembers, and the dict a call
//! answers.
//!
//! Core applies each call's requirement and says whether its answer is the same for every call
//! (`Answer::is_per_token`). Such an answer is converted to a dict once, kept beside the token
//! (its memo) and deep-copied on every call, so callers cannot alter what the next one gets;
//! the others (Keycloak tokens that list several orgs) are converted on every call.

use crate::{convert, errors};
use orgkit_core::token::{Answer, Remembered, Requirement};
use orgkit_core::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::sync::OnceLock;

/// The dict of a remembered token's per-token answer, made on its first call.
pub type Memo = OnceLock<Py<PyDict>>;

/// Core's answer to `req` as a dict of the caller's own.
pub fn reply<'py>(
    py: Python<'py>,
    token: &Remembered<Memo>,
    req: &Requirement,
) -> PyResult<Bound<'py, PyDict>> {
    let answer = token
        .authorize(req)
        .map_err(|e| errors::to_py_err(py, &e))?;
    if !answer.is_per_token() {
        return to_dict(py, &answer);
    }
    let template = match token.memo().get() {
        Some(template) => template,
        None => {
            let dict = to_dict(py, &answer)?.unbind();
            token.memo().get_or_init(|| dict)
        }
    };
    deep_copy(template.bind(py))
}

fn to_dict<'py>(py: Python<'py>, answer: &Answer<'_>) -> PyResult<Bound<'py, PyDict>> {
    let value = serde_json::to_value(answer)
        .map_err(|e| errors::to_py_err(py, &Error::new(ErrorCode::InvalidToken, e.to_string())))?;
    Ok(convert::to_py(py, &value)?.cast_into::<PyDict>()?)
}

/// A copy of a JSON-shaped dict in which every nested dict and list is copied too (a profiled
/// answer carries the provider's claims, nested objects included). The template came from
/// `convert::to_py` of a token's claims, so its depth is bounded by the JSON parser's.
fn deep_copy<'py>(dict: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    let copy = dict.copy()?;
    for (k, v) in dict.iter() {
        if let Some(fresh) = copy_container(&v)? {
            copy.set_item(k, fresh)?;
        }
    }
    Ok(copy)
}

/// A fresh copy of a dict or list value; `None` for immutable values (str, int, …).
fn copy_container<'py>(value: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = value.cast::<PyDict>() {
        return Ok(Some(deep_copy(d)?.into_any()));
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items = list
            .iter()
            .map(|item| Ok(copy_container(&item)?.unwrap_or(item)))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Some(PyList::new(value.py(), items)?.into_any()));
    }
    Ok(None)
}
