//! Home-realm discovery: how an email signs in (SSO connection or password, MFA, lock), as
//! core's `explain_login` decides from the tenant's or org's policy. An org's own connection
//! routes only the domains its org has verified, and only while the org allows it (a disabled
//! SSO or a deleted org stops routing at once); the operator's connections route as declared.
//!
//! The answer must not tell a registered email from an unknown one, so core is given the same
//! user facts for every email (no password known, no factor enrolled) except the lockout
//! counter: the org's default connection is proposed to everyone, and `mfaRequired` is the
//! policy's. A user who enrolled a factor in an org without MFA is still asked for a code at
//! login (`mfa_required`), which discovery does not reveal.

use super::login::{account_key, tenant};
use super::parse_body;
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::ClientAddress;
use crate::state::AppState;
use crate::store::Store;
use crate::store::connections::ConnectionRow;
use orgkit_core::rate_limit::LimitedAction;
use orgkit_core::login::{Connection, LoginPlan, LoginQuery, OrgLoginFacts, UserLoginFacts, explain_login};
use orgkit_core::settings::{SettingsLayer, resolve};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/auth/discover` body.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct Discover {
    /// Tenant slug (default `default`).
    #[serde(default)]
    pub tenant: Option<String>,
    /// The email typed.
    pub email: String,
    /// Org id or slug, when logging into one.
    #[serde(default)]
    pub organization: Option<String>,
}

/// The connections as login policy sees them: each org's own connection with that org's
/// verified domains (read now, so a claim's age never matters), the operator's as declared.
async fn login_connections(store: &Store, rows: &[ConnectionRow]) -> ApiResult<Vec<Connection>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let verified = match &row.owner_org_id {
            Some(org_id) => Some(store.verified_domains(org_id).await?),
            None => None,
        };
        out.push(row.for_login(verified)?);
    }
    Ok(out)
}

/// Answers `{method, connectionId, loginUrl, mfaRequired, locked, lockedUntil,
/// passwordMinLength}`.
pub async fn discover(state: &AppState, client: ClientAddress, body: Value) -> ApiResult<Discovered> {
    let body: Discover = parse_body(body)?;
    let tenant = tenant(state, body.tenant.as_deref()).await?;
    let email = orgkit_core::normalize_email(&body.email)?;
    state.limits.check(LimitedAction::Discover, client, Some(&account_key(&tenant, &email)))?;
    let store = &state.store;
    let org = match &body.organization {
        Some(key) => Some(store.org_by_id_or_slug(&tenant.id, super::org_key(key)?).await?.ok_or_else(|| ApiError::not_found("organization"))?),
        None => None,
    };
    let tenant_effective = resolve(&tenant.settings()?, &SettingsLayer::default());
    let rows = match &org {
        Some(o) => store.org_connections(&o.id).await?,
        None => store.live_tenant_connections(&tenant.id).await?,
    };
    let org_facts = match &org {
        Some(o) => {
            let effective = resolve(&tenant.settings()?, &o.settings()?);
            Some(OrgLoginFacts {
                id: o.id.clone(),
                require_mfa: effective.require_mfa.value,
                password_min_length: effective.password_min_length.value,
                default_connection_id: effective.default_connection_id.value.clone(),
                connections: login_connections(store, &rows).await?,
            })
        }
        None => None,
    };
    let tenant_connections = match &org {
        Some(_) => Vec::new(),
        None => login_connections(store, &rows).await?,
    };
    // Unknown emails have no counter: they are never locked (see the module doc). A known
    // one has one counter, whatever org is named.
    let lockout = match store.user_by_email(&tenant.id, &email).await? {
        Some(u) => store.lockout(&u.id).await?,
        None => Default::default(),
    };
    let query = LoginQuery {
        email,
        org: org_facts,
        tenant_connections,
        tenant_password_min_length: tenant_effective.password_min_length.value,
        tenant_require_mfa: tenant_effective.require_mfa.value,
        user: Some(UserLoginFacts { has_password: false, mfa_enrolled: false, lockout }),
        now: store.now(),
    };
    let plan = explain_login(&query)?;
    let login_url = plan.connection_id.as_ref().and_then(|id| rows.iter().find(|r| &r.id == id)).map(|r| match r.kind.as_str() {
        "oidc" => format!("/oidc/{}/login", r.id),
        _ => format!("/saml/{}/login", r.id),
    });
    Ok(Discovered { plan, login_url })
}

/// A login plan and where its SSO login starts (a SAML or an OIDC connection's route).
pub struct Discovered {
    /// Core's plan.
    pub plan: LoginPlan,
    /// The path an SSO login starts at, when the plan is SSO.
    pub login_url: Option<String>,
}
