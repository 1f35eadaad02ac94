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

pub use fields::{
    ALLOWED_REDIRECT_URLS_MAX, DEFAULT_LOCKOUT_DURATION_MINUTES, DEFAULT_MAX_LOGIN_ATTEMPTS,
    DEFAULT_PASSWORD_MIN_LENGTH, DEFAULT_PRIMARY_COLOR, DEFAULT_SESSION_TTL_HOURS,
    LOCKOUT_DURATION_MINUTES_RANGE, LOGO_URL_MAX_LEN, MAX_LOGIN_ATTEMPTS_RANGE,
    PASSWORD_MIN_LENGTH_RANGE, SESSION_TTL_HOURS_RANGE, WELCOME_TEXT_MAX_CHARS,
};
pub use floors::{Floors, FloorsPatch};
pub use patch::{Patch, SettingsPatch, TenantSettingsPatch, merge_json};
pub use resolve::{Effective, EffectiveSettings, Source, resolve};

use serde::{Deserialize, Serialize};

/// One layer of settings (the tenant's or an org's overrides). `None` means "not set at this
/// layer": the value is inherited from the layer below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SettingsLayer {
    /// Logo shown on the login page (https URL).
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Brand colour, `#rrggbb` lowercase.
    #[serde(default)]
    pub primary_color: Option<String>,
    /// Headline of the login page.
    #[serde(default)]
    pub welcome_text: Option<String>,
    /// Hostname that serves this org's login page.
    #[serde(default)]
    pub custom_domain: Option<String>,
    /// Minimum password length in characters.
    #[serde(default)]
    pub password_min_length: Option<u32>,
    /// Whether logins must perform a second factor.
    #[serde(default)]
    pub require_mfa: Option<bool>,
    /// Lifetime of an access token issued in this org context, in hours.
    #[serde(default)]
    pub session_ttl_hours: Option<u32>,
    /// Consecutive failed logins before the account is locked.
    #[serde(default)]
    pub max_login_attempts: Option<u32>,
    /// How long a lockout lasts, in minutes.
    #[serde(default)]
    pub lockout_duration_minutes: Option<u32>,
    /// The connection proposed first at login; must be one of the org's connections.
    #[serde(default)]
    pub default_connection_id: Option<String>,
}

/// The tenant's settings: its defaults for every org, the floors orgs cannot weaken, and what
/// only the tenant's operator decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Values every org inherits unless it overrides them.
    #[serde(default)]
    pub defaults: SettingsLayer,
    /// Minimum strictness for every org of the tenant.
    #[serde(default)]
    pub floors: Floors,
    /// Where a browser may be sent after an SSO login besides the server's own origin:
    /// absolute URLs, matched exactly (see [`crate::login::redirect_target`]). A tenant
    /// setting only: an org owner is not trusted to name where tokens go.
    #[serde(default)]
    pub allowed_redirect_urls: Vec<String>,
}
