//! The user API of seed 004: `/api/v1/…`, authenticated by a user's access token, answers in
//! the `{"success": …}` envelope.

pub mod audit;
pub mod auth;
pub mod domains;
pub mod invitations;
pub mod members;
pub mod oidc;
pub mod orgs;
pub mod scim;
pub mod sso;

use crate::auth::{self as authn, AuthUser};
use crate::error::ApiResult;
use crate::service::{Caller, Session};
use crate::state::AppState;
use crate::store::tenants::TenantRow;
use orgkit_core::token::Authentication;

/// The authenticated user, their tenant, and the caller they act as: their session, whose
/// `amr` and `cid` each org they act in checks against its policy.
pub async fn context(state: &AppState, token: &str) -> ApiResult<(AuthUser, TenantRow, Caller)> {
    let auth = authn::user(state, token).await?;
    let tenant = auth.tenant.clone();
    let authentication = Authentication { amr: auth.claims.amr.clone(), connection_id: auth.claims.cid.clone(), auth_time: Some(auth.claims.authenticated_at()) };
    let caller = Caller::User(Session { user_id: auth.user.id.clone(), authentication });
    Ok((auth, tenant, caller))
}
