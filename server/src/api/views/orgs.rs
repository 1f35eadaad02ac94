//! Organizations and the tenant's settings.

use super::settings::{EffectiveSettingsView, EffectiveSettingsViewCamel, FloorsView, SettingsLayerView, SettingsLayerViewCamel};
use super::time;
use crate::error::ApiResult;
use crate::store::orgs::OrgRow;
use orgkit_core::settings::{SettingsLayer, TenantSettings, resolve};
use poem_openapi::Object;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// An organization as the management API shows it (seed 000): its own settings flat (`null`
/// while inherited), and `effective`, each value with its source.
#[derive(Object, Serialize)]
pub struct ManagedOrg {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug, unique per tenant.
    pub slug: String,
    /// Free-form metadata.
    pub metadata: BTreeMap<String, Value>,
    /// The org's overrides.
    #[oai(flatten)]
    #[serde(flatten)]
    pub settings: SettingsLayerView,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The settings that apply, resolved over the tenant's.
    pub effective: EffectiveSettingsView,
}

impl ManagedOrg {
    /// The view of `org` under `tenant`'s settings (a list parses those once for all its orgs).
    pub fn new(tenant: &TenantSettings, org: OrgRow) -> ApiResult<ManagedOrg> {
        let layer = org.settings()?;
        let effective = resolve(tenant, &layer).into();
        Ok(ManagedOrg {
            metadata: org.metadata()?.into_iter().collect(),
            settings: layer.into(),
            created_at: time(org.created_at),
            updated_at: time(org.updated_at),
            effective,
            id: org.id,
            name: org.name,
            slug: org.slug,
        })
    }
}

/// An organization as the user API shows it (seed 004), with the caller's role.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UserOrg {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug, unique per tenant.
    pub slug: String,
    /// Free-form metadata.
    pub metadata: BTreeMap<String, Value>,
    /// The caller's role, `null` when they act without a membership.
    #[oai(nullable)]
    pub role: Option<String>,
    /// The org's overrides, `null` while inherited.
    pub settings: SettingsLayerViewCamel,
    /// The settings that apply, each with its source.
    pub effective_settings: EffectiveSettingsViewCamel,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

impl UserOrg {
    /// The view of `org` under `tenant`'s settings, for a caller with `role`.
    pub fn new(tenant: &TenantSettings, org: OrgRow, role: Option<&str>) -> ApiResult<UserOrg> {
        let layer = org.settings()?;
        let effective_settings = resolve(tenant, &layer).into();
        Ok(UserOrg {
            metadata: org.metadata()?.into_iter().collect(),
            role: role.map(str::to_owned),
            settings: layer.into(),
            effective_settings,
            created_at: time(org.created_at),
            updated_at: time(org.updated_at),
            id: org.id,
            name: org.name,
            slug: org.slug,
        })
    }
}

/// A tenant's settings: its defaults flat, its floors, its redirect allow-list, and the
/// values that apply to an org that overrides nothing.
#[derive(Object, Serialize)]
pub struct TenantSettingsView {
    /// The defaults every org inherits.
    #[oai(flatten)]
    #[serde(flatten)]
    pub defaults: SettingsLayerView,
    /// The least strict value an org may have for each security setting.
    pub floors: FloorsView,
    /// Where a browser may go after an SSO login besides this server's origin.
    pub allowed_redirect_urls: Vec<String>,
    /// The values that apply to an org without overrides.
    pub effective: EffectiveSettingsView,
}

impl From<TenantSettings> for TenantSettingsView {
    fn from(settings: TenantSettings) -> TenantSettingsView {
        let effective = resolve(&settings, &SettingsLayer::default()).into();
        TenantSettingsView {
            defaults: settings.defaults.into(),
            floors: settings.floors.into(),
            allowed_redirect_urls: settings.allowed_redirect_urls,
            effective,
        }
    }
}
