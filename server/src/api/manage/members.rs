//! `/manage/v1/{tenant}/organizations/{orgId}/members[/{userId}]`.

use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::views::people::ManagedMember;
use crate::auth::management;
use crate::service::members;
use crate::service::{Caller, orgs};
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::Permission;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: members.
    ManageMembers,
}

/// Member handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageMembers")]
impl Api {
    /// Add a member `{user_id, role}`.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/members", method = "post")]
    async fn add(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<NewMember>) -> ApiResult<Created201<ManagedMember>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let m = members::add(&self.0.store, &t, &Caller::Tenant, &org_id, body.0).await?;
        Ok(Created201::Created(Json(ManagedMember::from(m))))
    }

    /// List members.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/members", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<ManagedMember>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::get(&self.0.store, &t, &Caller::Tenant, &org_id, Permission::MembersRead).await?;
        let page = self.0.store.list_members(&org.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |m| Ok(ManagedMember::from(m)))
    }

    /// Change a member's role `{role}`.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/members/:user_id", method = "patch")]
    async fn patch(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, user_id: Path<String>, body: Body<RoleChange>) -> ApiResult<Ok200<ManagedMember>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let m = members::change_role(&self.0.store, &t, &Caller::Tenant, &org_id, &user_id, body.0).await?;
        Ok(Ok200::Ok(Json(ManagedMember::from(m))))
    }

    /// Remove a member.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/members/:user_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, user_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        members::remove(&self.0.store, &t, &Caller::Tenant, &org_id, &user_id).await?;
        Ok(NoContent204::NoContent)
    }
}
