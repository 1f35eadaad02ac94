//! `/manage/v1/{tenant}/events`: the tenant's events, oldest first (the pull side of the event
//! stream).

use crate::api::BearerAuth;
use crate::api::answer::{ManagePage, Ok200, manage_page};
use crate::api::views::events::Event;
use crate::auth::management;
use crate::error::ApiResult;
use crate::service::webhooks;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: events.
    ManageEvents,
}

/// Event handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageEvents")]
impl Api {
    /// The tenant's events, oldest first, optionally of some `types` (comma-separated); page
    /// with `limit` and `cursor` (`after` is accepted as its alias), kept for
    /// `ORGKIT_EVENT_RETENTION_DAYS`.
    #[oai(path = "/manage/v1/:tenant/events", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        tenant: Path<String>,
        types: Query<Option<String>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
        after: Query<Option<String>>,
    ) -> ApiResult<Ok200<ManagePage<Event>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let cursor = cursor.0.or(after.0);
        let page = webhooks::events(&self.0, &t, types.0.as_deref(), &PageQuery::parse(limit.0, cursor.as_deref())?).await?;
        manage_page(page, |row| Ok(Event::new(row)))
    }
}
