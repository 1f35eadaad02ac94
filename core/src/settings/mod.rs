//! Org settings: branding and auth settings, inherited built-in defaults ← tenant ← org.
//!
//! Each layer is a [`SettingsLayer`] whose `None` fields are "not set here". A patch
//! ([`SettingsPatch`]) follows JSON merge-patch (RFC 7396): an absent field is unchanged, `null`
//! clears the override so the value is inherited again, a value sets it after validation.
//! [`resolve`] computes the [`EffectiveSettings`] and where each value came from. A tenant may
//! set [`Floors`]: minimum strictness that no org override can weaken.

mod fields;
mod floors;
mod patch;
mod resolve;
mod table;
mod tenant;

pub use fields::{
    ALLOWED_REDIRECT_URLS_MAX, DEFAULT_LOCKOUT_DURATION_MINUTES, DEFAULT_MAX_LOGIN_ATTEMPTS,
    DEFAULT_PASSWORD_MIN_LENGTH, DEFAULT_PRIMARY_COLOR, DEFAULT_SESSION_TTL_HOURS,
    LOCKOUT_DURATION_MINUTES_RANGE, LOGO_URL_MAX_LEN, MAX_LOGIN_ATTEMPTS_RANGE,
    PASSWORD_MIN_LENGTH_RANGE, SESSION_TTL_HOURS_RANGE, WELCOME_TEXT_MAX_CHARS,
};
pub use floors::{Floors, FloorsPatch};
pub use patch::{Patch, SETTING_FIELDS, SettingsPatch, merge_json};
pub use resolve::{Effective, EffectiveSettings, Source, resolve};
pub use tenant::{TenantSettings, TenantSettingsPatch};

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

macro_rules! settings_layer {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        /// One layer of settings (the tenant's or an org's overrides). `None` means "not set at
        /// this layer": the value is inherited from the layer below.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        #[serde(deny_unknown_fields)]
        pub struct SettingsLayer {
            $( $(#[$doc])* #[serde(default)] pub $name: Option<$ty>, )*
        }
    };
}
crate::for_each_setting!(settings_layer);

/// `default_connection_id` must name one of the org's connections (when the caller knows them:
/// `None` skips the check, `Some(&[])` is an org without connections).
pub fn check_default_connection(
    settings: &SettingsLayer,
    org_connections: Option<&[String]>,
) -> Result<()> {
    match (&settings.default_connection_id, org_connections) {
        (Some(id), Some(list)) if !list.iter().any(|c| c == id) => Err(Error::new(
            ErrorCode::InvalidSetting,
            "default_connection_id must be one of the organization's connections",
        )
        .with_field("default_connection_id")),
        _ => Ok(()),
    }
}
