//! `/manage/v1/{tenant}/organizations/{orgId}/audit-log`.

use crate::error::ApiResult;
use crate::api::BearerAuth;
use crate::api::answer::{ManagePage, Ok200, manage_page};
use crate::api::views::people::AuditEntry;
use crate::auth::management;
use crate::service::{Caller, orgs};
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: audit log.
    ManageAuditLog,
}

/// Audit log handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageAuditLog")]
impl Api {
    /// Every change to the org, oldest first: actor, action, target, time, and the client address
    /// and User-Agent of the request that made it (`null` from the CLI or without one).
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/audit-log", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<AuditEntry>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = orgs::audit_log(&self.0.store, &t, &Caller::Tenant, &org_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |e| Ok(AuditEntry::from(e)))
    }
}
