//! Signup, password login (org policy and lockout decided by core, counters in the database),
//! and org switching.

use super::parse_body;
use super::tokens::{self, TokenOrg};
use super::users::user_name;
use crate::auth::AuthUser;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::service::tenants::DEFAULT_TENANT;
use crate::state::AppState;
use crate::store::new_id;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use orgkit_core::ErrorCode;
use orgkit_core::login::{LockoutPolicy, MfaFacts, PasswordLoginFacts, PasswordRules, decide_password_login, enforce_password};
use orgkit_core::settings::{SettingsLayer, resolve};
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/auth/signup` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    /// Tenant slug (default `default`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Tenant slug (default `default`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Org id or slug to log into.
    #[serde(default)]
    pub organization: Option<String>,
}

/// `POST /api/v1/auth/token` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// Org id or slug.
    pub organization: String,
}

/// The tenant named in a body (`default` when absent).
pub async fn tenant(state: &AppState, slug: Option<&str>) -> ApiResult<TenantRow> {
    let slug = slug.unwrap_or(DEFAULT_TENANT);
    orgkit_core::validate_slug(slug).map_err(|_| ApiError::not_found("tenant"))?;
    state.store.tenant_by_slug(slug).await?.ok_or_else(|| ApiError::not_found("tenant"))
}

/// Creates a user with a password (checked against the tenant's rules) and answers a token.
pub async fn signup(state: &AppState, body: Value) -> ApiResult<Value> {
    let body: Signup = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    let name = user_name(body.name)?;
    let effective = resolve(&tenant.settings()?, &SettingsLayer::default());
    enforce_password(&body.password, &PasswordRules::from_settings(&effective), Some(&email))?;
    let hash = password::hash(body.password).await?;
    let now = clock::now();
    let user = UserRow { id: new_id(), tenant_id: tenant.id.clone(), email, name, password_hash: Some(hash), created_at: now };
    let mut tx = state.store.begin().await?;
    state.store.insert_user(&mut tx, &user).await?;
    tx.commit().await?;
    tokens::issue(state, &tenant, &user, None, vec!["pwd".to_owned()]).await
}

fn locked(e: orgkit_core::Error, locked_until: Option<i64>) -> ApiError {
    let mut err = ApiError::from(e);
    if err.code() == ErrorCode::AccountLocked {
        err.locked_until = locked_until;
    }
    err
}

/// Password login, into an org when `organization` is given. The org's effective password
/// rules, MFA requirement and lockout apply; the lockout counter is read and written in one
/// transaction with the row locked, so concurrent attempts count exactly.
pub async fn login(state: &AppState, body: Value) -> ApiResult<Value> {
    let body: Login = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    let user = state.store.user_by_email(&tenant.id, &email).await?;
    let org: Option<OrgRow> = match &body.organization {
        Some(key) => state.store.org_by_id_or_slug(&tenant.id, super::org_key(key)?).await?,
        None => None,
    };
    let layer = match &org {
        Some(o) => o.settings()?,
        None => SettingsLayer::default(),
    };
    let effective = resolve(&tenant.settings()?, &layer);
    let context = org.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let now = clock::now();
    if let Some(u) = &user {
        // A locked account is refused before its password is tested.
        let state_now = state.store.lockout(&u.id, &context).await?;
        state_now.check(now).map_err(|e| locked(e, state_now.locked_until))?;
    }
    let password_ok = password::verify(body.password.clone(), user.as_ref().and_then(|u| u.password_hash.clone())).await?;
    let mut facts = PasswordLoginFacts {
        lockout: Default::default(),
        lockout_policy: LockoutPolicy::from_settings(&effective),
        password_rules: PasswordRules::from_settings(&effective),
        require_mfa: effective.require_mfa.value,
        password_ok,
        password: Some(body.password),
        email: Some(email),
        mfa: MfaFacts::default(),
        now,
    };
    let Some(user) = user else {
        let decision = decide_password_login(&facts);
        return Err(decision.outcome.err().map(ApiError::from).unwrap_or_else(|| ApiError::internal("unknown user passed")));
    };
    let mut tx = state.store.begin().await?;
    facts.lockout = state.store.lock_lockout(&mut tx, &user.id, &context).await?;
    let decision = decide_password_login(&facts);
    state.store.save_lockout(&mut tx, &user.id, &context, &decision.lockout).await?;
    tx.commit().await?;
    let amr = decision.outcome.map_err(|e| locked(e, decision.lockout.locked_until))?;
    let token_org = match &org {
        Some(o) => Some(membership(state, o, &user.id).await?),
        None if body.organization.is_some() => return Err(ApiError::not_found("organization")),
        None => None,
    };
    tokens::issue(state, &tenant, &user, token_org, amr).await
}

async fn membership<'a>(state: &AppState, org: &'a OrgRow, user_id: &str) -> ApiResult<TokenOrg<'a>> {
    let member = state.store.member(&org.id, user_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(TokenOrg { org, role: member.role()? })
}

/// Switches the session into another org without the password: the new org's policy is
/// checked against what the current session performed (its `amr`).
pub async fn switch(state: &AppState, auth: &AuthUser, body: Value) -> ApiResult<Value> {
    let body: Switch = parse_body(body)?;
    let tenant = state.store.tenant_by_id(&auth.user.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let org = state
        .store
        .org_by_id_or_slug(&tenant.id, super::org_key(&body.organization)?)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let token_org = membership(state, &org, &auth.user.id).await?;
    tokens::issue(state, &tenant, &auth.user, Some(token_org), auth.claims.amr.clone()).await
}
