//! Invitations: the store's half of single use (the token's hash, accepted/revoked times).

use super::{Page, PageQuery, Store, Tx};
use sqlx::AssertSqlSafe;
use super::{StoreError, StoreResult};
use orgkit_core::Role;
use orgkit_core::token::InvitationRecord;

/// An invitation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    /// Id.
    pub id: String,
    /// Org.
    pub org_id: String,
    /// Invited email, normalised.
    pub email: String,
    /// Role granted on acceptance.
    pub role: String,
    /// SHA-256 of the current token; a resend replaces it, so older links stop working.
    pub token_hash: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Accepted at.
    pub accepted_at: Option<i64>,
    /// Revoked at.
    pub revoked_at: Option<i64>,
    /// Created at.
    pub created_at: i64,
    /// How many times it was sent again.
    pub resends: i64,
}

impl InvitationRow {
    /// What core needs to decide the status.
    pub fn record(&self) -> InvitationRecord {
        InvitationRecord {
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            revoked_at: self.revoked_at,
            resends: u32::try_from(self.resends).unwrap_or(u32::MAX),
        }
    }

    /// The role.
    pub fn role(&self) -> StoreResult<Role> {
        Role::parse(&self.role).map_err(StoreError::corrupt)
    }
}

const COLUMNS: &str = "id, org_id, email, role, token_hash, expires_at, accepted_at, revoked_at, created_at, resends";

impl Store {
    /// Inserts an invitation.
    pub async fn insert_invitation(&self, tx: &mut Tx, inv: &InvitationRow, invited_by: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&inv.id)
        .bind(&inv.org_id)
        .bind(&inv.email)
        .bind(&inv.role)
        .bind(&inv.token_hash)
        .bind(invited_by)
        .bind(inv.expires_at)
        .bind(inv.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The invitation, locked for a state change.
    pub async fn lock_invitation(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<InvitationRow>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = $1{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// An invitation, without locking.
    pub async fn invitation(&self, id: &str) -> StoreResult<Option<InvitationRow>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(self.pool()).await?)
    }

    /// Every invitation of an org to one address, in the transaction that locked the org (so
    /// that two invitations to one address cannot both find none pending).
    pub async fn invitations_to(&self, tx: &mut Tx, org_id: &str, email: &str) -> StoreResult<Vec<InvitationRow>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations WHERE org_id = $1 AND email = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(email).fetch_all(&mut **tx).await?)
    }

    /// A new token (and expiry) for a resend, counted.
    pub async fn reissue_invitation(&self, tx: &mut Tx, id: &str, token_hash: &str, expires_at: i64, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE invitations SET token_hash = $1, expires_at = $2, updated_at = $3, resends = resends + 1 WHERE id = $4")
            .bind(token_hash)
            .bind(expires_at)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Marks an invitation revoked.
    pub async fn revoke_invitation(&self, tx: &mut Tx, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE invitations SET revoked_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Marks an invitation accepted by a user.
    pub async fn accept_invitation(&self, tx: &mut Tx, id: &str, user_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE invitations SET accepted_at = $1, accepted_by = $2, updated_at = $1 WHERE id = $3")
            .bind(now)
            .bind(user_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A page of an org's pending invitations (not accepted, not revoked, not expired at `now`).
    pub async fn list_pending_invitations(&self, org_id: &str, now: i64, page: &PageQuery) -> StoreResult<Page<InvitationRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invitations WHERE org_id = $1 AND id > $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 ORDER BY id LIMIT $4"
        );
        let rows: Vec<InvitationRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(&page.after)
            .bind(now)
            .bind(page.fetch())
            .fetch_all(self.pool())
            .await?;
        Ok(page.page(rows, |r| &r.id))
    }
}
