//! Admin-portal links and the sessions opened links give.

use super::{Store, StoreResult, Tx};

/// A portal link as stored (its secret only as a hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalLinkRow {
    /// Id.
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The one org it opens.
    pub org_id: String,
    /// What for (`sso`, `domains`, `scim`, `members`, `audit_log`).
    pub intent: String,
    /// Made, unix seconds.
    pub created_at: i64,
    /// Opened, unix seconds.
    pub used_at: Option<i64>,
}

/// A portal session as stored: an opened link's (`link_id`, `intent`) or a signed-in member's
/// (`user_id`, `authentication`), in one org, with its forms' CSRF token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalSessionRow {
    /// The tenant.
    pub tenant_id: String,
    /// The org.
    pub org_id: String,
    /// The link that opened it.
    pub link_id: Option<String>,
    /// The link's intent.
    pub intent: Option<String>,
    /// The signed-in member.
    pub user_id: Option<String>,
    /// How the member authenticated (their token's `amr`, `cid`, `auth_time`), JSON.
    pub authentication: Option<String>,
    /// The token every form of the session carries.
    pub csrf_token: String,
    /// When it ends, unix seconds.
    pub expires_at: i64,
}

impl Store {
    /// Records a link.
    pub async fn insert_portal_link(&self, row: &PortalLinkRow, token_hash: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO portal_links (id, tenant_id, org_id, intent, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&row.id)
            .bind(&row.tenant_id)
            .bind(&row.org_id)
            .bind(&row.intent)
            .bind(token_hash)
            .bind(row.created_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The link with this secret's hash, locked to be opened.
    pub async fn lock_portal_link(&self, tx: &mut Tx, token_hash: &str) -> StoreResult<Option<PortalLinkRow>> {
        let sql = format!(
            "SELECT id, tenant_id, org_id, intent, created_at, used_at FROM portal_links WHERE token_hash = $1{}",
            self.for_update()
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&mut **tx).await?)
    }

    /// Marks a link opened.
    pub async fn use_portal_link(&self, tx: &mut Tx, link_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE portal_links SET used_at = $1 WHERE id = $2").bind(now).bind(link_id).execute(&mut **tx).await?;
        Ok(())
    }

    /// Records a session under its secret's hash (and forgets the expired ones).
    pub async fn insert_portal_session(&self, tx: &mut Tx, token_hash: &str, row: &PortalSessionRow, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO portal_sessions (token_hash, tenant_id, org_id, link_id, intent, user_id, authentication, csrf_token, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(token_hash)
        .bind(&row.tenant_id)
        .bind(&row.org_id)
        .bind(&row.link_id)
        .bind(&row.intent)
        .bind(&row.user_id)
        .bind(&row.authentication)
        .bind(&row.csrf_token)
        .bind(row.expires_at)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM portal_sessions WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
        Ok(())
    }

    /// The live session with this secret's hash.
    pub async fn portal_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<PortalSessionRow>> {
        Ok(sqlx::query_as(
            "SELECT tenant_id, org_id, link_id, intent, user_id, authentication, csrf_token, expires_at \
             FROM portal_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }
}
