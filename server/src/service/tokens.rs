//! Access tokens: claims built by core from the org's (or tenant's) effective policy, signed
//! with the current key.

use crate::clock;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use orgkit_core::Role;
use orgkit_core::settings::{SettingsLayer, resolve};
use orgkit_core::token::{Authentication, ClaimsRequest, OrgContext, OrgPolicy, build_org_claims, sign_org_claims};

/// The org a token is for, with the user's role in it.
pub struct TokenOrg<'a> {
    /// The org.
    pub org: &'a OrgRow,
    /// The user's role.
    pub role: Role,
}

/// A signed access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The JWT.
    pub token: String,
    /// Its expiry, unix seconds.
    pub expires_at: i64,
    /// Its lifetime in seconds.
    pub lifetime_seconds: i64,
}

/// Builds (core refuses when the org's policy is not met) and signs an access token.
pub async fn issue(state: &AppState, tenant: &TenantRow, user: &UserRow, org: Option<TokenOrg<'_>>, amr: Vec<String>) -> ApiResult<IssuedToken> {
    issue_for(state, tenant, user, org, Authentication { amr, ..Default::default() }, Vec::new()).await
}

/// [`issue`] for a login that says how it authenticated (an SSO connection) into an org
/// allowing `org_connections`; core refuses a connection the org does not allow.
pub async fn issue_for(
    state: &AppState,
    tenant: &TenantRow,
    user: &UserRow,
    org: Option<TokenOrg<'_>>,
    authentication: Authentication,
    org_connections: Vec<String>,
) -> ApiResult<IssuedToken> {
    let layer = match &org {
        Some(o) => o.org.settings()?,
        None => SettingsLayer::default(),
    };
    let effective = resolve(&tenant.settings()?, &layer);
    let request = ClaimsRequest {
        issuer: state.config.issuer.clone(),
        audience: state.config.audience.clone(),
        user_id: user.id.clone(),
        email: Some(user.email.clone()),
        tenant_id: Some(tenant.id.clone()),
        org: org.as_ref().map(|o| OrgContext { id: o.org.id.clone(), slug: o.org.slug.clone(), role: o.role }),
        policy: OrgPolicy::new(&effective, org_connections),
        authentication,
        jti: Some(clock::random_token(16)?),
        now: state.store.now(),
    };
    let claims = build_org_claims(&request)?;
    let key = state.keys.signing_key(&state.store).await?;
    let token = sign_org_claims(&claims, &key)?;
    Ok(IssuedToken { token, expires_at: claims.exp, lifetime_seconds: claims.exp - claims.iat })
}
