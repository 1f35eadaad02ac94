//! Tenants: creation (CLI and first start) and their settings (defaults + floors).

use crate::service::management_keys;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::AuditEntry;
use crate::store::tenants::TenantRow;
use crate::store::{Store, new_id};
use orgkit_core::settings::TenantSettings;
use serde_json::{Value, json};

/// The tenant a fresh database starts with.
pub const DEFAULT_TENANT: &str = "default";

/// Creates a tenant and its first management key; answers the key (shown once, stored hashed).
pub async fn create(store: &Store, slug: &str, name: Option<&str>) -> ApiResult<String> {
    orgkit_core::validate_slug(slug)?;
    let name = match name {
        Some(n) => orgkit_core::organization::validate_name(&json!(n))?,
        None => slug.to_owned(),
    };
    let now = store.now();
    let id = new_id();
    let mut tx = store.begin().await?;
    store.insert_tenant(&mut tx, &id, slug, &name, now).await?;
    let (_, key) = management_keys::insert(store, &mut tx, &id, management_keys::INITIAL_KEY_NAME, now).await?;
    tx.commit().await?;
    Ok(key)
}

/// On an empty database, creates tenant `default` and answers its management key.
pub async fn bootstrap(store: &Store) -> ApiResult<Option<String>> {
    if store.tenant_count().await? > 0 {
        return Ok(None);
    }
    match create(store, DEFAULT_TENANT, Some("Default")).await {
        Ok(key) => Ok(Some(key)),
        // Another instance bootstrapped first.
        Err(e) if e.code() == orgkit_core::ErrorCode::SlugTaken => Ok(None),
        Err(e) => Err(e),
    }
}

/// Applies a merge-patch to the tenant's settings; the defaults must respect the floors.
pub async fn patch_settings(store: &Store, tenant: &TenantRow, body: &Value) -> ApiResult<TenantSettings> {
    let mut tx = store.begin().await?;
    let current = store.lock_tenant(&mut tx, &tenant.id).await?.ok_or_else(|| ApiError::not_found("tenant"))?.settings()?;
    let next = current.patched(body)?;
    let now = store.now();
    store.update_tenant_settings(&mut tx, &tenant.id, &next, now).await?;
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: "management_key", action: "tenant.settings_updated", target: None };
    store.audit(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(next)
}
