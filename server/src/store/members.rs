//! Memberships: a user's role in an org.

use super::{Page, PageQuery, Store, Tx, conflict};
use sqlx::AssertSqlSafe;
use super::{StoreError, StoreResult};
use orgkit_core::{ErrorCode, Role};

/// A membership joined with its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// The member's user id.
    pub user_id: String,
    /// The org.
    pub org_id: String,
    /// Role name as stored.
    pub role: String,
    /// The user's email.
    pub email: String,
    /// The user's name.
    pub name: Option<String>,
    /// When the membership began.
    pub created_at: i64,
}

impl MemberRow {
    /// The role.
    pub fn role(&self) -> StoreResult<Role> {
        Role::parse(&self.role).map_err(StoreError::corrupt)
    }
}

const SELECT: &str = "SELECT m.user_id, m.org_id, m.role, u.email, u.name, m.created_at \
                      FROM memberships m JOIN users u ON u.id = m.user_id";

impl Store {
    /// Adds a membership; an existing one is `already_member`.
    pub async fn insert_member(&self, tx: &mut Tx, org_id: &str, user_id: &str, role: Role, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(org_id)
            .bind(user_id)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, |_| Some((ErrorCode::AlreadyMember, "the user is already a member of the organization"))))?;
        Ok(())
    }

    /// A membership, read inside a transaction that locked the org.
    pub async fn member_tx(&self, tx: &mut Tx, org_id: &str, user_id: &str) -> StoreResult<Option<MemberRow>> {
        let sql = format!("{SELECT} WHERE m.org_id = $1 AND m.user_id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(user_id).fetch_optional(&mut **tx).await?)
    }

    /// Every membership of a user, read inside a transaction.
    pub async fn memberships_of_tx(&self, tx: &mut Tx, user_id: &str) -> StoreResult<Vec<MemberRow>> {
        let sql = format!("{SELECT} WHERE m.user_id = $1 ORDER BY m.org_id");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(user_id).fetch_all(&mut **tx).await?)
    }

    /// A membership.
    pub async fn member(&self, org_id: &str, user_id: &str) -> StoreResult<Option<MemberRow>> {
        let sql = format!("{SELECT} WHERE m.org_id = $1 AND m.user_id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(user_id).fetch_optional(self.pool()).await?)
    }

    /// How many owners an org has (inside the transaction that locked the org).
    pub async fn owner_count(&self, tx: &mut Tx, org_id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = $2")
            .bind(org_id)
            .bind(Role::Owner.as_str())
            .fetch_one(&mut **tx)
            .await?)
    }

    /// Changes a member's role.
    pub async fn update_member_role(&self, tx: &mut Tx, org_id: &str, user_id: &str, role: Role, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE memberships SET role = $1, updated_at = $2 WHERE org_id = $3 AND user_id = $4")
            .bind(role.as_str())
            .bind(now)
            .bind(org_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Removes a member.
    pub async fn delete_member(&self, tx: &mut Tx, org_id: &str, user_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A page of an org's members.
    pub async fn list_members(&self, org_id: &str, page: &PageQuery) -> StoreResult<Page<MemberRow>> {
        let sql = format!("{SELECT} WHERE m.org_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3");
        let rows: Vec<MemberRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.user_id))
    }
}
