//! Tenants (their management keys: `management_keys.rs`).

use super::{Store, Tx, conflict};
use sqlx::AssertSqlSafe;
use super::{StoreError, StoreResult};
use orgkit_core::ErrorCode;
use orgkit_core::settings::TenantSettings;

/// A tenant.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    /// Id.
    pub id: String,
    /// Slug (`default`, `acme`, …), the `{tenant}` of management URLs.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// `TenantSettings` as JSON.
    pub settings: String,
}

impl TenantRow {
    /// The tenant's settings (defaults and floors).
    pub fn settings(&self) -> StoreResult<TenantSettings> {
        serde_json::from_str(&self.settings).map_err(StoreError::corrupt)
    }
}

const COLUMNS: &str = "id, slug, name, settings";

impl Store {
    /// How many tenants exist.
    pub async fn tenant_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tenants").fetch_one(self.pool()).await?)
    }

    /// Creates a tenant with empty settings.
    pub async fn insert_tenant(&self, tx: &mut Tx, id: &str, slug: &str, name: &str, now: i64) -> StoreResult<()> {
        let settings = serde_json::to_string(&TenantSettings::default()).map_err(StoreError::corrupt)?;
        sqlx::query("INSERT INTO tenants (id, slug, name, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(id)
            .bind(slug)
            .bind(name)
            .bind(settings)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, |_| Some((ErrorCode::SlugTaken, "a tenant with this slug exists"))))?;
        Ok(())
    }

    /// The tenant with this slug.
    pub async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>> {
        let sql = format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(self.pool()).await?)
    }

    /// The tenant with this id.
    pub async fn tenant_by_id(&self, id: &str) -> StoreResult<Option<TenantRow>> {
        let sql = format!("SELECT {COLUMNS} FROM tenants WHERE id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(self.pool()).await?)
    }

    /// The tenant, locked for a settings change.
    pub async fn lock_tenant(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<TenantRow>> {
        let sql = format!("SELECT {COLUMNS} FROM tenants WHERE id = $1{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// Replaces a tenant's settings.
    pub async fn update_tenant_settings(&self, tx: &mut Tx, id: &str, settings: &TenantSettings, now: i64) -> StoreResult<()> {
        let json = serde_json::to_string(settings).map_err(StoreError::corrupt)?;
        sqlx::query("UPDATE tenants SET settings = $1, updated_at = $2 WHERE id = $3")
            .bind(json)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
