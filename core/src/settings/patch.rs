//! RFC 7396 merge-patches of settings layers.

use super::SettingsLayer;
use super::fields::*;
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

    pub(crate) fn parse(
        value: &Value,
        parse: impl FnOnce(&Value) -> Result<T>,
    ) -> Result<Patch<T>> {
        if value.is_null() {
            Ok(Patch::Clear)
        } else {
            parse(value).map(Patch::Set)
        }
    }
}

macro_rules! settings_patch {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        /// A validated merge-patch of a [`SettingsLayer`].
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct SettingsPatch {
            $( $(#[$doc])* pub $name: Patch<$ty>, )*
        }

        /// The setting names, snake_case (seed 000) with their camelCase spelling (seed 004).
        pub const SETTING_FIELDS: &[(&str, &str)] = &[ $( (stringify!($name), $camel), )* ];

        impl SettingsPatch {
            /// Sets one field from JSON if `key` names a setting (snake_case or camelCase);
            /// answers whether it did. Lets a caller parse settings mixed with other fields.
            pub fn set_field(&mut self, key: &str, value: &Value) -> Result<bool> {
                $(
                    if key == stringify!($name) || key == $camel {
                        self.$name = Patch::parse(value, |v| ($parse)(stringify!($name), v))?;
                        return Ok(true);
                    }
                )*
                Ok(false)
            }

            /// The layer after this patch.
            pub fn apply(&self, layer: &SettingsLayer) -> SettingsLayer {
                SettingsLayer { $( $name: self.$name.apply(&layer.$name), )* }
            }
        }
    };
}
crate::for_each_setting!(settings_patch);

/// The snake_case name of a setting spelled either way, if `key` is one.
pub(crate) fn setting_name(key: &str) -> Option<&'static str> {
    SETTING_FIELDS
        .iter()
        .find(|(snake, camel)| *snake == key || *camel == key)
        .map(|(snake, _)| *snake)
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

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
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
