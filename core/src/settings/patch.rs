//! RFC 7396 merge-patches of settings layers.

use super::fields::{self, invalid};
use super::floors::FloorsPatch;
use super::{SettingsLayer, TenantSettings};
use crate::error::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

/// One field of a merge-patch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Absent from the patch: keep the current value.
    #[default]
    Unchanged,
    /// `null`: remove the override, inherit again.
    Clear,
    /// A new, validated value.
    Set(T),
}

impl<T: Clone> Patch<T> {
    /// The field after the patch.
    pub fn apply(&self, current: &Option<T>) -> Option<T> {
        match self {
            Patch::Unchanged => current.clone(),
            Patch::Clear => None,
            Patch::Set(v) => Some(v.clone()),
        }
    }

    /// The value being set, if any.
    pub fn set_value(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    fn parse(value: &Value, parse: impl FnOnce(&Value) -> Result<T>) -> Result<Patch<T>> {
        if value.is_null() {
            Ok(Patch::Clear)
        } else {
            parse(value).map(Patch::Set)
        }
    }
}

/// A validated merge-patch of a [`SettingsLayer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // one field per setting, documented on SettingsLayer
pub struct SettingsPatch {
    pub logo_url: Patch<String>,
    pub primary_color: Patch<String>,
    pub welcome_text: Patch<String>,
    pub custom_domain: Patch<String>,
    pub password_min_length: Patch<u32>,
    pub require_mfa: Patch<bool>,
    pub session_ttl_hours: Patch<u32>,
    pub max_login_attempts: Patch<u32>,
    pub lockout_duration_minutes: Patch<u32>,
    pub default_connection_id: Patch<String>,
}

/// The setting names, snake_case (seed 000) with their camelCase spelling (seed 004).
pub const SETTING_FIELDS: [(&str, &str); 10] = [
    ("logo_url", "logoUrl"),
    ("primary_color", "primaryColor"),
    ("welcome_text", "welcomeText"),
    ("custom_domain", "customDomain"),
    ("password_min_length", "passwordMinLength"),
    ("require_mfa", "requireMfa"),
    ("session_ttl_hours", "sessionTtlHours"),
    ("max_login_attempts", "maxLoginAttempts"),
    ("lockout_duration_minutes", "lockoutDurationMinutes"),
    ("default_connection_id", "defaultConnectionId"),
];

/// The snake_case name of a setting spelled either way, if `key` is one.
pub(crate) fn setting_name(key: &str) -> Option<&'static str> {
    SETTING_FIELDS
        .iter()
        .find(|(snake, camel)| *snake == key || *camel == key)
        .map(|(snake, _)| *snake)
}

fn string<'a>(field: &str, value: &'a Value) -> Result<&'a str> {
    value
        .as_str()
        .ok_or_else(|| invalid(field, format!("{field} must be a string or null")))
}

fn whole(field: &str, value: &Value) -> Result<u64> {
    value
        .as_u64()
        .ok_or_else(|| invalid(field, format!("{field} must be a whole number or null")))
}

impl SettingsPatch {
    /// Parses a JSON object holding only setting fields. Unknown fields are refused.
    ///
    /// ```
    /// use orgkit_core::settings::{Patch, SettingsPatch};
    /// let patch = SettingsPatch::from_json(&serde_json::json!({"require_mfa": true, "logo_url": null})).unwrap();
    /// assert_eq!(patch.require_mfa, Patch::Set(true));
    /// assert_eq!(patch.logo_url, Patch::Clear);
    /// ```
    pub fn from_json(value: &Value) -> Result<SettingsPatch> {
        let map = object(value)?;
        let mut patch = SettingsPatch::default();
        for (key, value) in map {
            if !patch.set_field(key, value)? {
                return Err(unknown_field(key));
            }
        }
        Ok(patch)
    }

