//! `/api/v1/organizations/{id}/domains[/{domainId}[/verify]]`: the org's domain claims (owner).

use super::context;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Envelope, Null, Ok200, UserPage, created, deleted, ok, user_page};
use crate::api::views::sso::DomainCamel;
use crate::service::domains;
use crate::error::ApiResult;
use crate::rate_limit::ClientAddress;
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::rate_limit::LimitedAction;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: verified domains.
    Domains,
}

/// Domain handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Domains")]
impl Api {
    /// Claim a domain `{domain}` (owner): pending, with the DNS TXT record that proves it.
    #[oai(path = "/api/v1/organizations/:id/domains", method = "post")]
    async fn create(&self, auth: BearerAuth, id: Path<String>, body: Body<NewDomain>) -> ApiResult<Created201<Envelope<DomainCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (row, _) = domains::create(&self.0, &tenant, &caller, &id, body.0).await?;
        Ok(created(DomainCamel::new(row)?))
    }

    /// The org's domains (owner or admin); a pending one carries its `verification`.
    #[oai(path = "/api/v1/organizations/:id/domains", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<DomainCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let page = domains::list(&self.0, &tenant, &caller, &id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        user_page(page, DomainCamel::new)
    }

    /// Verify a domain, or re-check a verified one, against DNS (owner): `status: "verified"`,
    /// or `domain_not_verified` saying what was found (a verified domain whose record is gone
    /// is pending again). Each asks DNS, so it is rate limited per client address and per user
    /// (429 `rate_limited` with `Retry-After`).
    #[oai(path = "/api/v1/organizations/:id/domains/:domain_id/verify", method = "post")]
    async fn verify(&self, req: &Request, auth: BearerAuth, id: Path<String>, domain_id: Path<String>) -> ApiResult<Ok200<Envelope<DomainCamel>>> {
        let (auth, tenant, caller) = context(&self.0, &auth.0.token).await?;
        self.0.limits.check(LimitedAction::VerifyDomain, ClientAddress::of(req), Some(&auth.user.id))?;
        let row = domains::verify(&self.0, &tenant, &caller, &id, &domain_id).await?;
        Ok(ok(DomainCamel::new(row)?))
    }

    /// Delete a domain (owner).
    #[oai(path = "/api/v1/organizations/:id/domains/:domain_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<String>, domain_id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        domains::delete(&self.0, &tenant, &caller, &id, &domain_id).await?;
        Ok(deleted())
    }
}
