//! `/manage/v1/{tenant}/organizations/{orgId}/invitations[/{invitationId}[/resend]]`.

use crate::error::ApiResult;
use crate::api::views::list_manage;
use crate::api::body::*;
use crate::api::{JsonAnswer, BearerAuth, Reply};
use crate::auth::management;
use crate::service::Caller;
use crate::service::invitations::{self, invitation_json};
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
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<NewInvitation>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let issued = invitations::create(&self.0, &t, &Caller::Tenant, &org_id, body.0).await?;
        Ok(Reply::Created(JsonAnswer(invitation_json(&issued.row, Some(&issued.url)))))
    }

    /// List pending invitations.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = invitations::list(&self.0, &t, &Caller::Tenant, &org_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        Ok(Reply::Ok(JsonAnswer(list_manage(page, |r| Ok(invitation_json(r, None)))?)))
    }

    /// Revoke a pending invitation.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations/:invitation_id", method = "delete")]
    async fn revoke(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, invitation_id: Path<String>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        invitations::revoke(&self.0, &t, &Caller::Tenant, &org_id, &invitation_id).await?;
        Ok(Reply::NoContent)
    }

    /// Send the invitation again with a fresh link; the old link stops working.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/invitations/:invitation_id/resend", method = "post")]
    async fn resend(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, invitation_id: Path<String>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let issued = invitations::resend(&self.0, &t, &Caller::Tenant, &org_id, &invitation_id).await?;
        Ok(Reply::Ok(JsonAnswer(invitation_json(&issued.row, Some(&issued.url)))))
    }
}
