//! Resolution: built-in defaults ← tenant ← org, bounded by the tenant's floors.

use super::fields::*;
use super::floors::Stricter;
use super::{SettingsLayer, TenantSettings};
use serde::{Deserialize, Serialize};

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The org's own override.
    Org,
    /// The tenant's default.
    Tenant,
    /// The tenant's floor, which overrode a weaker value.
    TenantFloor,
    /// orgkit's built-in default.
    Default,
}

/// An effective value and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Effective<T> {
    /// The value that applies.
    pub value: T,
    /// Which layer supplied it.
    pub source: Source,
}

/// How one setting resolves (see [`crate::for_each_setting`]).
macro_rules! resolve_setting {
    ($org:ident, $tenant:ident, $floors:ident, $name:ident, optional()) => {
        optional(&$org.$name, &$tenant.$name)
    };
    ($org:ident, $tenant:ident, $floors:ident, $name:ident, inherited($default:expr)) => {
        with_default(&$org.$name, &$tenant.$name, $default)
    };
    ($org:ident, $tenant:ident, $floors:ident, $name:ident, floored($default:expr, $dir:ident)) => {
        floored(
            &$org.$name,
            &$tenant.$name,
            $default,
            $floors.$name,
            Stricter::$dir,
        )
    };
}

/// Spells each row's effective type out (`Effective<Option<T>>` for optional settings,
/// `Effective<T>` for the others) before the struct is emitted: derives such as tsify's read the
/// field types as written and cannot see through a macro in type position.
macro_rules! effective_settings {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        effective_settings!(@fields [] $( $(#[$doc])* $name: $ty, $kind($($arg)*); )*);
        effective_settings!(@resolve $( $name, $kind($($arg)*); )*);
    };
    (@fields [$($done:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, optional(); $($rest:tt)*) => {
        effective_settings!(@fields [$($done)* $(#[$doc])* pub $name: Effective<Option<$ty>>,] $($rest)*);
    };
    (@fields [$($done:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, $kind:ident($($arg:tt)*); $($rest:tt)*) => {
        effective_settings!(@fields [$($done)* $(#[$doc])* pub $name: Effective<$ty>,] $($rest)*);
    };
    (@fields [$($done:tt)*]) => {
        /// The settings that apply to an org, each with where it came from.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        pub struct EffectiveSettings { $($done)* }
    };
    (@resolve $( $name:ident, $kind:ident($($arg:tt)*); )*) => {
        /// Resolves the effective settings of an org: the org's override wins, else the tenant's value,
        /// else the built-in default; a floored field is then raised to the tenant's floor if weaker.
        /// Pass an empty org layer to get the tenant's own effective settings.
        ///
        /// ```
        /// use orgkit_core::settings::{resolve, Source, SettingsLayer, TenantSettings};
        /// let tenant = TenantSettings { defaults: SettingsLayer { session_ttl_hours: Some(12), ..Default::default() }, ..Default::default() };
        /// let org = SettingsLayer { session_ttl_hours: Some(8), ..Default::default() };
        /// let eff = resolve(&tenant, &org);
        /// assert_eq!((eff.session_ttl_hours.value, eff.session_ttl_hours.source), (8, Source::Org));
        /// assert_eq!(eff.password_min_length.source, Source::Default);
        /// ```
        pub fn resolve(tenant: &TenantSettings, org: &SettingsLayer) -> EffectiveSettings {
            let (defaults, floors) = (&tenant.defaults, &tenant.floors);
            EffectiveSettings {
                $( $name: resolve_setting!(org, defaults, floors, $name, $kind($($arg)*)), )*
            }
        }
    };
}
crate::for_each_setting!(effective_settings);

fn layered<T: Clone>(org: &Option<T>, tenant: &Option<T>) -> Option<Effective<T>> {
    match (org, tenant) {
        (Some(v), _) => Some(Effective {
            value: v.clone(),
            source: Source::Org,
        }),
        (None, Some(v)) => Some(Effective {
            value: v.clone(),
            source: Source::Tenant,
        }),
        (None, None) => None,
    }
}

fn optional<T: Clone>(org: &Option<T>, tenant: &Option<T>) -> Effective<Option<T>> {
    match layered(org, tenant) {
        Some(e) => Effective {
            value: Some(e.value),
            source: e.source,
        },
        None => Effective {
            value: None,
            source: Source::Default,
        },
    }
}

fn with_default<T: Clone>(org: &Option<T>, tenant: &Option<T>, default: T) -> Effective<T> {
    layered(org, tenant).unwrap_or(Effective {
        value: default,
        source: Source::Default,
    })
}

fn floored<T: Ord + Copy>(
    org: &Option<T>,
    tenant: &Option<T>,
    default: T,
    floor: Option<T>,
    dir: Stricter,
) -> Effective<T> {
    let chosen = with_default(org, tenant, default);
    match dir.bound(chosen.value, floor) {
        (value, true) => Effective {
            value,
            source: Source::TenantFloor,
        },
        (_, false) => chosen,
    }
}

impl EffectiveSettings {
    /// Session lifetime in seconds (`exp - iat` of tokens issued in this org context).
    pub fn session_ttl_seconds(&self) -> i64 {
        i64::from(self.session_ttl_hours.value) * 3600
    }

    /// Lockout length in seconds.
    pub fn lockout_seconds(&self) -> i64 {
        i64::from(self.lockout_duration_minutes.value) * 60
    }
}
