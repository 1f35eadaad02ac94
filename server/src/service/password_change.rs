//! Changing one's password: the current one verified (argon2), the new one held to the
//! effective rules of the org in the token (the tenant's without one), as core's
//! `enforce_password` decides.

use super::login::account_lockout_policy;
use super::parse_body;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::tenants::TenantRow;
use orgkit_core::ErrorCode;
use orgkit_core::login::{LockoutPolicy, PasswordRules, enforce_password};
use orgkit_core::settings::{SettingsLayer, resolve};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/auth/password` body.
#[derive(Debug, Deserialize, Object)]
#[oai(rename_all = "camelCase")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PasswordChange {
    /// The password now in force.
    pub current_password: String,
    /// Its replacement: checked against the effective rules of the org in the token (the
    /// tenant's without one).
    pub new_password: String,
}

/// Changes the caller's password. Order: the new password against the rules
/// (`weak_password`, field `newPassword`; no hashing spent on a password that cannot be
/// used), then the account's lockout (`account_locked`, the current password untested), then
/// the current password (`invalid_credentials`, field `currentPassword`, counted like a failed
/// login on the account's counter, against its limits tightened by the token's org's). Answers
/// when it changed.
pub async fn change(state: &AppState, auth: &AuthUser, tenant: &TenantRow, body: Value) -> ApiResult<i64> {
    let body: PasswordChange = parse_body(body)?;
    let store = &state.store;
    let org = match &auth.claims.org_id {
        Some(id) => store.org(&tenant.id, id).await?,
        None => None,
    };
    let layer = match &org {
        Some(o) => o.settings()?,
        None => SettingsLayer::default(),
    };
    let tenant_settings = tenant.settings()?;
    let effective = resolve(&tenant_settings, &layer);
    enforce_password(&body.new_password, &PasswordRules::from_settings(&effective), Some(&auth.user.email)).map_err(|mut e| {
        e.field = Some("newPassword".to_owned());
        e
    })?;
    let now = store.now();
    let lockout = store.lockout(&auth.user.id).await?;
    lockout.check(now).map_err(|e| ApiError::locked(e, lockout.locked_until, now))?;
    let current_ok = password::verify(body.current_password, auth.user.password_hash.clone()).await?;
    if !current_ok {
        let mut tx = store.begin().await?;
        let state_now = store.lock_lockout(&mut tx, &auth.user.id).await?;
        let org_policy = org.as_ref().map(|_| LockoutPolicy::from_settings(&effective));
        let policy = account_lockout_policy(&tenant_settings).tightened_by(org_policy.as_ref());
        let next = state_now.after_failure(&policy, now);
        store.save_lockout(&mut tx, &auth.user.id, &next).await?;
        tx.commit().await?;
        return Err(ApiError::from(
            orgkit_core::Error::new(ErrorCode::InvalidCredentials, "the current password is wrong").with_field("currentPassword"),
        ));
    }
    let hash = password::hash(body.new_password).await?;
    let mut tx = store.begin().await?;
    store.set_password_hash(&mut tx, &auth.user.id, &hash, now).await?;
    let who = format!("user:{}", auth.user.id);
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: &who, action: "user.password_changed", target: Some(who.clone()) };
    store.audit(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(now)
}
