//! Tenant floors: the least strict value an org may have for a security setting.

use super::SettingsLayer;
use super::patch::{Patch, SettingsPatch, object, unknown_field};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Minimum strictness for every org of a tenant. Each field, when set, bounds the org's
/// effective value in the stricter direction:
///
/// | floor | an org's value must be |
/// |---|---|
/// | `password_min_length` | at least the floor |
/// | `require_mfa: true` | `true` |
/// | `max_login_attempts` | at most the floor |
/// | `session_ttl_hours` | at most the floor |
/// | `lockout_duration_minutes` | at least the floor |
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // documented in the table above
pub struct Floors {
    #[serde(default)]
    pub password_min_length: Option<u32>,
    #[serde(default)]
    pub require_mfa: Option<bool>,
    #[serde(default)]
    pub max_login_attempts: Option<u32>,
    #[serde(default)]
    pub session_ttl_hours: Option<u32>,
    #[serde(default)]
    pub lockout_duration_minutes: Option<u32>,
}

/// Which direction is stricter for a floored field.
#[derive(Clone, Copy)]
pub(crate) enum Stricter {
    Higher,
    Lower,
}

impl Stricter {
    /// The stricter of `value` and `floor`, and whether the floor won.
    pub(crate) fn bound<T: Ord + Copy>(self, value: T, floor: Option<T>) -> (T, bool) {
        match (self, floor) {
            (Stricter::Higher, Some(f)) if value < f => (f, true),
            (Stricter::Lower, Some(f)) if value > f => (f, true),
            _ => (value, false),
        }
    }
}

fn below(field: &str, floor: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::BelowTenantFloor,
        format!("{field} would be weaker than the tenant's floor of {floor}"),
    )
    .with_field(field)
}

fn check<T: Ord + Copy + std::fmt::Display>(
    field: &str,
    value: Option<&T>,
    floor: Option<T>,
    dir: Stricter,
) -> Result<()> {
    match (value, floor) {
        (Some(v), Some(f)) if dir.bound(*v, Some(f)).1 => Err(below(field, f)),
        _ => Ok(()),
    }
}

impl Floors {
    /// Refuses a patch that sets a value weaker than a floor (`below_tenant_floor`). Fields the
    /// patch does not set are not checked: an override that an older, lower floor allowed is
    /// bounded at resolution instead of blocking unrelated edits.
    pub fn check_patch(&self, patch: &SettingsPatch) -> Result<()> {
        check(
            "password_min_length",
            patch.password_min_length.set_value(),
            self.password_min_length,
            Stricter::Higher,
        )?;
        check(
            "require_mfa",
            patch.require_mfa.set_value(),
            self.require_mfa,
            Stricter::Higher,
        )?;
        check(
            "max_login_attempts",
            patch.max_login_attempts.set_value(),
            self.max_login_attempts,
            Stricter::Lower,
        )?;
        check(
            "session_ttl_hours",
            patch.session_ttl_hours.set_value(),
            self.session_ttl_hours,
            Stricter::Lower,
        )?;
        check(
            "lockout_duration_minutes",
            patch.lockout_duration_minutes.set_value(),
            self.lockout_duration_minutes,
            Stricter::Higher,
        )
    }

    /// Refuses a whole layer with any value weaker than a floor (used for the tenant's own
    /// defaults, which must respect its floors).
    pub fn check_layer(&self, layer: &SettingsLayer) -> Result<()> {
        check(
            "password_min_length",
            layer.password_min_length.as_ref(),
            self.password_min_length,
            Stricter::Higher,
        )?;
        check(
            "require_mfa",
            layer.require_mfa.as_ref(),
            self.require_mfa,
            Stricter::Higher,
        )?;
        check(
            "max_login_attempts",
            layer.max_login_attempts.as_ref(),
            self.max_login_attempts,
            Stricter::Lower,
        )?;
        check(
            "session_ttl_hours",
            layer.session_ttl_hours.as_ref(),
            self.session_ttl_hours,
            Stricter::Lower,
        )?;
        check(
            "lockout_duration_minutes",
            layer.lockout_duration_minutes.as_ref(),
            self.lockout_duration_minutes,
            Stricter::Higher,
        )
    }
}

/// A merge-patch of [`Floors`]; `"floors": null` clears every floor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FloorsPatch {
    pub password_min_length: Patch<u32>,
    pub require_mfa: Patch<bool>,
    pub max_login_attempts: Patch<u32>,
    pub session_ttl_hours: Patch<u32>,
    pub lockout_duration_minutes: Patch<u32>,
}

impl FloorsPatch {
    /// Parses a floors object (same names and ranges as the settings) or `null`.
    pub fn from_json(value: &Value) -> Result<FloorsPatch> {
        if value.is_null() {
            return Ok(FloorsPatch {
                password_min_length: Patch::Clear,
                require_mfa: Patch::Clear,
                max_login_attempts: Patch::Clear,
                session_ttl_hours: Patch::Clear,
                lockout_duration_minutes: Patch::Clear,
            });
        }
        // Reuse the settings parser so floors have exactly the settings' names and ranges.
        let mut settings = SettingsPatch::default();
        for (key, v) in object(value)? {
            let floored = matches!(
                super::patch::setting_name(key),
                Some(
                    "password_min_length"
                        | "require_mfa"
                        | "max_login_attempts"
                        | "session_ttl_hours"
                        | "lockout_duration_minutes"
                )
            );
            if !floored || !settings.set_field(key, v)? {
                return Err(unknown_field(&format!("floors.{key}")));
            }
        }
        Ok(FloorsPatch {
            password_min_length: settings.password_min_length,
            require_mfa: settings.require_mfa,
            max_login_attempts: settings.max_login_attempts,
            session_ttl_hours: settings.session_ttl_hours,
            lockout_duration_minutes: settings.lockout_duration_minutes,
        })
    }

    /// The floors after this patch. A `require_mfa` floor of `false` means no floor.
    pub fn apply(&self, floors: &Floors) -> Floors {
        Floors {
            password_min_length: self.password_min_length.apply(&floors.password_min_length),
            require_mfa: self.require_mfa.apply(&floors.require_mfa).filter(|on| *on),
            max_login_attempts: self.max_login_attempts.apply(&floors.max_login_attempts),
            session_ttl_hours: self.session_ttl_hours.apply(&floors.session_ttl_hours),
            lockout_duration_minutes: self
                .lockout_duration_minutes
                .apply(&floors.lockout_duration_minutes),
        }
    }
}
