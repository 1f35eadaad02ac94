//! Who is calling: a tenant's management key, or a user's access token.

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::state::AppState;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use orgkit_core::ErrorCode;
use orgkit_core::token::{INSTANCE_LEEWAY_SECONDS, OrgClaims, Requirement, VerifyOptions, verify_org_token};

/// How stale a key's last-used time may get, in seconds: recording every use would make every
/// management read a database write.
pub const LAST_USED_RESOLUTION: i64 = 60;

fn unauthenticated(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthenticated, message)
}

/// The tenant a management key belongs to, if it is the tenant of the URL. A valid key of
/// another tenant gets `not_found`: that tenant does not exist for this caller.
pub async fn management(state: &AppState, tenant_slug: &str, key: &str) -> ApiResult<TenantRow> {
    let live = state
        .store
        .live_management_key(&clock::sha256_hex(key))
        .await?
        .ok_or_else(|| unauthenticated("unknown or revoked management key"))?;
    let now = state.store.now();
    if live.last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION) {
        state.store.touch_management_key(&live.key_id, now).await?;
    }
    let tenant = live.tenant;
    if tenant.slug != tenant_slug {
        return Err(ApiError::not_found("tenant"));
    }
    Ok(tenant)
}

/// An authenticated user and the claims of their token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user as stored now.
    pub user: UserRow,
    /// Their tenant, as stored now.
    pub tenant: TenantRow,
    /// The verified claims.
    pub claims: OrgClaims,
}

/// The verification options of access tokens issued by this server at `now`.
pub fn verify_options(state: &AppState, now: i64) -> VerifyOptions {
    VerifyOptions {
        issuer: state.config.issuer.clone(),
        audience: state.config.audience.clone(),
        leeway: INSTANCE_LEEWAY_SECONDS,
        now,
    }
}

/// Verifies an access token (core decides) and loads its user, who must still exist, with
/// their tenant.
pub async fn user(state: &AppState, token: &str) -> ApiResult<AuthUser> {
    let opts = verify_options(state, state.store.now());
    let claims = keys::with_keys(&state.keys, &state.store, |keys| verify_org_token(token, keys, &opts, &Requirement::default())).await?;
    let tenant_id = claims.tid.clone().ok_or_else(|| unauthenticated("the token names no tenant"))?;
    let (user, tenant) = state
        .store
        .user_with_tenant(&tenant_id, &claims.sub)
        .await?
        .ok_or_else(|| unauthenticated("the token's user no longer exists"))?;
    orgkit_core::token::check_not_revoked(claims.authenticated_at(), user.tokens_valid_after)?;
    Ok(AuthUser { user, tenant, claims })
}

/// The bearer token of a raw `Authorization` header, if any header was sent.
pub fn bearer_from_header(header: Option<&str>) -> ApiResult<Option<String>> {
    match header {
        None => Ok(None),
        Some(h) => Ok(Some(orgkit_core::token::parse_bearer(h)?.to_owned())),
    }
}
