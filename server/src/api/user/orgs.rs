//! `/api/v1/organizations[/{id}]`.

use super::context;
use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Envelope, Null, Ok200, UserPage, created, deleted, ok, user_page};
use crate::api::views::orgs::UserOrg;
use crate::service::orgs;
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::{Actor, Permission};
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

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
    async fn create(&self, auth: BearerAuth, body: Body<OrganizationFieldsCamel>) -> ApiResult<Created201<Envelope<UserOrg>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let org = orgs::create(&self.0.store, &tenant, &caller, &body.0, &self.0.config.public_url).await?;
        Ok(created(UserOrg::new(&tenant.settings()?, org, Some(orgkit_core::CREATOR_ROLE.as_str()))?))
    }

    /// The organizations the caller belongs to.
    #[oai(path = "/api/v1/organizations", method = "get")]
    async fn list(&self, auth: BearerAuth, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<UserOrg>>> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        let page = self.0.store.list_user_orgs(&auth.user.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        let settings = tenant.settings()?;
        user_page(page, |(org, role)| UserOrg::new(&settings, org, Some(&role)))
    }

    /// Organization details.
    #[oai(path = "/api/v1/organizations/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Ok200<Envelope<UserOrg>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (org, actor) = orgs::get(&self.0.store, &tenant, &caller, &id, Permission::OrgRead).await?;
        Ok(ok(UserOrg::new(&tenant.settings()?, org, role_of(&actor))?))
    }

    /// Update name, slug, metadata or settings (owner or admin).
    #[oai(path = "/api/v1/organizations/:id", method = "put")]
    async fn update(&self, auth: BearerAuth, id: Path<String>, body: Body<OrganizationFieldsCamel>) -> ApiResult<Ok200<Envelope<UserOrg>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (org, actor) = orgs::update(&self.0.store, &tenant, &caller, &id, &body.0, &self.0.config.public_url).await?;
        Ok(ok(UserOrg::new(&tenant.settings()?, org, role_of(&actor))?))
    }

    /// Delete an organization (owner).
    #[oai(path = "/api/v1/organizations/:id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        orgs::delete(&self.0.store, &tenant, &caller, &id).await?;
        Ok(deleted())
    }
}
