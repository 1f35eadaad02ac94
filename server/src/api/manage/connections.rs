//! `/manage/v1/{tenant}/connections[/{connectionId}]` and
//! `/manage/v1/{tenant}/organizations/{orgId}/connections[/{connectionId}]`.

use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::views::sso::Connection;
use crate::service::connections;
use crate::auth::management;
use crate::service::{Caller, orgs};
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::Permission;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: SSO connections.
    ManageConnections,
}

/// Connection handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageConnections")]
impl Api {
    /// Create a SAML connection `{name, entity_id, sso_url, certificate, email_domains}`.
    #[oai(path = "/manage/v1/:tenant/connections", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, body: Body<NewConnection>) -> ApiResult<Created201<Connection>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let c = connections::create(&self.0.store, &t, &body.0).await?;
        Ok(Created201::Created(Json(Connection::new(c)?)))
    }

    /// List the tenant's connections.
    #[oai(path = "/manage/v1/:tenant/connections", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<Connection>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = self.0.store.list_connections(&t.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, Connection::new)
    }

    /// Get a connection.
    #[oai(path = "/manage/v1/:tenant/connections/:connection_id", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>, connection_id: Path<String>) -> ApiResult<Ok200<Connection>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        Ok(Ok200::Ok(Json(Connection::new(connections::get(&self.0.store, &t, &connection_id).await?)?)))
    }

    /// Delete a connection.
    #[oai(path = "/manage/v1/:tenant/connections/:connection_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, connection_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        connections::delete(&self.0.store, &t, &connection_id).await?;
        Ok(NoContent204::NoContent)
    }

    /// Allow a connection for an org `{connection_id}`.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/connections", method = "post")]
    async fn enable(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, body: Body<EnableConnection>) -> ApiResult<Created201<Connection>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let c = connections::enable(&self.0.store, &t, &Caller::Tenant, &org_id, body.0).await?;
        Ok(Created201::Created(Json(Connection::new(c)?)))
    }

    /// The connections an org allows.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/connections", method = "get")]
    async fn list_org(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<Connection>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (org, _) = orgs::get(&self.0.store, &t, &Caller::Tenant, &org_id, Permission::ConnectionsRead).await?;
        let page = self.0.store.list_org_connections(&org.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, Connection::new)
    }

    /// Stop allowing a connection for an org.
    #[oai(path = "/manage/v1/:tenant/organizations/:org_id/connections/:connection_id", method = "delete")]
    async fn disable(&self, auth: BearerAuth, tenant: Path<String>, org_id: Path<String>, connection_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        connections::disable(&self.0.store, &t, &Caller::Tenant, &org_id, &connection_id).await?;
        Ok(NoContent204::NoContent)
    }
}
