//! SCIM provisioning: an org's directory tokens, the users it provisioned and its groups.

use super::{Page, PageQuery, Store, Tx, conflict};
use super::{StoreError, StoreResult};
use orgkit_core::{ErrorCode, Role};
use sqlx::AssertSqlSafe;

/// A directory token as stored (its secret only as a hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimTokenRow {
    /// Id.
    pub id: String,
    /// The org it provisions.
    pub org_id: String,
    /// Whether the operator allowed it any email domain (1) or only the org's verified ones (0).
    pub any_domain: i64,
    /// Who created it (audit name).
    pub created_by: String,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last authenticated a request (to the minute), if ever.
    pub last_used_at: Option<i64>,
}

/// A provisioned user as stored: a membership of the org while active.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimUserRow {
    /// The SCIM id.
    pub id: String,
    /// The org.
    pub org_id: String,
    /// The orgkit account.
    pub user_id: String,
    /// The directory's `userName`.
    pub user_name: String,
    /// The directory's `externalId`.
    pub external_id: Option<String>,
    /// The other attributes orgkit keeps (`name`, `displayName`, `emails`), a JSON object.
    pub attributes: String,
    /// `active` as the directory stated it: 1 (a member), 0 (suspended), `None` when it was
    /// removed (counted as active).
    pub active: Option<i64>,
    /// The role the membership has, or gets back when reactivated.
    pub role: String,
    /// Bumped by every change: the `ETag`.
    pub version: i64,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last changed, unix seconds.
    pub updated_at: i64,
}

impl ScimUserRow {
    /// Whether the membership is on.
    pub fn is_active(&self) -> bool {
        self.active != Some(0)
    }

    /// The role the membership has or gets back.
    pub fn role(&self) -> StoreResult<Role> {
        Role::parse(&self.role).map_err(StoreError::corrupt)
    }
}

/// A directory group as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimGroupRow {
    /// The SCIM id.
    pub id: String,
    /// The org.
    pub org_id: String,
    /// Display name, unique in the org regardless of case.
    pub display_name: String,
    /// The directory's `externalId`.
    pub external_id: Option<String>,
    /// Bumped by every change: the `ETag`.
    pub version: i64,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last changed, unix seconds.
    pub updated_at: i64,
}

