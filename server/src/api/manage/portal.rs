//! `/manage/v1/{tenant}/organizations/{orgId}/portal-links`: the operator sends a customer's IT
//! admin into the admin portal for one org and one task.

use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json};
use crate::api::body::{Body, PortalLinkRequest};
use crate::api::views::time;
use crate::auth::management;
use crate::error::ApiResult;
use crate::service::portal;
use crate::state::AppState;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, Tags};
use serde::Serialize;

#[derive(Tags)]
enum Tag {
    /// Management API: admin portal.
    ManagePortal,
}

/// A portal link: give `url` to the org's IT admin; it opens once, within five minutes.
#[derive(Object, Serialize)]
pub struct PortalLink {
    /// The absolute link (its secret is shown this once).
    pub url: String,
    /// `sso`, `domains`, `scim`, `members` or `audit_log`.
    pub intent: String,
    /// Until when it may be opened (RFC 3339).
    pub expires_at: String,
}

/// Portal link handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManagePortal")]
impl Api {
    /// Make a portal link `{intent}` for an org.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/portal-links", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<PortalLinkRequest>) -> ApiResult<Created201<PortalLink>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let link = portal::create_link(&self.0, &t, &org_id, body.0).await?;
        Ok(Created201::Created(Json(PortalLink { url: link.url, intent: link.intent.as_str().to_owned(), expires_at: time(link.expires_at) })))
    }
}
