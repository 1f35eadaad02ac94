//! What an org's directory may do, over SCIM: provision members (only within the org's verified
//! domains unless the operator allowed any), suspend them (`active: false` ends the membership
//! and the account's sessions, keeping the role for a reactivation), delete them (never the last
//! owner), and keep groups whose display names give roles through the org's
//! `group_role_mappings` (core's [`role_from_groups`] and [`synced_role`]). Every change is one
//! transaction under the org's lock, and audited.

use super::events;
use crate::error::{ApiError, ApiResult};
use crate::scim::resource::{GroupDocument, UserDocument};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::orgs::OrgRow;
use crate::store::scim::{Lookup, ScimGroupRow, ScimTokenRow, ScimUserRow};
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use crate::store::{Store, StoreError, Tx, is_uuid, new_id};
use orgkit_core::directory::{GroupRoleMappings, admit_directory_user, role_from_groups, synced_role};
use orgkit_core::event::EventType;
use orgkit_core::settings::resolve;
use orgkit_core::{Actor, Role, Target, can_remove_member};

/// How often a token's `last_used_at` is written (seconds).
const TOUCH_INTERVAL: i64 = 60;

/// An org's directory, opened by one of its SCIM tokens.
#[derive(Debug, Clone)]
pub struct Directory {
    /// The token.
    pub token: ScimTokenRow,
    /// The org it provisions.
    pub org: OrgRow,
    /// The org's tenant.
    pub tenant: TenantRow,
    /// Who the audit log names: `scim_token:{id}`.
    pub actor: String,
}

impl Directory {
    fn audit<'a>(&'a self, action: &'a str, target: String) -> AuditEntry<'a> {
        AuditEntry { tenant_id: &self.tenant.id, org_id: Some(&self.org.id), actor: &self.actor, action, target: Some(target) }
    }
}

/// The directory the token with hash `token_hash` opens at `org_id`'s base URL; `None` when it
/// is no token of that org.
pub async fn open(state: &AppState, org_id: &str, token_hash: &str) -> ApiResult<Option<Directory>> {
    if !is_uuid(org_id) {
        return Ok(None);
    }
    let store = &state.store;
    let Some(token) = store.scim_token_by_hash(token_hash).await?.filter(|t| t.org_id == org_id) else { return Ok(None) };
    let Some(org) = store.org_by_id(org_id).await? else { return Ok(None) };
    let tenant = store.tenant_by_id(&org.tenant_id).await?.ok_or_else(|| ApiError::internal("an org without its tenant"))?;
    let now = store.now();
    if token.last_used_at.is_none_or(|t| now - t >= TOUCH_INTERVAL) {
        store.touch_scim_token(&token.id, now).await?;
    }
    let actor = format!("scim_token:{}", token.id);
    Ok(Some(Directory { token, org, tenant, actor }))
}

