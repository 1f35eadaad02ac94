//! `/api/v1/organizations/{id}/audit-log`: the org's audit log, for its owners and admins.

use super::context;
use crate::api::BearerAuth;
use crate::api::answer::{Ok200, UserPage, user_page};
use crate::api::views::people::AuditEntryCamel;
use crate::error::ApiResult;
use crate::service::orgs;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: audit log.
    AuditLog,
}

/// Audit log handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::AuditLog")]
impl Api {
    /// Every change to the org, oldest first (owner or admin): actor, action, target, time, and
    /// the client address and User-Agent of the request that made it.
    #[oai(path = "/api/v1/organizations/:id/audit-log", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<AuditEntryCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let page = orgs::audit_log(&self.0.store, &tenant, &caller, &id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        user_page(page, |e| Ok(AuditEntryCamel::from(e)))
    }
}
