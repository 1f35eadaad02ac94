//! Signup, password login (org policy and lockout decided by core, counters in the database),
//! and org switching.

use super::mfa;
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
use orgkit_core::login::{
    LockoutPolicy, MfaFacts, PasswordLoginFacts, PasswordRules, StepUpFacts, decide_password_login, decide_step_up, enforce_password,
};
use orgkit_core::settings::{SettingsLayer, resolve};
use orgkit_core::token::Authentication;
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
    /// A code of the user's TOTP factor (or of the enrolment a refused login handed out).
    #[serde(default)]
    pub totp: Option<String>,
}

/// `POST /api/v1/auth/token` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// Org id or slug.
    pub organization: String,
    /// A TOTP code, when the org requires MFA and the session did not perform it (step-up).
    #[serde(default)]
    pub totp: Option<String>,
}

/// The tenant named in a body (`default` when absent).
pub async fn tenant(state: &AppState, slug: Option<&str>) -> ApiResult<TenantRow> {
    let slug = slug.unwrap_or(DEFAULT_TENANT);
    orgkit_core::validate_slug(slug).map_err(|_| ApiError::not_found("tenant"))?;
    state.store.tenant_by_slug(slug).await?.ok_or_else(|| ApiError::not_found("tenant"))
}

/// Creates a user with a password (checked against the tenant's rules), mails the link that
/// verifies its email, and answers a token.
pub async fn signup(state: &AppState, body: Value) -> ApiResult<Value> {
    let body: Signup = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    let name = user_name(body.name)?;
    let effective = resolve(&tenant.settings()?, &SettingsLayer::default());
    enforce_password(&body.password, &PasswordRules::from_settings(&effective), Some(&email))?;
    let hash = password::hash(body.password).await?;
    let now = clock::now();
    let user = UserRow { id: new_id(), tenant_id: tenant.id.clone(), email, name, password_hash: Some(hash), created_at: now, tokens_valid_after: None, email_verified_at: None };
    let mut tx = state.store.begin().await?;
    state.store.insert_user(&mut tx, &user).await?;
    tx.commit().await?;
    super::email_verification::send(state, &user).await?;
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
/// rules, MFA requirement and lockout apply (core's `decide_password_login`); the lockout
/// counter is read and written in one transaction with the row locked, so concurrent attempts
/// count exactly, and a TOTP code's step is consumed in that same transaction.
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
    // With the right password, an org that does not exist or that the user is not a member of
    // is `not_found` before anything of its policy (MFA, enrolment) is answered.
    let token_org = match &org {
        Some(o) if password_ok => Some(membership(state, o, &user.id).await?),
        None if password_ok && body.organization.is_some() => return Err(ApiError::not_found("organization")),
        _ => None,
    };
    let mut tx = state.store.begin().await?;
    facts.lockout = state.store.lock_lockout(&mut tx, &user.id, &context).await?;
    if password_ok && facts.lockout.check(now).is_ok() {
        facts.mfa = mfa::facts(state, &mut tx, &user.id, body.totp.as_deref(), now).await?;
    }
    let decision = decide_password_login(&facts);
    state.store.save_lockout(&mut tx, &user.id, &context, &decision.lockout).await?;
    tx.commit().await?;
    let amr = match decision.outcome {
        Ok(amr) => amr,
        Err(e) if e.code == ErrorCode::MfaEnrollmentRequired => return Err(mfa::enrolment_required(state, &tenant, &user, e).await?),
        Err(e) => return Err(locked(e, decision.lockout.locked_until)),
    };
    tokens::issue(state, &tenant, &user, token_org, amr).await
}

async fn membership<'a>(state: &AppState, org: &'a OrgRow, user_id: &str) -> ApiResult<TokenOrg<'a>> {
    let member = state.store.member(&org.id, user_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(TokenOrg { org, role: member.role()? })
}

/// Switches the session into another org without the password: the new org's policy is
/// checked against what the current session performed (its `amr`). When the org requires MFA
/// and the session did not perform it, the switch is a step-up (core's `decide_step_up`): a
/// `totp` code of the user's factor, counted in the org's lockout context like a login.
pub async fn switch(state: &AppState, auth: &AuthUser, body: Value) -> ApiResult<Value> {
    let body: Switch = parse_body(body)?;
    let tenant = state.store.tenant_by_id(&auth.user.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let org = state
        .store
        .org_by_id_or_slug(&tenant.id, super::org_key(&body.organization)?)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let token_org = membership(state, &org, &auth.user.id).await?;
    let effective = resolve(&tenant.settings()?, &org.settings()?);
    let connections: Vec<String> = state.store.org_connections(&org.id).await?.into_iter().map(|c| c.id).collect();
    let now = clock::now();
    let mut facts = StepUpFacts {
        amr: auth.claims.amr.clone(),
        connection_id: auth.claims.cid.clone(),
        connections: connections.clone(),
        require_mfa: effective.require_mfa.value,
        lockout: Default::default(),
        lockout_policy: LockoutPolicy::from_settings(&effective),
        mfa: MfaFacts::default(),
        now,
    };
    // Most switches need no step-up: core says so without any state, and no row is written.
    let amr = match decide_step_up(&facts).outcome {
        Ok(amr) => amr,
        Err(_) => {
            let mut tx = state.store.begin().await?;
            facts.lockout = state.store.lock_lockout(&mut tx, &auth.user.id, &org.id).await?;
            if facts.lockout.check(now).is_ok() {
                facts.mfa = mfa::facts(state, &mut tx, &auth.user.id, body.totp.as_deref(), now).await?;
            }
            let decision = decide_step_up(&facts);
            state.store.save_lockout(&mut tx, &auth.user.id, &org.id, &decision.lockout).await?;
            tx.commit().await?;
            decision.outcome.map_err(|e| locked(e, decision.lockout.locked_until))?
        }
    };
    // The session's SSO connection comes along: core refuses it where the org does not allow it.
    let authentication = Authentication { amr, connection_id: auth.claims.cid.clone() };
    tokens::issue_for(state, &tenant, &auth.user, Some(token_org), authentication, connections).await
}