/// The org, locked, and its effective group mappings.
async fn lock(store: &Store, tx: &mut Tx, dir: &Directory) -> ApiResult<GroupRoleMappings> {
    let org = store.lock_org(tx, &dir.tenant.id, &dir.org.id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let effective = resolve(&dir.tenant.settings()?, &org.settings()?);
    Ok(effective.group_role_mappings.value.unwrap_or_default())
}

/// The provisioned users a lookup selects.
pub async fn users(store: &Store, dir: &Directory, lookup: Lookup<'_>) -> ApiResult<Vec<ScimUserRow>> {
    Ok(store.scim_users(&dir.org.id, lookup).await?)
}

/// Provisions a user: an account of the tenant with the admitted email (the existing one is
/// linked), a membership unless created suspended.
pub async fn create_user(store: &Store, dir: &Directory, doc: &UserDocument) -> ApiResult<ScimUserRow> {
    let now = store.now();
    let mut tx = store.begin().await?;
    lock(store, &mut tx, dir).await?;
    let verified = store.verified_domains_tx(&mut tx, &dir.org.id).await?;
    let email = admit_directory_user(&doc.directory_user(), &verified, dir.token.any_domain != 0)?;
    let user = match store.user_by_email_tx(&mut tx, &dir.tenant.id, &email).await? {
        Some(user) => user,
        None => {
            let user = UserRow {
                id: new_id(),
                tenant_id: dir.tenant.id.clone(),
                email,
                name: doc.account_name(),
                password_hash: None,
                created_at: now,
                tokens_valid_after: None,
                email_verified_at: None,
            };
            store.insert_user(&mut tx, &user).await?;
            user
        }
    };
    let member = store.member_tx(&mut tx, &dir.org.id, &user.id).await?;
    let current = member.as_ref().map(|m| m.role()).transpose()?;
    // A new member has no group yet: `member`; a linked member keeps their role until a group
    // push says otherwise.
    let role = synced_role(current, None, 0);
    let row = ScimUserRow {
        id: new_id(),
        org_id: dir.org.id.clone(),
        user_id: user.id.clone(),
        user_name: doc.user_name.clone(),
        external_id: doc.external_id.clone(),
        attributes: doc.kept_text(),
        active: Some(i64::from(doc.is_active())),
        role: role.as_str().to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store.insert_scim_user(&mut tx, &row).await?;
    match (doc.is_active(), member.is_some()) {
        (true, false) => {
            store.insert_member(&mut tx, &dir.org.id, &user.id, role, now).await?;
            events::membership(store, &mut tx, &dir.tenant.id, &dir.org.id, &user.id, EventType::MembershipCreated, now).await?;
        }
        (false, true) => suspend(store, &mut tx, dir, &user.id, role, now).await?,
        _ => {}
    }
    store.audit(&mut tx, dir.audit("scim.user.created", format!("user:{}", user.id)), now).await?;
    events::directory_user(store, &mut tx, &dir.tenant.id, &row, EventType::ScimUserCreated, now).await?;
    tx.commit().await?;
    Ok(row)
}

/// Ends a membership (never the org's last owner) and the account's sessions.
async fn suspend(store: &Store, tx: &mut Tx, dir: &Directory, user_id: &str, role: Role, now: i64) -> ApiResult<()> {
    let owners = u64::try_from(store.owner_count(tx, &dir.org.id).await?).unwrap_or(0);
    can_remove_member(&Actor::Tenant, &Target { user_id: user_id.to_owned(), role }, owners)?;
    let member = store.member_tx(tx, &dir.org.id, user_id).await?.ok_or_else(|| ApiError::internal("a membership vanished"))?;
    store.delete_member(tx, &dir.org.id, user_id).await?;
    events::membership_ended(store, tx, &dir.tenant.id, &dir.org.id, member, now).await?;
    store.revoke_tokens(tx, user_id, now).await?;
    Ok(())
}

/// Changes a provisioned user to what `change` makes of it (a PUT or a PATCH): `active`
/// suspends or reactivates the membership; the account's email stays the one provisioned.
pub async fn change_user<E>(store: &Store, dir: &Directory, id: &str, change: impl FnOnce(&ScimUserRow) -> Result<UserDocument, E>) -> Result<ScimUserRow, E>
where
    E: From<ApiError> + From<StoreError>,
{
    let now = store.now();
    let mut tx = store.begin().await?;
    let mappings = lock(store, &mut tx, dir).await?;
    let mut row = store.lock_scim_user(&mut tx, &dir.org.id, id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    let doc = change(&row)?;
    let was_active = row.is_active();
    let member = store.member_tx(&mut tx, &dir.org.id, &row.user_id).await?;
    let (action, kind) = match (was_active, doc.is_active()) {
        (true, false) => {
            if let Some(m) = &member {
                row.role = m.role.clone();
                suspend(store, &mut tx, dir, &row.user_id, m.role()?, now).await?;
            }
            ("scim.user.deactivated", EventType::ScimUserDeactivated)
        }
        (false, true) => {
            if member.is_none() {
                store.insert_member(&mut tx, &dir.org.id, &row.user_id, row.role()?, now).await?;
                events::membership(store, &mut tx, &dir.tenant.id, &dir.org.id, &row.user_id, EventType::MembershipCreated, now).await?;
            }
            ("scim.user.reactivated", EventType::ScimUserReactivated)
        }
        _ => ("scim.user.updated", EventType::ScimUserUpdated),
    };
    row.user_name = doc.user_name.clone();
    row.external_id = doc.external_id.clone();
    row.attributes = doc.kept_text();
    row.active = doc.active.map(i64::from);
    row.version += 1;
    row.updated_at = now;
    store.update_scim_user(&mut tx, &row).await?;
    store.audit(&mut tx, dir.audit(action, format!("user:{}", row.user_id)), now).await?;
    if doc.is_active() && !was_active {
        sync_roles(store, &mut tx, dir, &mappings, std::slice::from_ref(&row.id), now).await?;
    }
    let row = store.lock_scim_user(&mut tx, &dir.org.id, id).await?.ok_or_else(|| ApiError::internal("user vanished"))?;
    events::directory_user(store, &mut tx, &dir.tenant.id, &row, kind, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row)
}

/// Deprovisions a user: the membership ends (never the org's last owner) with the account's
/// sessions; the account stays (it may belong to other orgs).
pub async fn delete_user<E>(store: &Store, dir: &Directory, id: &str, check: impl FnOnce(&ScimUserRow) -> Result<(), E>) -> Result<(), E>
where
    E: From<ApiError> + From<StoreError>,
{
    let now = store.now();
    let mut tx = store.begin().await?;
    lock(store, &mut tx, dir).await?;
    let row = store.lock_scim_user(&mut tx, &dir.org.id, id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    check(&row)?;
    if let Some(m) = store.member_tx(&mut tx, &dir.org.id, &row.user_id).await? {
        suspend(store, &mut tx, dir, &row.user_id, m.role()?, now).await?;
    }
    store.delete_scim_user(&mut tx, &row.id).await?;
    store.audit(&mut tx, dir.audit("scim.user.deleted", format!("user:{}", row.user_id)), now).await?;
    events::directory_user(store, &mut tx, &dir.tenant.id, &row, EventType::ScimUserDeleted, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A group and its members' SCIM ids.
pub type GroupWithMembers = (ScimGroupRow, Vec<String>);

/// The groups a lookup selects, with their members.
pub async fn groups(store: &Store, dir: &Directory, lookup: Lookup<'_>) -> ApiResult<Vec<GroupWithMembers>> {
    let mut out = Vec::new();
    for group in store.scim_groups(&dir.org.id, lookup).await? {
        let members = store.scim_group_members(&group.id).await?;
        out.push((group, members));
    }
    Ok(out)
}

/// The members a group document names: each one a user of this directory (`invalid_request`
/// otherwise).
async fn members_of(store: &Store, tx: &mut Tx, dir: &Directory, doc: &GroupDocument) -> ApiResult<Vec<String>> {
    let found = store.scim_users_among(tx, &dir.org.id, &doc.members).await?;
    if let Some(missing) = doc.members.iter().find(|m| !found.iter().any(|f| &f.id == *m)) {
        return Err(ApiError::new(orgkit_core::ErrorCode::InvalidRequest, format!("member {missing:?} is no user of this directory")));
    }
    Ok(doc.members.clone())
}

/// Creates a group; its members' roles follow the mappings.
pub async fn create_group(store: &Store, dir: &Directory, doc: &GroupDocument) -> ApiResult<GroupWithMembers> {
    let now = store.now();
    let mut tx = store.begin().await?;
    let mappings = lock(store, &mut tx, dir).await?;
    let members = members_of(store, &mut tx, dir, doc).await?;
    let row = ScimGroupRow {
        id: new_id(),
        org_id: dir.org.id.clone(),
        display_name: doc.display_name.clone(),
        external_id: doc.external_id.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store.insert_scim_group(&mut tx, &row).await?;
    store.set_scim_group_members(&mut tx, &row.id, &members).await?;
    store.audit(&mut tx, dir.audit("scim.group.created", format!("group:{}", row.id)), now).await?;
    events::directory_group(store, &mut tx, &dir.tenant.id, &row, &members, EventType::ScimGroupCreated, now).await?;
    sync_roles(store, &mut tx, dir, &mappings, &members, now).await?;
    tx.commit().await?;
    Ok((row, members))
}

/// Changes a group (a PUT or a PATCH); the roles of its former and new members follow.
pub async fn change_group<E>(store: &Store, dir: &Directory, id: &str, change: impl FnOnce(&GroupWithMembers) -> Result<GroupDocument, E>) -> Result<GroupWithMembers, E>
where
    E: From<ApiError> + From<StoreError>,
{
    let now = store.now();
    let mut tx = store.begin().await?;
    let mappings = lock(store, &mut tx, dir).await?;
    let mut row = store.lock_scim_group(&mut tx, &dir.org.id, id).await?.ok_or_else(|| ApiError::not_found("group"))?;
    let before = store.scim_group_members_tx(&mut tx, &row.id).await?;
    let doc = change(&(row.clone(), before.clone()))?;
    let members = members_of(store, &mut tx, dir, &doc).await?;
    row.display_name = doc.display_name.clone();
    row.external_id = doc.external_id.clone();
    row.version += 1;
    row.updated_at = now;
    store.update_scim_group(&mut tx, &row).await?;
    store.set_scim_group_members(&mut tx, &row.id, &members).await?;
    store.audit(&mut tx, dir.audit("scim.group.updated", format!("group:{}", row.id)), now).await?;
    events::directory_group(store, &mut tx, &dir.tenant.id, &row, &members, EventType::ScimGroupUpdated, now).await?;
    let mut touched = before;
    touched.extend(members.iter().cloned());
    touched.sort();
    touched.dedup();
    sync_roles(store, &mut tx, dir, &mappings, &touched, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((row, members))
}

/// Deletes a group; its former members' roles follow.
pub async fn delete_group<E>(store: &Store, dir: &Directory, id: &str, check: impl FnOnce(&ScimGroupRow) -> Result<(), E>) -> Result<(), E>
where
    E: From<ApiError> + From<StoreError>,
{
    let now = store.now();
    let mut tx = store.begin().await?;
    let mappings = lock(store, &mut tx, dir).await?;
    let row = store.lock_scim_group(&mut tx, &dir.org.id, id).await?.ok_or_else(|| ApiError::not_found("group"))?;
    check(&row)?;
    let members = store.scim_group_members_tx(&mut tx, &row.id).await?;
    store.delete_scim_group(&mut tx, &row.id).await?;
    store.audit(&mut tx, dir.audit("scim.group.deleted", format!("group:{}", row.id)), now).await?;
    events::directory_group(store, &mut tx, &dir.tenant.id, &row, &members, EventType::ScimGroupDeleted, now).await?;
    sync_roles(store, &mut tx, dir, &mappings, &members, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Gives each of these provisioned users the role their groups map to (core's rules; nothing
/// when the org maps no group), auditing each change; a suspended user keeps it for later.
async fn sync_roles(store: &Store, tx: &mut Tx, dir: &Directory, mappings: &GroupRoleMappings, scim_user_ids: &[String], now: i64) -> ApiResult<()> {
    if mappings.is_empty() {
        return Ok(());
    }
    for mut user in store.scim_users_among(tx, &dir.org.id, scim_user_ids).await? {
        let groups = store.scim_groups_of(tx, &user.id).await?;
        let wanted = role_from_groups(mappings, &groups);
        match store.member_tx(tx, &dir.org.id, &user.user_id).await? {
            Some(member) => {
                let follower = GroupFollower { tenant_id: &dir.tenant.id, org_id: &dir.org.id, actor: &dir.actor };
                follower.follow(store, tx, &user.user_id, member.role()?, wanted, now).await?;
            }
            None => {
                // Suspended: not a member, so no owner count to protect; the role waits for a
                // reactivation.
                let role = synced_role(Some(user.role()?), wanted, u64::MAX);
                if role.as_str() != user.role {
                    user.role = role.as_str().to_owned();
                    store.update_scim_user(tx, &user).await?;
                }
            }
        }
    }
    Ok(())
}

/// Who makes a member's role follow their IdP groups, in which org.
pub(crate) struct GroupFollower<'a> {
    /// The tenant.
    pub tenant_id: &'a str,
    /// The org.
    pub org_id: &'a str,
    /// The audit name of the directory or connection.
    pub actor: &'a str,
}

impl GroupFollower<'_> {
    /// Gives a member (now `current`) the role their groups map to (`wanted`, core's
    /// [`role_from_groups`]; never demoting the last owner), auditing a change; answers the role
    /// they end with.
    pub(crate) async fn follow(&self, store: &Store, tx: &mut Tx, user_id: &str, current: Role, wanted: Option<Role>, now: i64) -> ApiResult<Role> {
        let owners = u64::try_from(store.owner_count(tx, self.org_id).await?).unwrap_or(0);
        let role = synced_role(Some(current), wanted, owners);
        if role != current {
            store.update_member_role(tx, self.org_id, user_id, role, now).await?;
            let entry = AuditEntry { tenant_id: self.tenant_id, org_id: Some(self.org_id), actor: self.actor, action: "member.role_changed", target: Some(format!("user:{user_id}")) };
            store.audit(tx, entry, now).await?;
            events::membership(store, tx, self.tenant_id, self.org_id, user_id, EventType::MembershipUpdated, now).await?;
        }
        Ok(role)
    }
}
