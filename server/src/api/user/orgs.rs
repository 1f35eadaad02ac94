//! `/api/v1/organizations[/{id}]`.

use super::context;
use crate::error::ApiResult;
use crate::api::views::{list_user, org_user};
use crate::api::body::*;
use crate::api::{JsonAnswer, BearerAuth, Reply, envelope};
use crate::service::orgs;
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::{Actor, Permission};
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};
use serde_json::Value;

#[derive(Tags)]
enum Tag {
    /// User API: organizations.
    Organizations,
}

/// Organization handlers.
pub struct Api(pub AppState);

fn role_of(actor: &Actor) -> Option<&'static str> {
    match actor {
        Actor::Member { role, .. } => Some(role.as_str()),
        _ => None,
    }
}

#[OpenApi(tag = "Tag::Organizations")]
impl Api {
    /// Create an organization; the caller becomes its owner.
    #[oai(path = "/api/v1/organizations", method = "post")]
    async fn create(&self, auth: BearerAuth, body: Body<OrganizationFieldsCamel>) -> ApiResult<Reply> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let org = orgs::create(&self.0.store, &tenant, &caller, &body.0, &self.0.config.public_url).await?;
        Ok(Reply::Created(envelope(org_user(&tenant.settings()?, &org, Some(orgkit_core::CREATOR_ROLE.as_str()))?)))
    }

    /// The organizations the caller belongs to.
    #[oai(path = "/api/v1/organizations", method = "get")]
    async fn list(&self, auth: BearerAuth, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Reply> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        let page = self.0.store.list_user_orgs(&auth.user.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        let settings = tenant.settings()?;
        Ok(Reply::Ok(JsonAnswer(list_user(page, |(org, role)| org_user(&settings, org, Some(role)))?)))
    }

    /// Organization details.
    #[oai(path = "/api/v1/organizations/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Reply> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (org, actor) = orgs::get(&self.0.store, &tenant, &caller, &id, Permission::OrgRead).await?;
        Ok(Reply::Ok(envelope(org_user(&tenant.settings()?, &org, role_of(&actor))?)))
    }

    /// Update name, slug, metadata or settings (owner or admin).
    #[oai(path = "/api/v1/organizations/:id", method = "put")]
    async fn update(&self, auth: BearerAuth, id: Path<String>, body: Body<OrganizationFieldsCamel>) -> ApiResult<Reply> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (org, actor) = orgs::update(&self.0.store, &tenant, &caller, &id, &body.0, &self.0.config.public_url).await?;
        Ok(Reply::Ok(envelope(org_user(&tenant.settings()?, &org, role_of(&actor))?)))
    }

    /// Delete an organization (owner).
    #[oai(path = "/api/v1/organizations/:id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Reply> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        orgs::delete(&self.0.store, &tenant, &caller, &id).await?;
        Ok(Reply::Ok(envelope(Value::Null)))
    }
}
