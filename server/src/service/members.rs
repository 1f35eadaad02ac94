//! Members: add, list, change role, remove — each decided by core's membership rules inside a
//! transaction that locked the org, so owner counts cannot change under a decision.

use super::events;
use super::{Caller, RoleName, actor_in, invalid, parse_body, path_id};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::AuditEntry;
use crate::store::members::MemberRow;
use crate::store::tenants::TenantRow;
use crate::store::{Store, is_uuid};
use orgkit_core::event::EventType;
use orgkit_core::{Permission, Target, can_change_role, can_grant, can_remove_member};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST …/members` body (seed 000).
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "NewMember")]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The user to add.
    pub user_id: String,
    /// Their role.
    pub role: RoleName,
}

/// `PATCH|PUT …/members/{userId}` body.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new role.
    pub role: RoleName,
}

fn owners(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Adds an existing user of the tenant to an org.
pub async fn add(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, body: Value) -> ApiResult<MemberRow> {
    path_id(org_id, "organization")?;
    let body: AddMember = parse_body(body)?;
    if !is_uuid(&body.user_id) {
        return Err(invalid("user_id", "user_id must be a user's id (a UUID)"));
    }
    // Read before the transaction: a transaction never waits for a second pool connection.
    let user = store.user(&tenant.id, &body.user_id).await?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    can_grant(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::MembersAdd, body.role.0)?;
    let user = user.ok_or_else(|| ApiError::not_found("user"))?;
    let now = store.now();
    store.insert_member(&mut tx, &org.id, &user.id, body.role.0, now).await?;
    let actor = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &actor, action: "member.added", target: Some(format!("user:{}", user.id)) };
    store.audit(&mut tx, entry, now).await?;
    events::membership(store, &mut tx, &tenant.id, &org.id, &user.id, EventType::MembershipCreated, now).await?;
    let member = store.member_tx(&mut tx, &org.id, &user.id).await?.ok_or_else(|| ApiError::internal("member vanished"))?;
    tx.commit().await?;
    Ok(member)
}

/// Changes a member's role.
pub async fn change_role(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, user_id: &str, body: Value) -> ApiResult<MemberRow> {
    path_id(org_id, "organization")?;
    path_id(user_id, "member")?;
    let body: RoleChange = parse_body(body)?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let actor = actor_in(store, &mut tx, tenant, caller, &org).await?;
    orgkit_core::authorize(&actor, Permission::MembersRead)?;
    let target = store.member_tx(&mut tx, &org.id, user_id).await?.ok_or_else(|| ApiError::not_found("member"))?;
    let owner_count = store.owner_count(&mut tx, &org.id).await?;
    let target_ref = Target { user_id: target.user_id.clone(), role: target.role()? };
    can_change_role(&actor, &target_ref, body.role.0, owners(owner_count))?;
    let now = store.now();
    store.update_member_role(&mut tx, &org.id, &target.user_id, body.role.0, now).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "member.role_changed", target: Some(format!("user:{}", target.user_id)) };
    store.audit(&mut tx, entry, now).await?;
    events::membership(store, &mut tx, &tenant.id, &org.id, &target.user_id, EventType::MembershipUpdated, now).await?;
    let member = store.member_tx(&mut tx, &org.id, &target.user_id).await?.ok_or_else(|| ApiError::internal("member vanished"))?;
    tx.commit().await?;
    Ok(member)
}

/// Removes a member (or lets a member leave).
pub async fn remove(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, user_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    path_id(user_id, "member")?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let actor = actor_in(store, &mut tx, tenant, caller, &org).await?;
    orgkit_core::authorize(&actor, Permission::MembersRead)?;
    let target = store.member_tx(&mut tx, &org.id, user_id).await?.ok_or_else(|| ApiError::not_found("member"))?;
    let owner_count = store.owner_count(&mut tx, &org.id).await?;
    let target_ref = Target { user_id: target.user_id.clone(), role: target.role()? };
    can_remove_member(&actor, &target_ref, owners(owner_count))?;
    store.delete_member(&mut tx, &org.id, &target.user_id).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "member.removed", target: Some(format!("user:{}", target.user_id)) };
    store.audit(&mut tx, entry, store.now()).await?;
    events::membership_ended(store, &mut tx, &tenant.id, &org.id, target, store.now()).await?;
    tx.commit().await?;
    Ok(())
}
