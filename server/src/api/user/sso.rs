//! `/api/v1/organizations/{id}/sso[/metadata]`: present, answering `not_implemented` until the
//! SSO issue lands.

use super::context;
use crate::error::{ApiError, ApiResult};
use crate::api::body::*;
use crate::api::{BearerAuth, Reply};
use crate::service::orgs;
use crate::state::AppState;
use orgkit_core::{ErrorCode, Permission};
use poem_openapi::param::Path;
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: SAML SSO.
    Sso,
}

/// SSO handlers.
pub struct Api(pub AppState);

impl Api {
    async fn not_yet(&self, token: &str, id: &str, permission: Permission) -> ApiResult<Reply> {
        let (_, tenant, caller) = context(&self.0, token).await?;
        orgs::get(&self.0.store, &tenant, &caller, id, permission).await?;
        Err(ApiError::new(ErrorCode::NotImplemented, "SAML SSO is not implemented yet"))
    }
}

#[OpenApi(tag = "Tag::Sso")]
impl Api {
    /// SAML SP metadata of the organization.
    #[oai(path = "/api/v1/organizations/:id/sso/metadata", method = "get")]
    async fn metadata(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Reply> {
        self.not_yet(&auth.0.token, &id, Permission::SsoRead).await
    }

    /// Configure SAML SSO (owner).
    #[oai(path = "/api/v1/organizations/:id/sso", method = "post")]
    async fn configure(&self, auth: BearerAuth, id: Path<String>, _body: Body<SsoConfig>) -> ApiResult<Reply> {
        self.not_yet(&auth.0.token, &id, Permission::SsoManage).await
    }

    /// Disable SSO (owner).
    #[oai(path = "/api/v1/organizations/:id/sso", method = "delete")]
    async fn disable(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Reply> {
        self.not_yet(&auth.0.token, &id, Permission::SsoManage).await
    }
}
