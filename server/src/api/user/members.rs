//! `/api/v1/organizations/{id}/members[/{memberId}]` (member ids are user ids).

use super::context;
use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Envelope, Null, Ok200, UserPage, deleted, ok, user_page};
use crate::api::views::people::UserMember;
use crate::service::members;
use crate::service::orgs;
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::Permission;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: members.
    Members,
}

/// Member handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Members")]
impl Api {
    /// Members with their roles.
    #[oai(path = "/api/v1/organizations/:id/members", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<UserMember>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (org, _) = orgs::get(&self.0.store, &tenant, &caller, &id, Permission::MembersRead).await?;
        let page = self.0.store.list_members(&org.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        user_page(page, |m| Ok(UserMember::from(m)))
    }

    /// Change a member's role (owner or admin).
    #[oai(path = "/api/v1/organizations/:id/members/:member_id", method = "put")]
    async fn update(&self, auth: BearerAuth, id: Path<String>, member_id: Path<String>, body: Body<RoleChange>) -> ApiResult<Ok200<Envelope<UserMember>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let m = members::change_role(&self.0.store, &tenant, &caller, &id, &member_id, body.0).await?;
        Ok(ok(UserMember::from(m)))
    }

    /// Remove a member (or leave).
    #[oai(path = "/api/v1/organizations/:id/members/:member_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<String>, member_id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        members::remove(&self.0.store, &tenant, &caller, &id, &member_id).await?;
        Ok(deleted())
    }
}
