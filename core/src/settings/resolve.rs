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

/// The settings that apply to an org, each with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[allow(missing_docs)] // one field per setting, documented on SettingsLayer
pub struct EffectiveSettings {
    pub logo_url: Effective<Option<String>>,
    pub primary_color: Effective<String>,
    pub welcome_text: Effective<Option<String>>,
    pub custom_domain: Effective<Option<String>>,
    pub password_min_length: Effective<u32>,
    pub require_mfa: Effective<bool>,
    pub session_ttl_hours: Effective<u32>,
    pub max_login_attempts: Effective<u32>,
    pub lockout_duration_minutes: Effective<u32>,
    pub default_connection_id: Effective<Option<String>>,
}

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
    let (t, f) = (&tenant.defaults, &tenant.floors);
    EffectiveSettings {
        logo_url: optional(&org.logo_url, &t.logo_url),
        primary_color: with_default(
            &org.primary_color,
            &t.primary_color,
            DEFAULT_PRIMARY_COLOR.to_owned(),
        ),
        welcome_text: optional(&org.welcome_text, &t.welcome_text),
        custom_domain: optional(&org.custom_domain, &t.custom_domain),
        password_min_length: floored(
            &org.password_min_length,
            &t.password_min_length,
            DEFAULT_PASSWORD_MIN_LENGTH,
            f.password_min_length,
            Stricter::Higher,
        ),
        require_mfa: floored(
            &org.require_mfa,
            &t.require_mfa,
            false,
            f.require_mfa,
            Stricter::Higher,
        ),
        session_ttl_hours: floored(
            &org.session_ttl_hours,
            &t.session_ttl_hours,
            DEFAULT_SESSION_TTL_HOURS,
            f.session_ttl_hours,
            Stricter::Lower,
        ),
        max_login_attempts: floored(
            &org.max_login_attempts,
            &t.max_login_attempts,
            DEFAULT_MAX_LOGIN_ATTEMPTS,
            f.max_login_attempts,
            Stricter::Lower,
        ),
        lockout_duration_minutes: floored(
            &org.lockout_duration_minutes,
            &t.lockout_duration_minutes,
            DEFAULT_LOCKOUT_DURATION_MINUTES,
            f.lockout_duration_minutes,
            Stricter::Higher,
        ),
        // Inherited like the rest; login policy only proposes it when the org has that
        // connection enabled (see `login::default_connection`).
        default_connection_id: optional(&org.default_connection_id, &t.default_connection_id),
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
