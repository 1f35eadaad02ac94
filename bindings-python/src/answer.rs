//! What the verifier's cache keeps per token, and how an answer becomes the dict handed out.
//!
//! The cache itself is core's `TokenCache` (when an entry may answer again); core's
//! `VerifiedToken::authorize` applies each call's requirement and says whether its answer is
//! the same for every call (`Answer::is_per_token`). Such answers are converted to a dict once
//! and copied on every hit, so callers cannot alter the cache; the others (Keycloak tokens that
//! list several orgs) are converted on every call.

use crate::{convert, errors};
use orgkit_core::token::{Answer, ProfileConfig, Requirement, VerifiedToken};
use orgkit_core::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// A verified token as the cache keeps it.
pub struct Entry {
    pub verified: VerifiedToken,
    /// The dict of the token's answer when it is the same for every call.
    pub template: Option<Py<PyDict>>,
}

/// What a call answers, worked out under the cache lock without running Python code; turned
/// into a dict by [`Reply::into_dict`] once the lock is released.
pub enum Reply {
    /// Copy this cached dict.
    Copy(Py<PyDict>),
    /// Convert these claims.
    Convert(Value),
}

fn answer_value(answer: &Answer<'_>) -> Result<Value, Error> {
    let value = match answer {
        Answer::Orgkit(claims) => serde_json::to_value(claims),
        Answer::Profiled(claims) => serde_json::to_value(claims),
        Answer::ForRequest(claims) => serde_json::to_value(claims),
    };
    value.map_err(|e| Error::new(ErrorCode::InvalidToken, e.to_string()))
}

impl Entry {
    /// The entry for a token just verified: its answer dict is built here when core says the
    /// answer does not depend on the call (the empty requirement asks for nothing).
    pub fn new(py: Python<'_>, verified: VerifiedToken, config: &ProfileConfig) -> PyResult<Entry> {
        let template = match verified.authorize(config, &Requirement::default()) {
            Ok(answer) if answer.is_per_token() => {
                let value = answer_value(&answer).map_err(|e| errors::to_py_err(py, &e))?;
                Some(convert::to_py(py, &value)?.cast_into::<PyDict>()?.unbind())
            }
            _ => None,
        };
        Ok(Entry { verified, template })
    }

    /// Applies the call's requirement (core's rule) and picks what to hand out.
    pub fn reply(
        &self,
        py: Python<'_>,
        config: &ProfileConfig,
        req: &Requirement,
    ) -> Result<Reply, Error> {
        let answer = self.verified.authorize(config, req)?;
        if answer.is_per_token()
            && let Some(template) = &self.template
        {
            return Ok(Reply::Copy(template.clone_ref(py)));
        }
        answer_value(&answer).map(Reply::Convert)
    }
}

impl Reply {
    /// The dict the caller gets, its own to change.
    pub fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        match self {
            Reply::Copy(template) => deep_copy(template.bind(py)),
            Reply::Convert(value) => Ok(convert::to_py(py, &value)?.cast_into::<PyDict>()?),
        }
    }
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
