//! Organization fields other than settings: name, slug and free-form metadata, at creation and
//! as a merge-patch.

use crate::error::{Error, ErrorCode, Result};
use crate::role::Permission;
use crate::settings::{
    Patch, SettingsLayer, SettingsPatch, TenantSettings, check_default_connection, merge_json,
};
use crate::slug::validate_slug;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest org name, in characters.
pub const ORG_NAME_MAX_CHARS: usize = 100;
/// Most top-level metadata keys (Auth0's limit).
pub const METADATA_MAX_KEYS: usize = 25;
/// Longest metadata key, in bytes.
pub const METADATA_KEY_MAX_LEN: usize = 64;
/// Longest metadata string value, in characters.
pub const METADATA_STRING_MAX_CHARS: usize = 255;
/// Deepest nesting of metadata objects and arrays (the top-level object is depth 1).
pub const METADATA_MAX_DEPTH: usize = 3;
/// Largest metadata document, serialised, in bytes.
pub const METADATA_MAX_BYTES: usize = 4096;

/// A validated request to create an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganization {
    /// Display name, trimmed.
    pub name: String,
    /// Unique-per-tenant slug.
    pub slug: String,
    /// Free-form metadata object (bounded).
    pub metadata: Map<String, Value>,
    /// Initial setting overrides.
    pub settings: SettingsPatch,
}

/// A validated merge-patch of an organization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationPatch {
    /// New name, if given.
    pub name: Option<String>,
    /// New slug, if given.
    pub slug: Option<String>,
    /// A merge-patch for the metadata object (`null` clears it), if given.
    pub metadata: Option<Value>,
    /// Setting overrides.
    pub settings: SettingsPatch,
}

/// An organization's stored fields: what [`create_organization`] answers and
/// [`patch_organization`] changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrganizationState {
    /// Display name.
    pub name: String,
    /// Unique-per-tenant slug.
    pub slug: String,
    /// Free-form metadata.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub metadata: Map<String, Value>,
    /// Setting overrides.
    #[serde(default)]
    pub settings: SettingsLayer,
}

/// An organization after [`patch_organization`].
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationChange {
    /// The organization's fields to store.
    pub org: OrganizationState,
    /// Whether the patch named `custom_domain` at all (set or cleared), which decides who
    /// vouches for the domain afterwards.
    pub custom_domain_patched: bool,
    /// The permission the change needs: `org:update`, or `scim:manage` when it changes
    /// `group_role_mappings` (which decide roles up to owner, so only owners may set them).
    pub permission: Permission,
}

/// Creates an organization from an API body (`{name, slug, metadata?, <settings>…}`) under the
/// tenant's settings: the overrides must respect the tenant's floors (`below_tenant_floor`),
/// and a new org has no connection yet, so it cannot name a default one (`invalid_setting`).
///
/// ```
/// use orgkit_core::organization::create_organization;
/// use orgkit_core::settings::TenantSettings;
/// let mut tenant = TenantSettings::default();
/// tenant.floors.require_mfa = Some(true);
/// let body = serde_json::json!({"name": "Acme", "slug": "acme", "require_mfa": false});
/// let err = create_organization(&body, &tenant).unwrap_err();
/// assert_eq!(err.code(), "below_tenant_floor");
/// ```
pub fn create_organization(body: &Value, tenant: &TenantSettings) -> Result<OrganizationState> {
    let new = NewOrganization::from_json(body)?;
    tenant.floors.check_patch(&new.settings)?;
    let settings = new.settings.apply(&SettingsLayer::default());
    check_default_connection(&settings, Some(&[]))?;
    Ok(OrganizationState {
        name: new.name,
        slug: new.slug,
        metadata: new.metadata,
        settings,
    })
}

/// Applies an organization merge-patch (name, slug, metadata, settings) under the tenant's
/// settings: set values must respect the floors, and `default_connection_id` must name one of
/// `org_connections` when the caller knows them.
pub fn patch_organization(
    current: &OrganizationState,
    patch: &Value,
    tenant: &TenantSettings,
    org_connections: Option<&[String]>,
) -> Result<OrganizationChange> {
    let patch = OrganizationPatch::from_json(patch)?;
    tenant.floors.check_patch(&patch.settings)?;
    let settings = patch.settings.apply(&current.settings);
    check_default_connection(&settings, org_connections)?;
    let metadata = apply_metadata(&current.metadata, patch.metadata.as_ref())?;
    let mappings_changed = settings.group_role_mappings != current.settings.group_role_mappings;
    Ok(OrganizationChange {
        custom_domain_patched: !matches!(patch.settings.custom_domain, Patch::Unchanged),
        permission: if mappings_changed { Permission::ScimManage } else { Permission::OrgUpdate },
        org: OrganizationState {
            name: patch.name.unwrap_or_else(|| current.name.clone()),
            slug: patch.slug.unwrap_or_else(|| current.slug.clone()),
            metadata,
            settings,
        },
    })
}