/// An exact-match lookup the store answers itself (the rest of a filter is evaluated on the
/// resources).
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    /// Every resource of the org.
    All,
    /// `userName eq` / `displayName eq`, compared ignoring case.
    Name(&'a str),
    /// `externalId eq`.
    ExternalId(&'a str),
    /// `id eq`.
    Id(&'a str),
}

impl Lookup<'_> {
    /// Whether the value can match anything stored: ids are UUIDs, and no stored text holds a
    /// NUL (which PostgreSQL would refuse to compare).
    fn searchable(&self) -> bool {
        match self {
            Lookup::All => true,
            Lookup::Id(id) => super::is_uuid(id),
            Lookup::Name(v) | Lookup::ExternalId(v) => !v.contains('\0'),
        }
    }

    /// The SQL condition (after `org_id = $1`) and its `$2` value; names compare by `name_key`.
    fn condition(&self, name_key_column: &str) -> (String, String) {
        match self {
            Lookup::All => (String::new(), String::new()),
            Lookup::Name(name) => (format!(" AND {name_key_column} = $2"), name_key(name)),
            Lookup::ExternalId(id) => (" AND external_id = $2".to_owned(), (*id).to_owned()),
            Lookup::Id(id) => (" AND id = $2".to_owned(), (*id).to_owned()),
        }
    }
}

const TOKEN_COLUMNS: &str = "id, org_id, any_domain, created_by, created_at, last_used_at";
const USER_COLUMNS: &str = "id, org_id, user_id, user_name, external_id, attributes, active, role, version, created_at, updated_at";
const GROUP_COLUMNS: &str = "id, org_id, display_name, external_id, version, created_at, updated_at";

/// The key a name is unique by.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

fn user_name_taken(e: sqlx::Error) -> StoreError {
    conflict(e, |which| {
        Some(if which.contains("user_name") {
            (ErrorCode::DirectoryConflict, "another user of this directory has this userName")
        } else {
            (ErrorCode::DirectoryConflict, "this account is already provisioned in the organization")
        })
    })
}

fn display_name_taken(e: sqlx::Error) -> StoreError {
    conflict(e, |_| Some((ErrorCode::DirectoryConflict, "another group of this directory has this displayName")))
}

impl Store {
    /// Stores a directory token (its hash).
    pub async fn insert_scim_token(&self, tx: &mut Tx, row: &ScimTokenRow, token_hash: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO scim_tokens (id, org_id, token_hash, any_domain, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&row.id)
            .bind(&row.org_id)
            .bind(token_hash)
            .bind(row.any_domain)
            .bind(&row.created_by)
            .bind(row.created_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The token with this hash.
    pub async fn scim_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ScimTokenRow>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM scim_tokens WHERE token_hash = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(token_hash).fetch_optional(self.pool()).await?)
    }

    /// Records that a token authenticated a request at `now`.
    pub async fn touch_scim_token(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE scim_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(self.pool()).await?;
        Ok(())
    }

    /// A page of an org's tokens.
    pub async fn list_scim_tokens(&self, org_id: &str, page: &PageQuery) -> StoreResult<Page<ScimTokenRow>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM scim_tokens WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<ScimTokenRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// Deletes an org's token; answers whether there was one.
    pub async fn delete_scim_token(&self, tx: &mut Tx, org_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM scim_tokens WHERE org_id = $1 AND id = $2").bind(org_id).bind(id).execute(&mut **tx).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores a provisioned user; a taken `userName` or an account already provisioned in the
    /// org is a conflict.
    pub async fn insert_scim_user(&self, tx: &mut Tx, row: &ScimUserRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_users (id, org_id, user_id, user_name, user_name_key, external_id, attributes, active, role, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&row.id)
        .bind(&row.org_id)
        .bind(&row.user_id)
        .bind(&row.user_name)
        .bind(name_key(&row.user_name))
        .bind(row.external_id.clone())
        .bind(&row.attributes)
        .bind(row.active)
        .bind(&row.role)
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&mut **tx)
        .await
        .map_err(user_name_taken)?;
        Ok(())
    }

    /// Writes a provisioned user's attributes, state, role and version back.
    pub async fn update_scim_user(&self, tx: &mut Tx, row: &ScimUserRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE scim_users SET user_name = $1, user_name_key = $2, external_id = $3, attributes = $4, active = $5, role = $6, \
             version = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&row.user_name)
        .bind(name_key(&row.user_name))
        .bind(row.external_id.clone())
        .bind(&row.attributes)
        .bind(row.active)
        .bind(&row.role)
        .bind(row.version)
        .bind(row.updated_at)
        .bind(&row.id)
        .execute(&mut **tx)
        .await
        .map_err(user_name_taken)?;
        Ok(())
    }

    /// A provisioned user of an org, locked (`None` for an id that is no UUID: none is).
    pub async fn lock_scim_user(&self, tx: &mut Tx, org_id: &str, id: &str) -> StoreResult<Option<ScimUserRow>> {
        if !super::is_uuid(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1 AND id = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// The provisioned users of an org a lookup selects, oldest first.
    pub async fn scim_users(&self, org_id: &str, lookup: Lookup<'_>) -> StoreResult<Vec<ScimUserRow>> {
        if !lookup.searchable() {
            return Ok(Vec::new());
        }
        let (condition, value) = lookup.condition("user_name_key");
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1{condition} ORDER BY created_at, id");
        let query = sqlx::query_as(AssertSqlSafe(sql)).bind(org_id);
        let query = if condition.is_empty() { query } else { query.bind(value) };
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// The provisioned users of an org among `ids`, in the transaction.
    pub async fn scim_users_among(&self, tx: &mut Tx, org_id: &str, ids: &[String]) -> StoreResult<Vec<ScimUserRow>> {
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids.iter().filter(|id| super::is_uuid(id)) {
            let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE org_id = $1 AND id = $2");
            if let Some(row) = sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(&mut **tx).await? {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// Deletes a provisioned user (its group memberships go with it).
    pub async fn delete_scim_user(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM scim_group_members WHERE scim_user_id = $1").bind(id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM scim_users WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// Stores a group; a taken display name is a conflict.
    pub async fn insert_scim_group(&self, tx: &mut Tx, row: &ScimGroupRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_groups (id, org_id, display_name, display_name_key, external_id, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id)
        .bind(&row.org_id)
        .bind(&row.display_name)
        .bind(name_key(&row.display_name))
        .bind(row.external_id.clone())
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&mut **tx)
        .await
        .map_err(display_name_taken)?;
        Ok(())
    }

    /// Writes a group's name, external id and version back.
    pub async fn update_scim_group(&self, tx: &mut Tx, row: &ScimGroupRow) -> StoreResult<()> {
        sqlx::query("UPDATE scim_groups SET display_name = $1, display_name_key = $2, external_id = $3, version = $4, updated_at = $5 WHERE id = $6")
            .bind(&row.display_name)
            .bind(name_key(&row.display_name))
            .bind(row.external_id.clone())
            .bind(row.version)
            .bind(row.updated_at)
            .bind(&row.id)
            .execute(&mut **tx)
            .await
            .map_err(display_name_taken)?;
        Ok(())
    }

    /// A group of an org, locked (`None` for an id that is no UUID: none is).
    pub async fn lock_scim_group(&self, tx: &mut Tx, org_id: &str, id: &str) -> StoreResult<Option<ScimGroupRow>> {
        if !super::is_uuid(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {GROUP_COLUMNS} FROM scim_groups WHERE org_id = $1 AND id = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// The groups of an org a lookup selects, oldest first.
    pub async fn scim_groups(&self, org_id: &str, lookup: Lookup<'_>) -> StoreResult<Vec<ScimGroupRow>> {
        if !lookup.searchable() {
            return Ok(Vec::new());
        }
        let (condition, value) = lookup.condition("display_name_key");
        let sql = format!("SELECT {GROUP_COLUMNS} FROM scim_groups WHERE org_id = $1{condition} ORDER BY created_at, id");
        let query = sqlx::query_as(AssertSqlSafe(sql)).bind(org_id);
        let query = if condition.is_empty() { query } else { query.bind(value) };
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Deletes a group (its member list goes with it).
    pub async fn delete_scim_group(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM scim_group_members WHERE group_id = $1").bind(id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM scim_groups WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// The SCIM ids of a group's members.
    pub async fn scim_group_members(&self, group_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT scim_user_id FROM scim_group_members WHERE group_id = $1 ORDER BY scim_user_id")
            .bind(group_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The SCIM ids of a group's members, in the transaction.
    pub async fn scim_group_members_tx(&self, tx: &mut Tx, group_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT scim_user_id FROM scim_group_members WHERE group_id = $1 ORDER BY scim_user_id")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?)
    }

    /// Replaces a group's members.
    pub async fn set_scim_group_members(&self, tx: &mut Tx, group_id: &str, members: &[String]) -> StoreResult<()> {
        sqlx::query("DELETE FROM scim_group_members WHERE group_id = $1").bind(group_id).execute(&mut **tx).await?;
        for member in members {
            sqlx::query("INSERT INTO scim_group_members (group_id, scim_user_id) VALUES ($1, $2)")
                .bind(group_id)
                .bind(member)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The display names of the groups a provisioned user is in.
    pub async fn scim_groups_of(&self, tx: &mut Tx, scim_user_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT g.display_name FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.scim_user_id = $1 ORDER BY g.display_name",
        )
        .bind(scim_user_id)
        .fetch_all(&mut **tx)
        .await?)
    }

    /// Revokes every token of a user issued before `now` (its sessions end; its password stays).
    pub async fn revoke_tokens(&self, tx: &mut Tx, user_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET tokens_valid_after = $1, updated_at = $1 WHERE id = $2").bind(now).bind(user_id).execute(&mut **tx).await?;
        Ok(())
    }
}
