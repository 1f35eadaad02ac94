//! The user API of seed 004: `/api/v1/…`, authenticated by a user's access token, answers in
//! the `{"success": …}` envelope.

pub mod auth;
pub mod domains;
pub mod invitations;
pub mod members;
pub mod orgs;
pub mod sso;

use crate::auth::{self as authn, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::service::Caller;
use crate::state::AppState;
use crate::store::tenants::TenantRow;

/// The authenticated user, their tenant, and the caller they act as.
pub async fn context(state: &AppState, token: &str) -> ApiResult<(AuthUser, TenantRow, Caller)> {
    let auth = authn::user(state, token).await?;
    let tenant = state.store.tenant_by_id(&auth.user.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let caller = Caller::User(auth.user.id.clone());
    Ok((auth, tenant, caller))
}
