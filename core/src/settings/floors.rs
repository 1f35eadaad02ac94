//! Tenant floors: the least strict value an org may have for a security setting.

use super::SettingsLayer;
use super::patch::{Patch, SettingsPatch, object, setting_name, unknown_field};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Keeps the floored rows of the setting table (`floored(default, direction)`) and hands them,
/// with their direction, to `floors_types!`.
macro_rules! floors {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        floors!(@keep [] $( $name: $ty, $kind($($arg)*); )*);
    };
    (@keep [$($kept:tt)*] $name:ident: $ty:ty, floored($default:expr, $dir:ident); $($rest:tt)*) => {
        floors!(@keep [$($kept)* $name: $ty, $dir;] $($rest)*);
    };
    (@keep [$($kept:tt)*] $name:ident: $ty:ty, $kind:ident($($arg:tt)*); $($rest:tt)*) => {
        floors!(@keep [$($kept)*] $($rest)*);
    };
    (@keep [$($kept:tt)*]) => {
        floors_types!($($kept)*);
    };
}

macro_rules! floors_types {
    ($( $name:ident: $ty:ty, $dir:ident; )*) => {
        /// Minimum strictness for every org of a tenant. Each field, when set, bounds the org's
        /// effective value in the stricter direction:
        ///
        /// | floor | an org's value must be |
        /// |---|---|
        /// | `password_min_length` | at least the floor |
        /// | `require_mfa: true` | `true` |
        /// | `session_ttl_hours` | at most the floor |
        /// | `max_login_attempts` | at most the floor |
        /// | `lockout_duration_minutes` | at least the floor |
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        #[serde(deny_unknown_fields)]
        #[allow(missing_docs)] // documented in the table above
        pub struct Floors {
            $( #[serde(default)] pub $name: Option<$ty>, )*
        }

        /// A merge-patch of [`Floors`]; `"floors": null` clears every floor.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub struct FloorsPatch {
            $( pub $name: Patch<$ty>, )*
        }

        /// The settings a tenant may set a floor for.
        const FLOORED: &[&str] = &[ $( stringify!($name), )* ];

        impl Floors {
            /// Refuses a patch that sets a value weaker than a floor (`below_tenant_floor`).
            /// Fields the patch does not set are not checked: an override that an older, lower
            /// floor allowed is bounded at resolution instead of blocking unrelated edits.
            pub fn check_patch(&self, patch: &SettingsPatch) -> Result<()> {
                $( check(stringify!($name), patch.$name.set_value(), self.$name, Stricter::$dir)?; )*
                Ok(())
            }

            /// Refuses a whole layer with any value weaker than a floor (used for the tenant's
            /// own defaults, which must respect its floors).
            pub fn check_layer(&self, layer: &SettingsLayer) -> Result<()> {
                $( check(stringify!($name), layer.$name.as_ref(), self.$name, Stricter::$dir)?; )*
                Ok(())
            }
        }

        impl FloorsPatch {
            /// A patch clearing every floor.
            fn clear_all() -> FloorsPatch {
                FloorsPatch { $( $name: Patch::Clear, )* }
            }

            /// The floored fields of a settings patch.
            fn from_settings(settings: SettingsPatch) -> FloorsPatch {
                FloorsPatch { $( $name: settings.$name, )* }
            }

            /// The floors after this patch. A floor that bounds nothing (`require_mfa: false`)
            /// is no floor.
            pub fn apply(&self, floors: &Floors) -> Floors {
                Floors { $( $name: self.$name.apply(&floors.$name).filter(Floor::bounds), )* }
            }
        }
    };
}
crate::for_each_setting!(floors);

/// A floor value that bounds something: every number does; a `require_mfa` floor only when
/// `true` (`false` would be no floor at all).
trait Floor {
    fn bounds(&self) -> bool;
}

impl Floor for u32 {
    fn bounds(&self) -> bool {
        true
    }
}

impl Floor for bool {
    fn bounds(&self) -> bool {
        *self
    }
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

impl FloorsPatch {
    /// Parses a floors object (same names and ranges as the settings) or `null`.
    pub fn from_json(value: &Value) -> Result<FloorsPatch> {
        if value.is_null() {
            return Ok(FloorsPatch::clear_all());
        }
        // The settings parser, so floors have exactly the settings' names and ranges.
        let mut settings = SettingsPatch::default();
        for (key, v) in object(value)? {
            let floored = setting_name(key).is_some_and(|name| FLOORED.contains(&name));
            if !floored || !settings.set_field(key, v)? {
                return Err(unknown_field(&format!("floors.{key}")));
            }
        }
        Ok(FloorsPatch::from_settings(settings))
    }
}
