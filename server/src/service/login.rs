//! Signup, password login (org policy and lockout decided by core, counters in the database),
//! and org switching.

use super::mfa;
use super::parse_body;
use super::tokens::{self, IssuedToken, TokenOrg};
use super::users::user_name;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::password;
use crate::rate_limit::ClientAddress;
use crate::service::tenants::DEFAULT_TENANT;
use crate::state::AppState;
use crate::store::new_id;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use orgkit_core::ErrorCode;
use orgkit_core::rate_limit::LimitedAction;
use orgkit_core::login::{
    LockoutPolicy, MfaFacts, NamedOrg, PasswordLoginFacts, PasswordRules, StepUpFacts, decide_password_login, decide_step_up, enforce_password,
    new_account_amr,
};
use orgkit_core::settings::{SettingsLayer, TenantSettings, resolve};
use orgkit_core::token::Authentication;
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/auth/signup` body.
#[derive(Debug, Deserialize, Object)]
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
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Tenant slug (default `default`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Org id or slug: the token then carries org claims and the org's policy applies.
    #[serde(default)]
    pub organization: Option<String>,
    /// Code of the user's TOTP factor: needed when the org requires MFA or the user enrolled
    /// one (else 401 `mfa_required`). Without a confirmed factor, a code of the enrolment
    /// that `mfa_enrollment_required` answered confirms it. Each code is accepted once; a
    /// wrong code counts as a failed login.
    #[serde(default)]
    pub totp: Option<String>,
}

/// `POST /api/v1/auth/token` body.
#[derive(Debug, Deserialize, Object)]
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

/// The key of an account for the abuse limits: the tenant and the normalised email.
pub(crate) fn account_key(tenant: &TenantRow, email: &str) -> String {
    format!("{}/{email}", tenant.id)
}

/// Creates a user with a password (checked against the tenant's rules), mails the link that
/// verifies its email, and answers a token.
pub async fn signup(state: &AppState, client: ClientAddress, body: Value) -> ApiResult<IssuedToken> {
    let body: Signup = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    state.limits.check(LimitedAction::Signup, client, Some(&account_key(&tenant, &email)))?;
    let name = user_name(body.name)?;
    let effective = resolve(&tenant.settings()?, &SettingsLayer::default());
    enforce_password(&body.password, &PasswordRules::from_settings(&effective), Some(&email))?;
    let hash = password::hash(body.password).await?;
    let now = state.store.now();
    let user = UserRow { id: new_id(), tenant_id: tenant.id.clone(), email, name, password_hash: Some(hash), created_at: now, tokens_valid_after: None, email_verified_at: None };
    let mut tx = state.store.begin().await?;
    state.store.insert_user(&mut tx, &user).await?;
    tx.commit().await?;
    super::email_verification::send(state, &user).await?;
    tokens::issue(state, &tenant, &user, None, new_account_amr()).await
}

/// The account's lockout limits: the tenant's effective ones (an org only tightens them, in
/// core's decisions).
pub(crate) fn account_lockout_policy(tenant: &TenantSettings) -> LockoutPolicy {
    LockoutPolicy::from_settings(&resolve(tenant, &SettingsLayer::default()))
}

/// Password login, into an org when `organization` is given (core's `decide_password_login`).
/// One lockout counter per account, whatever org is named: the named org's limits tighten it
/// for its members, and a login naming an org the user is not a member of — or one that does
/// not exist — is answered like a wrong password (401 `invalid_credentials`, counted), so that
/// neither the password nor the membership leaks. A member gets the org's password rules and
/// MFA requirement. The counter is read and written in one transaction with the row locked, so
/// concurrent attempts count exactly, and a TOTP code's step is consumed in that same
/// transaction.
pub async fn login(state: &AppState, client: ClientAddress, body: Value) -> ApiResult<IssuedToken> {
    let body: Login = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    state.limits.check(LimitedAction::Login, client, Some(&account_key(&tenant, &email)))?;
    let user = state.store.user_by_email(&tenant.id, &email).await?;
    // A key that cannot name an org names none, like the key of an org that does not exist.
    let org: Option<OrgRow> = match body.organization.as_deref().map(super::org_key) {
        Some(Ok(key)) => state.store.org_by_id_or_slug(&tenant.id, key).await?,
        _ => None,
    };
    let member = match (&org, &user) {
        (Some(o), Some(u)) => state.store.member(&o.id, &u.id).await?,
        _ => None,
    };
    let tenant_settings = tenant.settings()?;
    let layer = match &org {
        Some(o) => o.settings()?,
        None => SettingsLayer::default(),
    };
    let effective = resolve(&tenant_settings, &layer);
    let named = body.organization.as_ref().map(|_| NamedOrg {
        member: member.is_some(),
        lockout_policy: org.as_ref().map(|_| LockoutPolicy::from_settings(&effective)),
    });
    let now = state.store.now();
    if let Some(u) = &user {
        // A locked account is refused before its password is tested.
        let state_now = state.store.lockout(&u.id).await?;
        state_now.check(now).map_err(|e| ApiError::locked(e, state_now.locked_until, now))?;
    }
    let password_ok = password::verify(body.password.clone(), user.as_ref().and_then(|u| u.password_hash.clone())).await?;
    let mut facts = PasswordLoginFacts {
        lockout: Default::default(),
        lockout_policy: account_lockout_policy(&tenant_settings),
        org: named,
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
    facts.lockout = state.store.lock_lockout(&mut tx, &user.id).await?;
    // A code is only looked at (and its step used up, or a pending enrolment confirmed) for an
    // attempt that can succeed: the right password of a member, not locked.
    if password_ok && facts.org.is_none_or(|o| o.member) && facts.lockout.check(now).is_ok() {
        facts.mfa = mfa::facts(state, &mut tx, &user.id, body.totp.as_deref(), now).await?;
    }
    let decision = decide_password_login(&facts);
    state.store.save_lockout(&mut tx, &user.id, &decision.lockout).await?;
    tx.commit().await?;
    let amr = match decision.outcome {
        Ok(amr) => amr,
        Err(e) if e.code == ErrorCode::MfaEnrollmentRequired => return Err(mfa::enrolment_required(state, &tenant, &user, e).await?),
        Err(e) => return Err(ApiError::locked(e, decision.lockout.locked_until, now)),
    };
    let token_org = match (&org, member) {
        (Some(org), Some(m)) => Some(TokenOrg { org, role: m.role()? }),
        _ => None,
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
/// `totp` code of the user's factor, whose failures count on the account's lockout counter
/// like a login's, against the account's limits tightened by the org's.
pub async fn switch(state: &AppState, auth: &AuthUser, body: Value) -> ApiResult<IssuedToken> {
    let body: Switch = parse_body(body)?;
    let tenant = &auth.tenant;
    let org = state
        .store
        .org_by_id_or_slug(&tenant.id, super::org_key(&body.organization)?)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let token_org = membership(state, &org, &auth.user.id).await?;
    let tenant_settings = tenant.settings()?;
    let effective = resolve(&tenant_settings, &org.settings()?);
    let connections: Vec<String> = state.store.org_connections(&org.id).await?.into_iter().map(|c| c.id).collect();
    let now = state.store.now();
    let mut facts = StepUpFacts {
        amr: auth.claims.amr.clone(),
        connection_id: auth.claims.cid.clone(),
        connections: connections.clone(),
        require_mfa: effective.require_mfa.value,
        lockout: Default::default(),
        lockout_policy: account_lockout_policy(&tenant_settings),
        org_lockout_policy: Some(LockoutPolicy::from_settings(&effective)),
        mfa: MfaFacts::default(),
        now,
    };
    // Most switches need no step-up: core says so without any state, and no row is written.
    let amr = match decide_step_up(&facts).outcome {
        Ok(amr) => amr,
        Err(_) => {
            let mut tx = state.store.begin().await?;
            facts.lockout = state.store.lock_lockout(&mut tx, &auth.user.id).await?;
            if facts.lockout.check(now).is_ok() {
                facts.mfa = mfa::facts(state, &mut tx, &auth.user.id, body.totp.as_deref(), now).await?;
            }
            let decision = decide_step_up(&facts);
            state.store.save_lockout(&mut tx, &auth.user.id, &decision.lockout).await?;
            tx.commit().await?;
            decision.outcome.map_err(|e| ApiError::locked(e, decision.lockout.locked_until, now))?
        }
    };
    // The session's SSO connection and its time of authentication come along: core refuses the
    // connection where the org does not allow it, and a revocation of the session revokes the
    // token it mints here.
    let authentication = Authentication { amr, connection_id: auth.claims.cid.clone(), auth_time: Some(auth.claims.authenticated_at()) };
    tokens::issue_for(state, tenant, &auth.user, Some(token_org), authentication, connections).await
}
