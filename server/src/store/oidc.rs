//! OpenID Connect: an org's own OIDC connection and its client, the logins under way, and the
//! database's secret key.

use super::orgs::OrgRow;
use super::{Store, StoreError, StoreResult, Tx};
use orgkit_core::connection::OidcConnection;

/// An org's OIDC client as stored (its secret sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgOidcRow {
    /// The org.
    pub org_id: String,
    /// Its connection (kind `oidc`).
    pub connection_id: String,
    /// The client id at the provider.
    pub client_id: String,
    /// The client secret, sealed (`secrets::SecretBox`).
    pub client_secret: String,
}

/// A login under way, as its callback finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OidcLoginRow {
    /// The connection it started on.
    pub connection_id: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the code.
    pub code_verifier: String,
    /// Where the browser goes afterwards (checked when the login started).
    pub redirect_target: Option<String>,
}

/// A new login under way.
pub struct NewOidcLogin<'a> {
    /// SHA-256 of its `state`.
    pub state_hash: &'a str,
    /// The connection.
    pub connection_id: &'a str,
    /// The nonce sent.
    pub nonce: &'a str,
    /// The PKCE verifier.
    pub code_verifier: &'a str,
    /// Where the browser goes afterwards.
    pub redirect_target: Option<&'a str>,
    /// Until when its callback is accepted.
    pub expires_at: i64,
}

const ORG_OIDC_COLUMNS: &str = "org_id, connection_id, client_id, client_secret";

impl Store {
    /// Inserts `org`'s OIDC connection, named as the org (kind `oidc`: `entity_id` and `sso_url` hold the issuer,
    /// `groups_attribute` the groups claim).
    pub async fn insert_oidc_connection(&self, tx: &mut Tx, id: &str, org: &OrgRow, c: &OidcConnection, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO connections (id, tenant_id, kind, name, entity_id, sso_url, certificate, email_domains, created_at, owner_org_id, groups_attribute) \
             VALUES ($1, $2, 'oidc', $3, $4, $4, '', $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&org.tenant_id)
        .bind(&org.name)
        .bind(&c.issuer)
        .bind(serde_json::to_string(&c.email_domains).map_err(StoreError::corrupt)?)
        .bind(now)
        .bind(&org.id)
        .bind(c.groups_claim.clone())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Replaces an OIDC connection's provider fields in place (its id, hence its callback URL, stays).
    pub async fn update_oidc_connection(&self, tx: &mut Tx, id: &str, c: &OidcConnection) -> StoreResult<()> {
        sqlx::query("UPDATE connections SET entity_id = $2, sso_url = $2, email_domains = $3, groups_attribute = $4 WHERE id = $1")
            .bind(id)
            .bind(&c.issuer)
            .bind(serde_json::to_string(&c.email_domains).map_err(StoreError::corrupt)?)
            .bind(c.groups_claim.clone())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// An org's OIDC client, in a transaction.
    pub async fn org_oidc_tx(&self, tx: &mut Tx, org_id: &str) -> StoreResult<Option<OrgOidcRow>> {
        let sql = format!("SELECT {ORG_OIDC_COLUMNS} FROM org_oidc WHERE org_id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_optional(&mut **tx).await?)
    }

    /// An org's OIDC client.
    pub async fn org_oidc(&self, org_id: &str) -> StoreResult<Option<OrgOidcRow>> {
        let sql = format!("SELECT {ORG_OIDC_COLUMNS} FROM org_oidc WHERE org_id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_optional(self.pool()).await?)
    }

    /// The OIDC client of a connection.
    pub async fn oidc_client_of(&self, connection_id: &str) -> StoreResult<Option<OrgOidcRow>> {
        let sql = format!("SELECT {ORG_OIDC_COLUMNS} FROM org_oidc WHERE connection_id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(connection_id).fetch_optional(self.pool()).await?)
    }

    /// Stores an org's OIDC client, or replaces its id and sealed secret.
    pub async fn upsert_org_oidc(&self, tx: &mut Tx, row: &OrgOidcRow, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO org_oidc (org_id, connection_id, client_id, client_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (org_id) DO UPDATE SET client_id = $3, client_secret = $4, updated_at = $5",
        )
        .bind(&row.org_id)
        .bind(&row.connection_id)
        .bind(&row.client_id)
        .bind(&row.client_secret)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Records a login under way (dropping expired ones on the way).
    pub async fn insert_oidc_login(&self, login: &NewOidcLogin<'_>, now: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM oidc_logins WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO oidc_logins (state_hash, connection_id, nonce, code_verifier, redirect_target, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(login.state_hash)
        .bind(login.connection_id)
        .bind(login.nonce)
        .bind(login.code_verifier)
        .bind(login.redirect_target)
        .bind(login.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the login a callback's `state` names: once, unexpired, on its own connection. One
    /// statement marks it used, so two callbacks with one state cannot both proceed.
    pub async fn consume_oidc_login(&self, state_hash: &str, connection_id: &str, now: i64) -> StoreResult<Option<OidcLoginRow>> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE oidc_logins SET used_at = $3 WHERE state_hash = $1 AND connection_id = $2 AND used_at IS NULL AND expires_at >= $3")
            .bind(state_hash)
            .bind(connection_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let row = if done.rows_affected() == 1 {
            sqlx::query_as("SELECT connection_id, nonce, code_verifier, redirect_target FROM oidc_logins WHERE state_hash = $1")
                .bind(state_hash)
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        tx.commit().await?;
        Ok(row)
    }

    /// The database's secret key: `fresh` stored when there is none yet (the first instance to
    /// start wins), then the one stored.
    pub async fn ensure_secret_key(&self, fresh: &str, now: i64) -> StoreResult<String> {
        sqlx::query("INSERT INTO secret_keys (id, secret_key, created_at) VALUES ('default', $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(fresh)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(sqlx::query_scalar("SELECT secret_key FROM secret_keys WHERE id = 'default'").fetch_one(self.pool()).await?)
    }
}
