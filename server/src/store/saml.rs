//! SAML SSO state: each org's own connection, the AuthnRequests we issued, and the assertions
//! already consumed (the replay guard).

use super::connections::ConnectionRow;
use super::{Store, Tx};
use super::{StoreError, StoreResult};
use orgkit_core::connection::SamlConnection;

/// An org's own SAML connection, as `org_sso` links it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgSsoRow {
    /// The org.
    pub org_id: String,
    /// Its connection.
    pub connection_id: String,
}

/// What consuming an assertion id answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionUse {
    /// First use: recorded.
    First,
    /// Already recorded (a replay).
    Replayed,
}

impl Store {
    /// The org's own SAML connection, if it configured one.
    pub async fn org_sso(&self, org_id: &str) -> StoreResult<Option<OrgSsoRow>> {
        Ok(sqlx::query_as("SELECT org_id, connection_id FROM org_sso WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The org's own SAML connection, read in a transaction.
    pub async fn org_sso_tx(&self, tx: &mut Tx, org_id: &str) -> StoreResult<Option<OrgSsoRow>> {
        Ok(sqlx::query_as("SELECT org_id, connection_id FROM org_sso WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?)
    }

    /// The org whose own connection `connection_id` is.
    pub async fn org_sso_by_connection(&self, connection_id: &str) -> StoreResult<Option<OrgSsoRow>> {
        Ok(sqlx::query_as("SELECT org_id, connection_id FROM org_sso WHERE connection_id = $1")
            .bind(connection_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Links an org to its own connection.
    pub async fn insert_org_sso(&self, tx: &mut Tx, org_id: &str, connection_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO org_sso (org_id, connection_id, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(org_id)
            .bind(connection_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Replaces a connection's IdP fields in place (its id, hence its ACS URL, stays).
    pub async fn update_connection(&self, tx: &mut Tx, id: &str, c: &SamlConnection, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE connections SET name = $2, entity_id = $3, sso_url = $4, certificate = $5, email_domains = $6, groups_attribute = $7 WHERE id = $1")
            .bind(id)
            .bind(&c.name)
            .bind(&c.entity_id)
            .bind(&c.sso_url)
            .bind(&c.certificate)
            .bind(serde_json::to_string(&c.email_domains).map_err(StoreError::corrupt)?)
            .bind(c.groups_attribute.clone())
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE org_sso SET updated_at = $2 WHERE connection_id = $1").bind(id).bind(now).execute(&mut **tx).await?;
        Ok(())
    }

    /// Whether an org allows a connection, read in a transaction.
    pub async fn org_allows(&self, tx: &mut Tx, org_id: &str, connection_id: &str) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_connections WHERE org_id = $1 AND connection_id = $2")
            .bind(org_id)
            .bind(connection_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(n > 0)
    }

    /// The ids of the connections an org allows, outside a transaction.
    pub async fn org_connection_ids_read(&self, org_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT connection_id FROM org_connections WHERE org_id = $1 ORDER BY connection_id")
            .bind(org_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// A connection by id alone (the SAML endpoints are named by connection, not tenant).
    pub async fn connection_by_id(&self, id: &str) -> StoreResult<Option<ConnectionRow>> {
        Ok(sqlx::query_as(
            "SELECT id, tenant_id, kind, name, entity_id, sso_url, certificate, email_domains, created_at, owner_org_id, groups_attribute FROM connections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records an AuthnRequest we sent, valid until `expires_at`.
    pub async fn insert_saml_request(&self, id: &str, connection_id: &str, now: i64, expires_at: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM saml_requests WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO saml_requests (id, connection_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(connection_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks an AuthnRequest of this connection used; answers false when there is no such
    /// unused, unexpired request. One statement, so two responses to one request cannot both
    /// consume it.
    pub async fn consume_saml_request(&self, tx: &mut Tx, id: &str, connection_id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE saml_requests SET used_at = $3 WHERE id = $1 AND connection_id = $2 AND used_at IS NULL AND expires_at >= $3",
        )
        .bind(id)
        .bind(connection_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a consumed assertion until `expires_at`. The primary key decides: a second
    /// insert of the same id, from this instance or another, is [`AssertionUse::Replayed`].
    /// Expired records are dropped on the way (a response that old fails its time checks).
    pub async fn use_assertion(&self, tx: &mut Tx, connection_id: &str, assertion_id: &str, expires_at: i64, now: i64) -> StoreResult<AssertionUse> {
        sqlx::query("DELETE FROM saml_assertions WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
        // ON CONFLICT DO NOTHING keeps a PostgreSQL transaction usable after a duplicate.
        let done = sqlx::query(
            "INSERT INTO saml_assertions (connection_id, assertion_id, expires_at, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (connection_id, assertion_id) DO NOTHING",
        )
        .bind(connection_id)
        .bind(assertion_id)
        .bind(expires_at)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(if done.rows_affected() == 1 { AssertionUse::First } else { AssertionUse::Replayed })
    }
}
