//! Management keys: stored as the SHA-256 hash of a high-entropy secret, named, with their
//! creation, last use and revocation times. A revoked key stays listed and never authenticates
//! again; every request looks its key up here, so a revocation holds at once on every instance.

use super::tenants::TenantRow;
use super::{Store, Tx};
use super::StoreResult;

/// A management key as listed (no secret, no hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ManagementKeyRow {
    /// Id (UUID).
    pub id: String,
    /// The name the operator gave it.
    pub name: String,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last authenticated a request, unix seconds (within `auth::LAST_USED_RESOLUTION` seconds).
    pub last_used_at: Option<i64>,
    /// Revoked, unix seconds.
    pub revoked_at: Option<i64>,
}

/// A live (unrevoked) key and its tenant.
#[derive(Debug, Clone)]
pub struct LiveKey {
    /// The key's id.
    pub key_id: String,
    /// When it was last used.
    pub last_used_at: Option<i64>,
    /// Its tenant.
    pub tenant: TenantRow,
}

#[derive(sqlx::FromRow)]
struct LiveKeyRow {
    key_id: String,
    last_used_at: Option<i64>,
    id: String,
    slug: String,
    name: String,
    settings: String,
}

const KEY_COLUMNS: &str = "id, name, created_at, last_used_at, revoked_at";

impl Store {
    /// Stores a new management key of a tenant by its hash.
    pub async fn insert_management_key(&self, tx: &mut Tx, tenant_id: &str, key: &ManagementKeyRow, key_hash: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO management_keys (key_hash, tenant_id, id, name, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(key_hash)
            .bind(tenant_id)
            .bind(&key.id)
            .bind(&key.name)
            .bind(key.created_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The unrevoked key with this hash, and its tenant.
    pub async fn live_management_key(&self, key_hash: &str) -> StoreResult<Option<LiveKey>> {
        let row: Option<LiveKeyRow> = sqlx::query_as(
            "SELECT k.id AS key_id, k.last_used_at, t.id, t.slug, t.name, t.settings FROM management_keys k \
             JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| LiveKey {
            key_id: r.key_id,
            last_used_at: r.last_used_at,
            tenant: TenantRow { id: r.id, slug: r.slug, name: r.name, settings: r.settings },
        }))
    }

    /// Records that a key authenticated a request at `now`.
    pub async fn touch_management_key(&self, key_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE management_keys SET last_used_at = $1 WHERE id = $2").bind(now).bind(key_id).execute(self.pool()).await?;
        Ok(())
    }

    /// A tenant's keys, oldest first.
    pub async fn list_management_keys(&self, tenant_id: &str) -> StoreResult<Vec<ManagementKeyRow>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM management_keys WHERE tenant_id = $1 ORDER BY created_at, id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tenant_id).fetch_all(self.pool()).await?)
    }

    /// Revokes a tenant's key at `now` (a key revoked before keeps its time); answers the key,
    /// `None` when the tenant has no key with this id.
    pub async fn revoke_management_key(&self, tenant_id: &str, key_id: &str, now: i64) -> StoreResult<Option<ManagementKeyRow>> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE management_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL")
            .bind(now)
            .bind(tenant_id)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        let sql = format!("SELECT {KEY_COLUMNS} FROM management_keys WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tenant_id).bind(key_id).fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }
}
