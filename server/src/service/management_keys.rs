//! Management keys of a tenant: issued (the secret shown once, its hash stored), listed
//! without any secret, revoked. The CLI (`orgkit-server tenant keys …`) drives these.

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store::management_keys::ManagementKeyRow;
use crate::store::tenants::TenantRow;
use crate::store::{Store, Tx, is_uuid, new_id};
use orgkit_core::ErrorCode;
use serde::Serialize;

/// The name of the key a tenant is created with.
pub const INITIAL_KEY_NAME: &str = "initial";

/// A key just issued: the only time its secret is shown.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedKey {
    /// The tenant's slug.
    pub tenant: String,
    /// The key's id (to list and revoke it by).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The secret, `ok_mgmt_…`, sent as `Authorization: Bearer …`.
    pub management_key: String,
}

/// A key as listed: no secret, no hash; times in RFC 3339.
#[derive(Debug, Clone, Serialize)]
pub struct ListedKey {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Created.
    pub created_at: String,
    /// Last authenticated a request (to the minute), if ever.
    pub last_used_at: Option<String>,
    /// Revoked, if it is.
    pub revoked_at: Option<String>,
}

impl From<ManagementKeyRow> for ListedKey {
    fn from(k: ManagementKeyRow) -> ListedKey {
        ListedKey {
            id: k.id,
            name: k.name,
            created_at: clock::rfc3339(k.created_at),
            last_used_at: k.last_used_at.map(clock::rfc3339),
            revoked_at: k.revoked_at.map(clock::rfc3339),
        }
    }
}

/// Stores a new key of `tenant_id` in `tx`; answers its row and its secret.
pub(crate) async fn insert(store: &Store, tx: &mut Tx, tenant_id: &str, name: &str, now: i64) -> ApiResult<(ManagementKeyRow, String)> {
    let secret = format!("ok_mgmt_{}", clock::random_token(32)?);
    let row = ManagementKeyRow { id: new_id(), name: name.to_owned(), created_at: now, last_used_at: None, revoked_at: None };
    store.insert_management_key(tx, tenant_id, &row, &clock::sha256_hex(&secret)).await?;
    Ok((row, secret))
}

/// Issues a new key named `name` to the tenant with slug `tenant`.
pub async fn issue(store: &Store, tenant: &str, name: &str) -> ApiResult<IssuedKey> {
    // A key's name follows the rule of display names; the code says it is the request's fault.
    let name = orgkit_core::organization::validate_name(&serde_json::json!(name)).map_err(|e| ApiError::new(ErrorCode::InvalidRequest, e.message))?;
    let tenant = named_tenant(store, tenant).await?;
    let mut tx = store.begin().await?;
    let (row, secret) = insert(store, &mut tx, &tenant.id, &name, store.now()).await?;
    tx.commit().await?;
    Ok(IssuedKey { tenant: tenant.slug, id: row.id, name: row.name, management_key: secret })
}

/// Every key of the tenant with slug `tenant`, revoked ones included, oldest first.
pub async fn list(store: &Store, tenant: &str) -> ApiResult<Vec<ListedKey>> {
    let tenant = named_tenant(store, tenant).await?;
    Ok(store.list_management_keys(&tenant.id).await?.into_iter().map(ListedKey::from).collect())
}

/// Revokes key `id` of the tenant with slug `tenant`: from now on it answers 401 on every
/// instance. Revoking a revoked key changes nothing.
pub async fn revoke(store: &Store, tenant: &str, id: &str) -> ApiResult<ListedKey> {
    let tenant = named_tenant(store, tenant).await?;
    let missing = || ApiError::not_found("management key");
    if !is_uuid(id) {
        return Err(missing());
    }
    store.revoke_management_key(&tenant.id, id, store.now()).await?.map(ListedKey::from).ok_or_else(missing)
}

async fn named_tenant(store: &Store, slug: &str) -> ApiResult<TenantRow> {
    store.tenant_by_slug(slug).await?.ok_or_else(|| ApiError::not_found("tenant"))
}