impl NewOrganization {
    /// Parses `{name, slug, metadata?, <settings>…}`; unknown fields are refused.
    ///
    /// ```
    /// use orgkit_core::NewOrganization;
    /// let org = NewOrganization::from_json(&serde_json::json!({
    ///     "name": "Cardiology Department", "slug": "cardiology",
    ///     "metadata": { "department_code": "CARD-01" }
    /// })).unwrap();
    /// assert_eq!(org.slug, "cardiology");
    /// ```
    pub fn from_json(value: &Value) -> Result<NewOrganization> {
        let patch = OrganizationPatch::from_json(value)?;
        let name = patch.name.ok_or_else(|| missing("name"))?;
        let slug = patch.slug.ok_or_else(|| missing("slug"))?;
        let metadata = apply_metadata(&Map::new(), patch.metadata.as_ref())?;
        Ok(NewOrganization {
            name,
            slug,
            metadata,
            settings: patch.settings,
        })
    }
}

impl OrganizationPatch {
    /// Parses a merge-patch: `name`, `slug`, `metadata` and any setting field (snake_case or
    /// camelCase). `name` and `slug` cannot be `null`.
    pub fn from_json(value: &Value) -> Result<OrganizationPatch> {
        let map = value
            .as_object()
            .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "expected a JSON object"))?;
        let mut patch = OrganizationPatch::default();
        for (key, value) in map {
            match key.as_str() {
                "name" => patch.name = Some(validate_name(value)?),
                "slug" => {
                    let slug = value.as_str().ok_or_else(|| {
                        Error::new(ErrorCode::InvalidSlug, "slug must be a string")
                            .with_field("slug")
                    })?;
                    validate_slug(slug)?;
                    patch.slug = Some(slug.to_owned());
                }
                "metadata" => {
                    if !(value.is_object() || value.is_null()) {
                        return Err(invalid("metadata", "metadata must be an object or null"));
                    }
                    patch.metadata = Some(value.clone());
                }
                _ => {
                    if !patch.settings.set_field(key, value)? {
                        return Err(Error::new(
                            ErrorCode::UnknownField,
                            format!("unknown field {:?}", crate::role::truncate(key)),
                        )
                        .with_field(key.as_str()));
                    }
                }
            }
        }
        Ok(patch)
    }
}

/// Applies a metadata merge-patch to `current` and checks the result against the limits.
pub fn apply_metadata(
    current: &Map<String, Value>,
    patch: Option<&Value>,
) -> Result<Map<String, Value>> {
    let Some(patch) = patch else {
        return Ok(current.clone());
    };
    let mut doc = Value::Object(current.clone());
    if patch.is_null() {
        doc = Value::Object(Map::new());
    } else {
        merge_json(&mut doc, patch);
    }
    validate_metadata(&doc)?;
    match doc {
        Value::Object(map) => Ok(map),
        _ => Err(invalid("metadata", "metadata must be an object")),
    }
}

/// Checks a metadata document against the limits: an object of at most 25 keys of at most 64
/// bytes, strings of at most 255 characters, nesting at most 3 deep, 4 KiB serialised.
pub fn validate_metadata(doc: &Value) -> Result<()> {
    let map = doc
        .as_object()
        .ok_or_else(|| invalid("metadata", "metadata must be an object"))?;
    if map.len() > METADATA_MAX_KEYS {
        return Err(too_large(format!(
            "metadata has more than {METADATA_MAX_KEYS} keys"
        )));
    }
    check_value(doc, 1)?;
    let size = serde_json::to_vec(doc)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > METADATA_MAX_BYTES {
        return Err(too_large(format!(
            "metadata is larger than {METADATA_MAX_BYTES} bytes"
        )));
    }
    Ok(())
}

fn check_value(value: &Value, depth: usize) -> Result<()> {
    match value {
        Value::Object(map) => {
            if depth > METADATA_MAX_DEPTH {
                return Err(too_large(format!(
                    "metadata is nested more than {METADATA_MAX_DEPTH} deep"
                )));
            }
            for (key, v) in map {
                if key.is_empty() || key.len() > METADATA_KEY_MAX_LEN {
                    return Err(too_large(format!(
                        "metadata keys must be 1-{METADATA_KEY_MAX_LEN} bytes"
                    )));
                }
                check_value(v, depth + 1)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            if depth > METADATA_MAX_DEPTH {
                return Err(too_large(format!(
                    "metadata is nested more than {METADATA_MAX_DEPTH} deep"
                )));
            }
            items.iter().try_for_each(|v| check_value(v, depth + 1))
        }
        Value::String(s) if s.chars().count() > METADATA_STRING_MAX_CHARS => Err(too_large(
            format!("metadata strings must be at most {METADATA_STRING_MAX_CHARS} characters"),
        )),
        _ => Ok(()),
    }
}

/// Validates an org display name: a string of 1–100 characters after trimming, no control
/// characters. Returns it trimmed.
pub fn validate_name(value: &Value) -> Result<String> {
    let name = value.as_str().map(str::trim).unwrap_or_default();
    if name.is_empty()
        || name.chars().count() > ORG_NAME_MAX_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(invalid(
            "name",
            format!("name must be 1-{ORG_NAME_MAX_CHARS} characters of text"),
        ));
    }
    Ok(name.to_owned())
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOrganization, message).with_field(field)
}

fn too_large(message: String) -> Error {
    Error::new(ErrorCode::InputTooLarge, message).with_field("metadata")
}

fn missing(field: &str) -> Error {
    Error::new(ErrorCode::InvalidRequest, format!("{field} is required")).with_field(field)
}
