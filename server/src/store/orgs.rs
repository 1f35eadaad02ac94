//! Organizations.

use super::{Page, PageQuery, Store, Tx, conflict};
use sqlx::AssertSqlSafe;
use super::{StoreError, StoreResult};
use orgkit_core::ErrorCode;
use orgkit_core::settings::SettingsLayer;
use serde_json::{Map, Value};

/// An organization as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    /// Id.
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Display name.
    pub name: String,
    /// Slug, unique per tenant.
    pub slug: String,
    /// Metadata object as JSON.
    pub metadata: String,
    /// The org's settings overrides (`SettingsLayer`) as JSON.
    pub settings: String,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Updated, unix seconds.
    pub updated_at: i64,
    /// 1 when the operator set the custom domain (trusted as set), else 0.
    pub custom_domain_by_operator: i64,
}

impl OrgRow {
    /// The org's own settings layer.
    pub fn settings(&self) -> StoreResult<SettingsLayer> {
        serde_json::from_str(&self.settings).map_err(StoreError::corrupt)
    }

    /// The metadata object.
    pub fn metadata(&self) -> StoreResult<Map<String, Value>> {
        serde_json::from_str(&self.metadata).map_err(StoreError::corrupt)
    }
}

/// The fields an insert or update writes.
#[derive(Debug, Clone)]
pub struct OrgWrite<'a> {
    /// Display name.
    pub name: &'a str,
    /// Slug.
    pub slug: &'a str,
    /// Metadata.
    pub metadata: &'a Map<String, Value>,
    /// Settings overrides.
    pub settings: &'a SettingsLayer,
    /// The operator set the custom domain.
    pub custom_domain_by_operator: bool,
}

const COLUMNS: &str = "id, tenant_id, name, slug, metadata, settings, created_at, updated_at, custom_domain_by_operator";

fn org_conflict(e: sqlx::Error) -> StoreError {
    conflict(e, |which| {
        if which.contains("custom_domain") {
            Some((ErrorCode::CustomDomainTaken, "this custom domain is used by another organization"))
        } else {
            Some((ErrorCode::SlugTaken, "an organization with this slug exists in the tenant"))
        }
    })
}

fn json(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(StoreError::corrupt)
}

impl Store {
    /// Inserts an organization.
    pub async fn insert_org(&self, tx: &mut Tx, id: &str, tenant_id: &str, org: &OrgWrite<'_>, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO organizations (id, tenant_id, name, slug, metadata, settings, custom_domain, created_at, updated_at, custom_domain_by_operator) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(id)
        .bind(tenant_id)
        .bind(org.name)
        .bind(org.slug)
        .bind(json(org.metadata)?)
        .bind(json(org.settings)?)
        .bind(org.settings.custom_domain.clone())
        .bind(now)
        .bind(i64::from(org.custom_domain_by_operator))
        .execute(&mut **tx)
        .await
        .map_err(org_conflict)?;
        Ok(())
    }

    /// Rewrites an organization's fields.
    pub async fn update_org(&self, tx: &mut Tx, id: &str, org: &OrgWrite<'_>, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE organizations SET name = $1, slug = $2, metadata = $3, settings = $4, custom_domain = $5, updated_at = $6, \
             custom_domain_by_operator = $8 WHERE id = $7",
        )
        .bind(org.name)
        .bind(org.slug)
        .bind(json(org.metadata)?)
        .bind(json(org.settings)?)
        .bind(org.settings.custom_domain.clone())
        .bind(now)
        .bind(id)
        .bind(i64::from(org.custom_domain_by_operator))
        .execute(&mut **tx)
        .await
        .map_err(org_conflict)?;
        Ok(())
    }

    /// Deletes an organization (memberships and invitations go with it).
    pub async fn delete_org(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM organizations WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// The org `id` of tenant `tenant_id` (another tenant's org does not exist here).
    pub async fn org(&self, tenant_id: &str, id: &str) -> StoreResult<Option<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE tenant_id = $1 AND id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(self.pool()).await?)
    }

    /// The org `id`, whichever tenant holds it (for a credential bound to one org, such as a
    /// SCIM token, which names its org and not its tenant).
    pub async fn org_by_id(&self, id: &str) -> StoreResult<Option<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(self.pool()).await?)
    }

    /// A tenant's org and a user's role in it (`None` when not a member), in one query: what
    /// every user-API read of an org needs first.
    pub async fn org_with_role(&self, tenant_id: &str, id: &str, user_id: &str) -> StoreResult<Option<(OrgRow, Option<String>)>> {
        #[derive(sqlx::FromRow)]
        struct OrgWithRole {
            #[sqlx(flatten)]
            org: OrgRow,
            member_role: Option<String>,
        }
        let row: Option<OrgWithRole> = sqlx::query_as(
            "SELECT o.id, o.tenant_id, o.name, o.slug, o.metadata, o.settings, o.created_at, o.updated_at, o.custom_domain_by_operator, \
             m.role AS member_role FROM organizations o LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = $3 \
             WHERE o.tenant_id = $1 AND o.id = $2",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| (r.org, r.member_role)))
    }

    /// The org by id or slug within a tenant.
    pub async fn org_by_id_or_slug(&self, tenant_id: &str, key: &str) -> StoreResult<Option<OrgRow>> {
        // An id wins over a slug: a slug shaped like an id (refused since, but perhaps stored
        // before) never stands for another org.
        let sql = format!(
            "SELECT {COLUMNS} FROM organizations WHERE tenant_id = $1 AND (id = $2 OR slug = $2) \
             ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(key).fetch_optional(self.pool()).await?)
    }

    /// The org, locked: every change to an org or its members locks its row first, so
    /// decisions that count owners or read settings see no concurrent change.
    pub async fn lock_org(&self, tx: &mut Tx, tenant_id: &str, id: &str) -> StoreResult<Option<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE tenant_id = $1 AND id = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// A page of a tenant's orgs.
    pub async fn list_orgs(&self, tenant_id: &str, page: &PageQuery) -> StoreResult<Page<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<OrgRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// A page of the orgs a user belongs to, with the user's role in each.
    pub async fn list_user_orgs(&self, user_id: &str, page: &PageQuery) -> StoreResult<Page<(OrgRow, String)>> {
        let sql = "SELECT o.id, o.tenant_id, o.name, o.slug, o.metadata, o.settings, o.created_at, o.updated_at, o.custom_domain_by_operator, m.role \
                   FROM memberships m JOIN organizations o ON o.id = m.org_id \
                   WHERE m.user_id = $1 AND m.org_id > $2 ORDER BY m.org_id LIMIT $3";
        let rows = sqlx::query(sql).bind(user_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            use sqlx::{FromRow, Row};
            let org = OrgRow::from_row(&row)?;
            let role: String = row.try_get("role")?;
            out.push((org, role));
        }
        Ok(page.page(out, |(o, _)| &o.id))
    }
}

impl Store {
    /// An org by id, whatever its tenant (an invitation token names its org).
    pub async fn org_by_id_any_tenant(&self, id: &str) -> StoreResult<Option<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(self.pool()).await?)
    }

    /// The org whose `custom_domain` is `domain` (unique across tenants), whatever its tenant.
    pub async fn org_by_custom_domain(&self, domain: &str) -> StoreResult<Option<OrgRow>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE custom_domain = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(domain).fetch_optional(self.pool()).await?)
    }
}
