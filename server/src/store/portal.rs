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

/// A portal session: its link (org, intent) and its forms' CSRF token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalSessionRow {
    /// The link that opened it.
    pub link_id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The org.
    pub org_id: String,
    /// The intent.
    pub intent: String,
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

    /// Marks a link opened and records the session it gives.
    pub async fn open_portal_link(&self, tx: &mut Tx, link_id: &str, session_hash: &str, csrf_token: &str, now: i64, expires_at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE portal_links SET used_at = $1 WHERE id = $2").bind(now).bind(link_id).execute(&mut **tx).await?;
        sqlx::query("INSERT INTO portal_sessions (token_hash, link_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(session_hash)
            .bind(link_id)
            .bind(csrf_token)
            .bind(expires_at)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM portal_sessions WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
        Ok(())
    }

    /// The live session with this secret's hash.
    pub async fn portal_session(&self, token_hash: &str, now: i64) -> StoreResult<Option<PortalSessionRow>> {
        Ok(sqlx::query_as(
            "SELECT s.link_id, l.tenant_id, l.org_id, l.intent, s.csrf_token, s.expires_at \
             FROM portal_sessions s JOIN portal_links l ON l.id = s.link_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }
}
