//! SSO connections of a tenant and the orgs that allow them.

use super::{Page, PageQuery, Store, Tx, conflict};
use sqlx::AssertSqlSafe;
use super::{StoreError, StoreResult};
use orgkit_core::ErrorCode;
use orgkit_core::connection::SamlConnection;
use orgkit_core::login::Connection;

/// A connection as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    /// Id.
    pub id: String,
    /// Tenant.
    pub tenant_id: String,
    /// `saml`.
    pub kind: String,
    /// Display name.
    pub name: String,
    /// IdP entity id.
    pub entity_id: String,
    /// IdP SSO URL.
    pub sso_url: String,
    /// IdP certificate, PEM.
    pub certificate: String,
    /// Email domains as a JSON array.
    pub email_domains: String,
    /// Created, unix seconds.
    pub created_at: i64,
    /// The org that configured it (its own SSO, user API); `None`: the operator's.
    pub owner_org_id: Option<String>,
    /// The SAML attribute carrying the user's IdP groups, when roles follow them.
    pub groups_attribute: Option<String>,
}

impl ConnectionRow {
    /// The routed email domains.
    pub fn email_domains(&self) -> StoreResult<Vec<String>> {
        serde_json::from_str(&self.email_domains).map_err(StoreError::corrupt)
    }

    /// The connection as login policy sees it: an org's own connection carries its org's
    /// verified domains (`org_verified`, read by the caller); the operator's trusts its domains.
    pub fn for_login(&self, org_verified: Option<Vec<String>>) -> StoreResult<Connection> {
        Ok(Connection { id: self.id.clone(), email_domains: self.email_domains()?, verified_domains: org_verified })
    }
}

const COLUMNS: &str = "id, tenant_id, kind, name, entity_id, sso_url, certificate, email_domains, created_at, owner_org_id, groups_attribute";

impl Store {
    /// Inserts a SAML connection: the operator's, or the own connection of `owner_org_id`.
    pub async fn insert_connection(&self, tx: &mut Tx, id: &str, tenant_id: &str, c: &SamlConnection, owner_org_id: Option<&str>, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO connections (id, tenant_id, kind, name, entity_id, sso_url, certificate, email_domains, created_at, owner_org_id, groups_attribute) \
             VALUES ($1, $2, 'saml', $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(tenant_id)
        .bind(&c.name)
        .bind(&c.entity_id)
        .bind(&c.sso_url)
        .bind(&c.certificate)
        .bind(serde_json::to_string(&c.email_domains).map_err(StoreError::corrupt)?)
        .bind(now)
        .bind(owner_org_id)
        .bind(c.groups_attribute.clone())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// A connection of a tenant.
    pub async fn connection(&self, tenant_id: &str, id: &str) -> StoreResult<Option<ConnectionRow>> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE tenant_id = $1 AND id = $2");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(self.pool()).await?)
    }

    /// A connection, read in a transaction (one it may have just written).
    pub async fn connection_tx(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<ConnectionRow>> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// The id of `org_id`'s own connection of `kind` (`saml` or `oidc`), locked.
    pub async fn own_connection_tx(&self, tx: &mut Tx, org_id: &str, kind: &str) -> StoreResult<Option<String>> {
        let sql = format!("SELECT id FROM connections WHERE owner_org_id = $1 AND kind = $2{}", self.for_update());
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(org_id).bind(kind).fetch_optional(&mut **tx).await?)
    }

    /// A page of a tenant's connections.
    pub async fn list_connections(&self, tenant_id: &str, page: &PageQuery) -> StoreResult<Page<ConnectionRow>> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<ConnectionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(&page.after)
            .bind(page.fetch())
            .fetch_all(self.pool())
            .await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// Deletes a connection (orgs stop allowing it).
    pub async fn delete_connection(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// The ids of the connections an org allows.
    pub async fn org_connection_ids(&self, tx: &mut Tx, org_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT connection_id FROM org_connections WHERE org_id = $1 ORDER BY connection_id")
            .bind(org_id)
            .fetch_all(&mut **tx)
            .await?)
    }

    /// The orgs whose settings name a connection as their default (must be checked before it goes).
    pub async fn orgs_allowing(&self, tx: &mut Tx, connection_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT org_id FROM org_connections WHERE connection_id = $1 ORDER BY org_id")
            .bind(connection_id)
            .fetch_all(&mut **tx)
            .await?)
    }

    /// Allows a connection for an org.
    pub async fn insert_org_connection(&self, tx: &mut Tx, org_id: &str, connection_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO org_connections (org_id, connection_id, created_at) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(connection_id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, |_| Some((ErrorCode::InvalidRequest, "the connection is already enabled for the organization"))))?;
        Ok(())
    }

    /// Stops allowing a connection for an org; answers whether it was allowed.
    pub async fn delete_org_connection(&self, tx: &mut Tx, org_id: &str, connection_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM org_connections WHERE org_id = $1 AND connection_id = $2")
            .bind(org_id)
            .bind(connection_id)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The tenant's connections that may route an email: the operator's, and each org's own
    /// connection while that org allows it (disabling an org's SSO stops its routing at once).
    pub async fn live_tenant_connections(&self, tenant_id: &str) -> StoreResult<Vec<ConnectionRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM connections c WHERE c.tenant_id = $1 AND (c.owner_org_id IS NULL OR EXISTS \
             (SELECT 1 FROM org_connections oc WHERE oc.org_id = c.owner_org_id AND oc.connection_id = c.id)) ORDER BY c.id"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).fetch_all(self.pool()).await?)
    }

    /// Every connection an org allows, for email-domain routing.
    pub async fn org_connections(&self, org_id: &str) -> StoreResult<Vec<ConnectionRow>> {
        let sql = "SELECT c.id, c.tenant_id, c.kind, c.name, c.entity_id, c.sso_url, c.certificate, c.email_domains, c.created_at, c.owner_org_id, c.groups_attribute \
                   FROM org_connections oc JOIN connections c ON c.id = oc.connection_id \
                   WHERE oc.org_id = $1 ORDER BY oc.connection_id";
        Ok(sqlx::query_as(sql).bind(org_id).fetch_all(self.pool()).await?)
    }

    /// A page of the connections an org allows.
    pub async fn list_org_connections(&self, org_id: &str, page: &PageQuery) -> StoreResult<Page<ConnectionRow>> {
        let sql = "SELECT c.id, c.tenant_id, c.kind, c.name, c.entity_id, c.sso_url, c.certificate, c.email_domains, c.created_at, c.owner_org_id, c.groups_attribute \
                   FROM org_connections oc JOIN connections c ON c.id = oc.connection_id \
                   WHERE oc.org_id = $1 AND oc.connection_id > $2 ORDER BY oc.connection_id LIMIT $3";
        let rows: Vec<ConnectionRow> =
            sqlx::query_as(sql).bind(org_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }
}
