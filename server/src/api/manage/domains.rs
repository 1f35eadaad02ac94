//! `/manage/v1/{tenant}/organizations/{orgId}/domains[/{domainId}[/verify]]`: an org's domain
//! claims, by the operator (who may create one verified).

use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Json, ManagePage, NoContent204, Ok200, Upserted, manage_page};
use crate::api::views::sso::Domain;
use crate::auth::management;
use crate::error::ApiResult;
use crate::service::Caller;
use crate::service::domains::{self, Claimed};
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: verified domains.
    ManageDomains,
}

/// Domain handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageDomains")]
impl Api {
    /// Claim a domain for an org `{domain, verified?}`; `verified: true` needs no DNS record
    /// (201), and verifies the org's pending claim on it if it has one (200).
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/domains", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<NewManagedDomain>) -> ApiResult<Upserted<Domain>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (row, claimed) = domains::create(&self.0, &t, &Caller::Tenant, &org_id, body.0).await?;
        let data = Json(Domain::new(row)?);
        Ok(match claimed {
            Claimed::Created => Upserted::Created(data),
            Claimed::Vouched => Upserted::Ok(data),
        })
    }

    /// An org's domains.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/domains", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<Domain>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = domains::list(&self.0, &t, &Caller::Tenant, &org_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, Domain::new)
    }

    /// Verify a domain, or re-check a verified one, against DNS.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/domains/:domain_id/verify", method = "post")]
    async fn verify(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, domain_id: Path<String>) -> ApiResult<Ok200<Domain>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let row = domains::verify(&self.0, &t, &Caller::Tenant, &org_id, &domain_id).await?;
        Ok(Ok200::Ok(Json(Domain::new(row)?)))
    }

    /// Delete a domain.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/domains/:domain_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, domain_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        domains::delete(&self.0, &t, &Caller::Tenant, &org_id, &domain_id).await?;
        Ok(NoContent204::NoContent)
    }
}
