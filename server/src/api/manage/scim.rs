//! `/manage/v1/{tenant}/organizations/{orgId}/scim/tokens[/{tokenId}]`: an org's SCIM directory
//! tokens, by the operator (who may allow a directory any email domain).

use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::body::{OptionalBody, ScimTokenRequest};
use crate::api::views::directory::{NewScimToken as IssuedView, ScimToken};
use crate::auth::management;
use crate::error::ApiResult;
use crate::service::Caller;
use crate::service::scim_tokens;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: SCIM provisioning.
    ManageScim,
}

/// SCIM token handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageScim")]
impl Api {
    /// Create a token for an org's directory, optionally `{allow_any_domain: true}`: `token` is
    /// shown this once.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/scim/tokens", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: OptionalBody<ScimTokenRequest>) -> ApiResult<Created201<IssuedView>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let issued = scim_tokens::create(&self.0, &t, &Caller::Tenant, &org_id, body.0).await?;
        Ok(Created201::Created(Json(IssuedView::from(issued))))
    }

    /// An org's directory tokens, without their secrets.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/scim/tokens", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<ScimToken>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = scim_tokens::list(&self.0, &t, &Caller::Tenant, &org_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |row| Ok(ScimToken::from(row)))
    }

    /// Delete a token.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/scim/tokens/:token_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, token_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        scim_tokens::delete(&self.0, &t, &Caller::Tenant, &org_id, &token_id).await?;
        Ok(NoContent204::NoContent)
    }
}
