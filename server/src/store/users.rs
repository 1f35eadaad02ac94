//! Users of a tenant.

use super::{Page, PageQuery, Store, Tx, conflict};
use sqlx::AssertSqlSafe;
use super::tenants::TenantRow;
use super::StoreResult;
use orgkit_core::ErrorCode;

/// A user as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Tenant.
    pub tenant_id: String,
    /// Normalised email, unique per tenant.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// argon2id PHC string, when the user has a password.
    pub password_hash: Option<String>,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Tokens issued before this instant (unix seconds) are revoked: set by a password change.
    pub tokens_valid_after: Option<i64>,
    /// When the email was proven (verification link, trusted SSO login).
    pub email_verified_at: Option<i64>,
}

const COLUMNS: &str = "id, tenant_id, email, name, password_hash, created_at, tokens_valid_after, email_verified_at";

/// A user with their tenant's columns beside (`tenant_` prefixed): one row for the two lookups
/// every authenticated user-API request makes.
#[derive(sqlx::FromRow)]
struct UserWithTenant {
    #[sqlx(flatten)]
    user: UserRow,
    tenant_slug: String,
    tenant_name: String,
    tenant_settings: String,
}

impl Store {
    /// Inserts a user; a taken email is `email_taken`.
    pub async fn insert_user(&self, tx: &mut Tx, user: &UserRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, tenant_id, email, name, password_hash, created_at, updated_at, email_verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.tenant_id)
        .bind(&user.email)
        .bind(user.name.clone())
        .bind(user.password_hash.clone())
        .bind(user.created_at)
        .bind(user.email_verified_at)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict(e, |_| Some((ErrorCode::EmailTaken, "a user with this email exists in the tenant"))))?;
        Ok(())
    }

    /// The user `id` of a tenant.
    pub async fn user(&self, tenant_id: &str, id: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(self.pool()).await?)
    }

    /// A user of a tenant and that tenant, in one query.
    pub async fn user_with_tenant(&self, tenant_id: &str, id: &str) -> StoreResult<Option<(UserRow, TenantRow)>> {
        let row: Option<UserWithTenant> = sqlx::query_as(
            "SELECT u.id, u.tenant_id, u.email, u.name, u.password_hash, u.created_at, u.tokens_valid_after, u.email_verified_at, \
             t.slug AS tenant_slug, t.name AS tenant_name, t.settings AS tenant_settings \
             FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 AND u.id = $2",
        )
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| {
            let tenant = TenantRow { id: r.user.tenant_id.clone(), slug: r.tenant_slug, name: r.tenant_name, settings: r.tenant_settings };
            (r.user, tenant)
        }))
    }

    /// The user with a (normalised) email in a tenant.
    pub async fn user_by_email(&self, tenant_id: &str, email: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND email = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(email).fetch_optional(self.pool()).await?)
    }

    /// The user with a (normalised) email in a tenant, read in a transaction.
    pub async fn user_by_email_tx(&self, tx: &mut Tx, tenant_id: &str, email: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND email = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(email).fetch_optional(&mut **tx).await?)
    }

    /// A page of a tenant's users.
    pub async fn list_users(&self, tenant_id: &str, page: &PageQuery) -> StoreResult<Page<UserRow>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<UserRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// Replaces a user's password hash and revokes the tokens issued before `now`.
    pub async fn set_password_hash(&self, tx: &mut Tx, user_id: &str, hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2, tokens_valid_after = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Records the user's email as proven (the first proof's time is kept).
    pub async fn set_email_verified(&self, tx: &mut Tx, user_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Revokes everything set on an account before `now`: its password, its TOTP factor and
    /// every token issued before (`tokens_valid_after`).
    pub async fn revoke_credentials(&self, tx: &mut Tx, user_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = NULL, tokens_valid_after = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
        Ok(())
    }

    /// Stores an email verification link (its token's hash).
    pub async fn insert_email_verification(&self, tx: &mut Tx, token_hash: &str, user: &UserRow, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO email_verifications (token_hash, user_id, email, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(&user.id)
            .bind(&user.email)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The email verification link with this token hash, locked: (user id, email, created, used).
    pub async fn lock_email_verification(&self, tx: &mut Tx, token_hash: &str) -> StoreResult<Option<(String, String, i64, Option<i64>)>> {
        let sql = format!(
            "SELECT user_id, email, created_at, used_at FROM email_verifications WHERE token_hash = $1{}",
            self.for_update()
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&mut **tx).await?)
    }

    /// Marks an email verification link used.
    pub async fn use_email_verification(&self, tx: &mut Tx, token_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE email_verifications SET used_at = $1 WHERE token_hash = $2").bind(now).bind(token_hash).execute(&mut **tx).await?;
        Ok(())
    }

    /// Deletes a user (memberships go with it).
    pub async fn delete_user(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// The orgs where the user is an owner, each with its owner count, locked: what deleting
    /// the user must check against the last-owner rule.
    pub async fn lock_owned_orgs(&self, tx: &mut Tx, user_id: &str) -> StoreResult<Vec<(String, i64)>> {
        let lock = self.for_update();
        let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT o.id FROM organizations o JOIN memberships m ON m.org_id = o.id \
             WHERE m.user_id = $1 AND m.role = $2 ORDER BY o.id{lock}"
        )))
        .bind(user_id)
        .bind(orgkit_core::Role::Owner.as_str())
        .fetch_all(&mut **tx)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let owners = self.owner_count(tx, &id).await?;
            out.push((id, owners));
        }
        Ok(out)
    }
}
