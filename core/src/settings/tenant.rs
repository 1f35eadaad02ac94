//! The tenant's settings: defaults for every org, floors, and what only the operator decides.

use super::SettingsLayer;
use super::fields::{invalid, redirect_urls};
use super::floors::{Floors, FloorsPatch};
use super::patch::{Patch, SettingsPatch, object, unknown_field};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

impl TenantSettings {
    /// The tenant's settings after a merge-patch (setting fields flat, `floors`,
    /// `allowed_redirect_urls`); the defaults must still respect the floors.
    pub fn patched(&self, patch: &Value) -> Result<TenantSettings> {
        TenantSettingsPatch::from_json(patch)?.apply(self)
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
                    redirect_urls(key, list)
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
