//! Users of a tenant, as the management API sees them.

use super::{Caller, parse_body, path_id};
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::store::audit::AuditEntry;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use crate::store::{Store, new_id};
use orgkit_core::login::{PasswordRules, enforce_password};
use orgkit_core::settings::{SettingsLayer, resolve};
use orgkit_core::{Actor, Role, Target, can_remove_member, normalize_email};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /users` body.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Email.
    pub email: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Initial password, checked against the tenant's rules.
    #[serde(default)]
    pub password: Option<String>,
}

/// Validates a display name (core's bounds for names).
pub fn user_name(name: Option<String>) -> ApiResult<Option<String>> {
    match name {
        None => Ok(None),
        Some(n) => Ok(Some(orgkit_core::organization::validate_name(&json!(n)).map_err(|e| {
            ApiError::from(orgkit_core::Error::new(orgkit_core::ErrorCode::InvalidRequest, e.message).with_field("name"))
        })?)),
    }
}

/// Creates a user in a tenant; the password, when given, must meet the tenant's rules.
pub async fn create(store: &Store, tenant: &TenantRow, body: Value, caller: &Caller) -> ApiResult<UserRow> {
    let body: NewUser = parse_body(body)?;
    let email = normalize_email(&body.email)?;
    let name = user_name(body.name)?;
    let password_hash = match body.password {
        Some(pw) => {
            let effective = resolve(&tenant.settings()?, &SettingsLayer::default());
            enforce_password(&pw, &PasswordRules::from_settings(&effective), Some(&email))?;
            Some(password::hash(pw).await?)
        }
        None => None,
    };
    let now = store.now();
    let user = UserRow { id: new_id(), tenant_id: tenant.id.clone(), email, name, password_hash, created_at: now, tokens_valid_after: None, email_verified_at: None };
    let mut tx = store.begin().await?;
    store.insert_user(&mut tx, &user).await?;
    let actor = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: &actor, action: "user.created", target: Some(format!("user:{}", user.id)) };
    store.audit(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(user)
}

/// A user of the tenant.
pub async fn get(store: &Store, tenant: &TenantRow, user_id: &str) -> ApiResult<UserRow> {
    path_id(user_id, "user")?;
    store.user(&tenant.id, user_id).await?.ok_or_else(|| ApiError::not_found("user"))
}

/// Deletes a user; refused with `last_owner` while they are the only owner of an org.
pub async fn delete(store: &Store, tenant: &TenantRow, user_id: &str) -> ApiResult<()> {
    let user = get(store, tenant, user_id).await?;
    let mut tx = store.begin().await?;
    for (_org_id, owners) in store.lock_owned_orgs(&mut tx, &user.id).await? {
        let target = Target { user_id: user.id.clone(), role: Role::Owner };
        can_remove_member(&Actor::Tenant, &target, u64::try_from(owners).unwrap_or(0))?;
    }
    let memberships = store.memberships_of_tx(&mut tx, &user.id).await?;
    store.delete_user(&mut tx, &user.id).await?;
    let now = store.now();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: "management_key", action: "user.deleted", target: Some(format!("user:{}", user.id)) };
    store.audit(&mut tx, entry, now).await?;
    // The account's memberships end with it.
    for member in memberships {
        let org_id = member.org_id.clone();
        super::events::membership_ended(store, &mut tx, &tenant.id, &org_id, member, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
