//! `/api/v1/organizations/{id}/scim/tokens[/{tokenId}]`: the org's SCIM directory tokens (owner).

use super::context;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Envelope, Null, Ok200, UserPage, created, deleted, user_page};
use crate::api::views::directory::{NewScimTokenCamel, ScimTokenCamel};
use crate::error::ApiResult;
use crate::service::scim_tokens;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: SCIM provisioning.
    Scim,
}

/// SCIM token handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Scim")]
impl Api {
    /// Create a token for the org's directory (owner): `token` is shown this once; the
    /// directory provisions at `baseUrl`, only addresses of the org's verified domains.
    #[oai(path = "/api/v1/organizations/:id/scim/tokens", method = "post")]
    async fn create(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Created201<Envelope<NewScimTokenCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let issued = scim_tokens::create(&self.0, &tenant, &caller, &id, None).await?;
        Ok(created(NewScimTokenCamel::from(issued)))
    }

    /// The org's directory tokens (owner), without their secrets.
    #[oai(path = "/api/v1/organizations/:id/scim/tokens", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<ScimTokenCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let page = scim_tokens::list(&self.0, &tenant, &caller, &id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        user_page(page, |t| Ok(ScimTokenCamel::from(t)))
    }

    /// Delete a token (owner): the directory holding it is refused from then on.
    #[oai(path = "/api/v1/organizations/:id/scim/tokens/:token_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<String>, token_id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        scim_tokens::delete(&self.0, &tenant, &caller, &id, &token_id).await?;
        Ok(deleted())
    }
}
