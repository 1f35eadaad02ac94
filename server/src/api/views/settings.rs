//! Settings as the APIs show them, generated from core's setting table
//! ([`orgkit_core::for_each_setting`]): a stored layer (`null` while inherited), the effective
//! values with where each came from, and a tenant's floors.

use orgkit_core::settings::{Effective, EffectiveSettings, Floors, SettingsLayer, Source};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{Enum, Object};
use serde::Serialize;

/// Where an effective value came from.
#[derive(Enum, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SettingSource {
    /// The org's own override.
    Org,
    /// The tenant's default.
    Tenant,
    /// The tenant's floor, which overrode a weaker value.
    TenantFloor,
    /// orgkit's built-in default.
    Default,
}

impl From<Source> for SettingSource {
    fn from(source: Source) -> SettingSource {
        match source {
            Source::Org => SettingSource::Org,
            Source::Tenant => SettingSource::Tenant,
            Source::TenantFloor => SettingSource::TenantFloor,
            Source::Default => SettingSource::Default,
        }
    }
}

/// An effective value and its source.
#[derive(Object, Serialize)]
pub struct EffectiveValue<T: ParseFromJSON + ToJSON + Serialize> {
    /// The value that applies.
    pub value: T,
    /// Which layer supplied it.
    pub source: SettingSource,
}

impl<T: ParseFromJSON + ToJSON + Serialize> From<Effective<T>> for EffectiveValue<T> {
    fn from(e: Effective<T>) -> Self {
        EffectiveValue { value: e.value, source: e.source.into() }
    }
}

/// The effective value of a setting that may be unset everywhere (`null`).
#[derive(Object, Serialize)]
pub struct OptionalEffective<T: ParseFromJSON + ToJSON + Serialize> {
    /// The value that applies, `null` when no layer sets one.
    #[oai(nullable)]
    pub value: Option<T>,
    /// Which layer supplied it.
    pub source: SettingSource,
}

impl<T: ParseFromJSON + ToJSON + Serialize> From<Effective<Option<T>>> for OptionalEffective<T> {
    fn from(e: Effective<Option<T>>) -> Self {
        OptionalEffective { value: e.value, source: e.source.into() }
    }
}

/// A settings layer in both spellings.
macro_rules! layer_views {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        super::both_cases! {
            /// Settings as stored on this layer: `null` where it sets nothing (inherits).
            SettingsLayerView / SettingsLayerViewCamel {
                $( $(#[$doc])* #[oai(nullable)] pub $name: Option<$ty>, )*
            }
        }

        impl From<SettingsLayer> for SettingsLayerView {
            fn from(l: SettingsLayer) -> Self {
                SettingsLayerView { $( $name: l.$name, )* }
            }
        }

        impl From<SettingsLayer> for SettingsLayerViewCamel {
            fn from(l: SettingsLayer) -> Self {
                SettingsLayerViewCamel { $( $name: l.$name, )* }
            }
        }
    };
}
orgkit_core::for_each_setting!(layer_views);

/// The effective settings in both spellings. Spells each row's field type out first
/// ([`OptionalEffective`] for optional settings), as core's `EffectiveSettings` does.
macro_rules! effective_views {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        effective_views!(@fields [] $( $(#[$doc])* $name: $ty, $kind; )*);
    };
    (@fields [$($done:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, optional; $($rest:tt)*) => {
        effective_views!(@fields [$($done)* $(#[$doc])* $name: OptionalEffective<$ty>,] $($rest)*);
    };
    (@fields [$($done:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, $kind:ident; $($rest:tt)*) => {
        effective_views!(@fields [$($done)* $(#[$doc])* $name: EffectiveValue<$ty>,] $($rest)*);
    };
    (@fields [$( $(#[$doc:meta])* $name:ident: $field:ty, )*]) => {
        super::both_cases! {
            /// The settings that apply, each with where it came from.
            EffectiveSettingsView / EffectiveSettingsViewCamel {
                $( $(#[$doc])* pub $name: $field, )*
            }
        }

        impl From<EffectiveSettings> for EffectiveSettingsView {
            fn from(e: EffectiveSettings) -> Self {
                EffectiveSettingsView { $( $name: e.$name.into(), )* }
            }
        }

        impl From<EffectiveSettings> for EffectiveSettingsViewCamel {
            fn from(e: EffectiveSettings) -> Self {
                EffectiveSettingsViewCamel { $( $name: e.$name.into(), )* }
            }
        }
    };
}
orgkit_core::for_each_setting!(effective_views);

/// A tenant's floors: the floored rows of the table.
macro_rules! floors_view {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        floors_view!(@keep [] $( $(#[$doc])* $name: $ty, $kind; )*);
    };
    (@keep [$($kept:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, floored; $($rest:tt)*) => {
        floors_view!(@keep [$($kept)* $(#[$doc])* $name: $ty,] $($rest)*);
    };
    (@keep [$($kept:tt)*] $(#[$doc:meta])* $name:ident: $ty:ty, $kind:ident; $($rest:tt)*) => {
        floors_view!(@keep [$($kept)*] $($rest)*);
    };
    (@keep [$( $(#[$doc:meta])* $name:ident: $ty:ty, )*]) => {
        /// The least strict value an org may have for each security setting; `null`: no floor.
        #[derive(Object, Serialize)]
        pub struct FloorsView {
            $( $(#[$doc])* #[oai(nullable)] pub $name: Option<$ty>, )*
        }

        impl From<Floors> for FloorsView {
            fn from(f: Floors) -> Self {
                FloorsView { $( $name: f.$name, )* }
            }
        }
    };
}
orgkit_core::for_each_setting!(floors_view);
