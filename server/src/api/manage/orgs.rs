//! `/manage/v1/{tenant}/organizations[/{orgId}]`.

use crate::error::ApiResult;
use crate::api::views::orgs::ManagedOrg;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::body::*;
use crate::api::BearerAuth;
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
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, body: Body<OrganizationFields>) -> ApiResult<Created201<ManagedOrg>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let org = orgs::create(&self.0.store, &t, &Caller::Tenant, &body.0, &self.0.config.public_url).await?;
        Ok(Created201::Created(Json(ManagedOrg::new(&t.settings()?, org)?)))
    }

    /// List the tenant's organizations.
    #[oai(path = "/manage/v1/:tenant/organizations", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<ManagedOrg>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = orgs::list(&self.0.store, &t, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        let settings = t.settings()?;
        manage_page(page, |o| ManagedOrg::new(&settings, o))
    }

    /// Get an organization with its effective settings.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>) -> ApiResult<Ok200<ManagedOrg>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::get(&self.0.store, &t, &Caller::Tenant, &org_id, Permission::OrgRead).await?;
        Ok(Ok200::Ok(Json(ManagedOrg::new(&t.settings()?, org)?)))
    }

    /// Merge-patch an organization: name, slug, metadata, branding, auth settings.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "patch")]
    async fn patch(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<OrganizationFields>) -> ApiResult<Ok200<ManagedOrg>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::update(&self.0.store, &t, &Caller::Tenant, &org_id, &body.0, &self.0.config.public_url).await?;
        Ok(Ok200::Ok(Json(ManagedOrg::new(&t.settings()?, org)?)))
    }

    /// Delete an organization.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        orgs::delete(&self.0.store, &t, &Caller::Tenant, &org_id).await?;
        Ok(NoContent204::NoContent)
    }
}