    /// Sets one field from JSON if `key` names a setting (snake_case or camelCase); answers
    /// whether it did. Lets a caller parse settings mixed with other fields.
    pub fn set_field(&mut self, key: &str, value: &Value) -> Result<bool> {
        let Some(name) = setting_name(key) else {
            return Ok(false);
        };
        match name {
            "logo_url" => {
                self.logo_url = Patch::parse(value, |v| fields::https_url(name, string(name, v)?))?
            }
            "primary_color" => {
                self.primary_color = Patch::parse(value, |v| fields::color(name, string(name, v)?))?
            }
            "welcome_text" => {
                self.welcome_text = Patch::parse(value, |v| fields::text(name, string(name, v)?))?
            }
            "custom_domain" => {
                self.custom_domain =
                    Patch::parse(value, |v| fields::domain(name, string(name, v)?))?
            }
            "password_min_length" => {
                self.password_min_length = Patch::parse(value, |v| {
                    fields::number(name, whole(name, v)?, &fields::PASSWORD_MIN_LENGTH_RANGE)
                })?
            }
            "require_mfa" => {
                self.require_mfa = Patch::parse(value, |v| {
                    v.as_bool()
                        .ok_or_else(|| invalid(name, "require_mfa must be true, false or null"))
                })?
            }
            "session_ttl_hours" => {
                self.session_ttl_hours = Patch::parse(value, |v| {
                    fields::number(name, whole(name, v)?, &fields::SESSION_TTL_HOURS_RANGE)
                })?
            }
            "max_login_attempts" => {
                self.max_login_attempts = Patch::parse(value, |v| {
                    fields::number(name, whole(name, v)?, &fields::MAX_LOGIN_ATTEMPTS_RANGE)
                })?
            }
            "lockout_duration_minutes" => {
                self.lockout_duration_minutes = Patch::parse(value, |v| {
                    fields::number(
                        name,
                        whole(name, v)?,
                        &fields::LOCKOUT_DURATION_MINUTES_RANGE,
                    )
                })?
            }
            _ => {
                self.default_connection_id =
                    Patch::parse(value, |v| fields::connection_id(name, string(name, v)?))?
            }
        }
        Ok(true)
    }

    /// The layer after this patch.
    pub fn apply(&self, layer: &SettingsLayer) -> SettingsLayer {
        SettingsLayer {
            logo_url: self.logo_url.apply(&layer.logo_url),
            primary_color: self.primary_color.apply(&layer.primary_color),
            welcome_text: self.welcome_text.apply(&layer.welcome_text),
            custom_domain: self.custom_domain.apply(&layer.custom_domain),
            password_min_length: self.password_min_length.apply(&layer.password_min_length),
            require_mfa: self.require_mfa.apply(&layer.require_mfa),
            session_ttl_hours: self.session_ttl_hours.apply(&layer.session_ttl_hours),
            max_login_attempts: self.max_login_attempts.apply(&layer.max_login_attempts),
            lockout_duration_minutes: self
                .lockout_duration_minutes
                .apply(&layer.lockout_duration_minutes),
            default_connection_id: self
                .default_connection_id
                .apply(&layer.default_connection_id),
        }
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
    }
}

/// A patch of the tenant's settings: setting fields flat, plus a `floors` merge-patch and the
/// tenant's `allowed_redirect_urls`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantSettingsPatch {
    /// The tenant's default values.
    pub defaults: SettingsPatch,
    /// The tenant's floors.
    pub floors: FloorsPatch,
    /// The tenant's allowed redirect URLs: a list replaces them, `null` empties them.
    pub allowed_redirect_urls: Patch<Vec<String>>,
}

impl TenantSettingsPatch {
    /// Parses `{ <setting fields>…, "floors": { … } | null, "allowed_redirect_urls": [ … ] | null }`.
    pub fn from_json(value: &Value) -> Result<TenantSettingsPatch> {
        let mut patch = TenantSettingsPatch::default();
        for (key, value) in object(value)? {
            if key == "floors" {
                patch.floors = FloorsPatch::from_json(value)?;
            } else if key == "allowed_redirect_urls" {
                patch.allowed_redirect_urls = Patch::parse(value, |v| {
                    let list = v.as_array().ok_or_else(|| {
                        invalid(key, "allowed_redirect_urls must be a list of URLs or null")
                    })?;
                    fields::redirect_urls(key, list)
                })?;
            } else if !patch.defaults.set_field(key, value)? {
                return Err(unknown_field(key));
            }
        }
        Ok(patch)
    }

    /// The tenant's settings after this patch. The defaults must still respect the floors
    /// (`below_tenant_floor` otherwise).
    pub fn apply(&self, tenant: &TenantSettings) -> Result<TenantSettings> {
        let next = TenantSettings {
            defaults: self.defaults.apply(&tenant.defaults),
            floors: self.floors.apply(&tenant.floors),
            allowed_redirect_urls: self
                .allowed_redirect_urls
                .apply(&Some(tenant.allowed_redirect_urls.clone()))
                .unwrap_or_default(),
        };
        next.floors.check_layer(&next.defaults)?;
        Ok(next)
    }
}

pub(crate) fn object(value: &Value) -> Result<&Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "expected a JSON object"))
}

pub(crate) fn unknown_field(key: &str) -> Error {
    Error::new(
        ErrorCode::UnknownField,
        format!("unknown field {:?}", crate::role::truncate(key)),
    )
    .with_field(key)
}

/// Applies an RFC 7396 JSON merge-patch to `target` (used for free-form org metadata).
///
/// ```
/// use serde_json::json;
/// let mut doc = json!({"a": 1, "b": {"c": 2}});
/// orgkit_core::settings::merge_json(&mut doc, &json!({"a": null, "b": {"d": 3}}));
/// assert_eq!(doc, json!({"b": {"c": 2, "d": 3}}));
/// ```
pub fn merge_json(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_json(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}
