//! The one place where core errors become Python exceptions.
//!
//! `OrgkitError(ValueError)` carries `.code` (core's snake_case code), `.message`, `.field` and
//! `.status` (the HTTP status core assigns to the code); each error family has its own subclass so
//! callers can `except TokenError` without listing codes.

use orgkit_core::{Error, Family};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    orgkit,
    OrgkitError,
    PyValueError,
    "An orgkit error: `.code` is core's stable code."
);
create_exception!(
    orgkit,
    RequestError,
    OrgkitError,
    "Malformed or out-of-range input."
);
create_exception!(
    orgkit,
    TokenError,
    OrgkitError,
    "Token parsing, signature, time, issuer or audience."
);
create_exception!(
    orgkit,
    OrgPermissionError,
    OrgkitError,
    "Org, role and membership checks."
);
create_exception!(
    orgkit,
    InvitationError,
    OrgkitError,
    "Invitation lifecycle."
);
create_exception!(
    orgkit,
    SettingsError,
    OrgkitError,
    "Settings validation and tenant floors."
);
create_exception!(
    orgkit,
    LoginError,
    OrgkitError,
    "Login policy: credentials, lockout, MFA, connections."
);
create_exception!(
    orgkit,
    ResourceError,
    OrgkitError,
    "Conflicts, missing records, host failures."
);

/// The lowercase name of a family, as `error_table()` reports it.
pub fn family_name(family: Family) -> &'static str {
    match family {
        Family::Request => "request",
        Family::Token => "token",
        Family::Permission => "permission",
        Family::Invitation => "invitation",
        Family::Settings => "settings",
        Family::Login => "login",
        Family::Resource => "resource",
    }
}

fn class_of(py: Python<'_>, family: Family) -> Bound<'_, PyType> {
    match family {
        Family::Request => py.get_type::<RequestError>(),
        Family::Token => py.get_type::<TokenError>(),
        Family::Permission => py.get_type::<OrgPermissionError>(),
        Family::Invitation => py.get_type::<InvitationError>(),
        Family::Settings => py.get_type::<SettingsError>(),
        Family::Login => py.get_type::<LoginError>(),
        Family::Resource => py.get_type::<ResourceError>(),
    }
}

/// The exception for a core error, with its structured fields set.
pub fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let value =
            class_of(py, e.code.family())
                .call1((format!("{}: {}", e.code.as_str(), e.message),))?;
        value.setattr("code", e.code.as_str())?;
        value.setattr("message", e.message.as_str())?;
        value.setattr("field", e.field.as_deref())?;
        value.setattr("status", e.code.http_status())?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|err| err)
}

/// Adds the exception classes to the module.
pub fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("OrgkitError", py.get_type::<OrgkitError>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    m.add("TokenError", py.get_type::<TokenError>())?;
    m.add("OrgPermissionError", py.get_type::<OrgPermissionError>())?;
    m.add("InvitationError", py.get_type::<InvitationError>())?;
    m.add("SettingsError", py.get_type::<SettingsError>())?;
    m.add("LoginError", py.get_type::<LoginError>())?;
    m.add("ResourceError", py.get_type::<ResourceError>())?;
    Ok(())
}
