//! The `profile=` and `role_map=` arguments of a verifier, converted to core's `ProfileConfig`.
//!
//! Conversion only: a name becomes `{"name": ...}`, a dict is taken as it is, and core's serde
//! types, its input parsing (`ops::parse_input`) and `ProfileConfig::validate` decide what is
//! valid and with which code.

use crate::{convert, errors};
use orgkit_core::Role;
use orgkit_core::ops::parse_input;
use orgkit_core::token::{ClaimProfile, ProfileConfig};
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// `profile`: a profile name (`"auth0"`), a dict with `name` and the profile's options, or
/// `None` for orgkit's own claims; `role_map`: provider role name → orgkit role name.
pub fn profile_config(
    py: Python<'_>,
    profile: Option<&Bound<'_, PyAny>>,
    role_map: Option<&Bound<'_, PyAny>>,
) -> PyResult<ProfileConfig> {
    let profile_json = match profile {
        None => json!({ "name": "orgkit" }),
        Some(p) if p.is_none() => json!({ "name": "orgkit" }),
        Some(p) => match p.cast::<PyString>() {
            Ok(name) => json!({ "name": name.to_cow()? }),
            Err(_) => convert::to_json(p)?,
        },
    };
    let role_map_json = match role_map {
        Some(m) if !m.is_none() => convert::to_json(m)?,
        _ => Value::Object(serde_json::Map::new()),
    };
    let config = ProfileConfig {
        profile: parse_input::<ClaimProfile>(profile_json)
            .map_err(|e| errors::to_py_err(py, &e.with_field("profile")))?,
        role_map: parse_input::<BTreeMap<String, Role>>(role_map_json)
            .map_err(|e| errors::to_py_err(py, &e.with_field("role_map")))?,
    };
    config.validate().map_err(|e| errors::to_py_err(py, &e))?;
    Ok(config)
}
