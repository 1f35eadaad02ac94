//! `/manage/v1/{tenant}/organizations/{orgId}/invitations[/{invitationId}[/resend]]`.

use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::views::people::Invitation;
use crate::auth::management;
use crate::service::Caller;
use crate::service::invitations;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: invitations.
    ManageInvitations,
}

/// Invitation handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageInvitations")]
impl Api {
    /// Invite `{email, role}`: emails a 7-day link.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<NewInvitation>) -> ApiResult<Created201<Invitation>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let issued = invitations::create(&self.0, &t, &Caller::Tenant, &org_id, body.0).await?;
        Ok(Created201::Created(Json(Invitation::new(issued.row, Some(issued.url), self.0.store.now()))))
    }

    /// List pending invitations.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<Invitation>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = invitations::list(&self.0, &t, &Caller::Tenant, &org_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |r| Ok(Invitation::new(r, None, self.0.store.now())))
    }

    /// Revoke a pending invitation.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations/:invitation_id", method = "delete")]
    async fn revoke(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, invitation_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        invitations::revoke(&self.0, &t, &Caller::Tenant, &org_id, &invitation_id).await?;
        Ok(NoContent204::NoContent)
    }

    /// Send the invitation again with a fresh link; the old link stops working.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations/:invitation_id/resend", method = "post")]
    async fn resend(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, invitation_id: Path<String>) -> ApiResult<Ok200<Invitation>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let issued = invitations::resend(&self.0, &t, &Caller::Tenant, &org_id, &invitation_id).await?;
        Ok(Ok200::Ok(Json(Invitation::new(issued.row, Some(issued.url), self.0.store.now()))))
    }
}
