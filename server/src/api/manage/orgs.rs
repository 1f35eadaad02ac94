//! `/manage/v1/{tenant}/organizations[/{orgId}]`.

use crate::error::ApiResult;
use crate::api::views::{list_manage, org_manage};
use crate::api::body::*;
use crate::api::{JsonAnswer, BearerAuth, Reply};
use crate::auth::management;
use crate::service::{Caller, orgs};
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::Permission;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: organizations.
    ManageOrganizations,
}

/// Organization handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageOrganizations")]
impl Api {
    /// Create an organization.
    #[oai(path = "/manage/v1/:tenant/organizations", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, body: Body<OrganizationFields>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let org = orgs::create(&self.0.store, &t, &Caller::Tenant, &body.0, &self.0.config.public_url).await?;
        Ok(Reply::Created(JsonAnswer(org_manage(&t.settings()?, &org)?)))
    }

    /// List the tenant's organizations.
    #[oai(path = "/manage/v1/:tenant/organizations", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = orgs::list(&self.0.store, &t, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        let settings = t.settings()?;
        Ok(Reply::Ok(JsonAnswer(list_manage(page, |o| org_manage(&settings, o))?)))
    }

    /// Get an organization with its effective settings.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::get(&self.0.store, &t, &Caller::Tenant, &org_id, Permission::OrgRead).await?;
        Ok(Reply::Ok(JsonAnswer(org_manage(&t.settings()?, &org)?)))
    }

    /// Merge-patch an organization: name, slug, metadata, branding, auth settings.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "patch")]
    async fn patch(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<OrganizationFields>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::update(&self.0.store, &t, &Caller::Tenant, &org_id, &body.0, &self.0.config.public_url).await?;
        Ok(Reply::Ok(JsonAnswer(org_manage(&t.settings()?, &org)?)))
    }

    /// Delete an organization.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>) -> ApiResult<Reply> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        orgs::delete(&self.0.store, &t, &Caller::Tenant, &org_id).await?;
        Ok(Reply::NoContent)
    }
}
