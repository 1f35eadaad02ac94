//! SSO connections: the tenant's SAML connections and which ones each org allows.

use super::events::{self, ConnectionScope};
use super::{Caller, actor_in, parse_body, path_id};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::AuditEntry;
use crate::store::connections::ConnectionRow;
use crate::store::tenants::TenantRow;
use crate::store::{Store, new_id};
use orgkit_core::connection::SamlConnection;
use orgkit_core::settings::check_default_connection;
use orgkit_core::event::EventType;
use orgkit_core::{Permission, authorize};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST …/organizations/{orgId}/connections` body (seed 000).
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct EnableConnection {
    /// A connection of the tenant.
    pub connection_id: String,
}

/// Creates a SAML connection of the tenant.
pub async fn create(store: &Store, tenant: &TenantRow, body: &Value) -> ApiResult<ConnectionRow> {
    let conn = SamlConnection::from_json(body)?;
    let id = new_id();
    let now = store.now();
    let mut tx = store.begin().await?;
    store.insert_connection(&mut tx, &id, &tenant.id, &conn, None, now).await?;
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: "management_key", action: "connection.created", target: Some(format!("connection:{id}")) };
    store.audit(&mut tx, entry, now).await?;
    events::connection(store, &mut tx, &tenant.id, ConnectionScope::Tenant, &id, EventType::ConnectionCreated, now).await?;
    tx.commit().await?;
    store.connection(&tenant.id, &id).await?.ok_or_else(|| ApiError::internal("connection vanished"))
}

/// A connection of the tenant.
pub async fn get(store: &Store, tenant: &TenantRow, id: &str) -> ApiResult<ConnectionRow> {
    path_id(id, "connection")?;
    store.connection(&tenant.id, id).await?.ok_or_else(|| ApiError::not_found("connection"))
}

/// Deletes a connection; refused while an org names it as its default connection.
pub async fn delete(store: &Store, tenant: &TenantRow, id: &str) -> ApiResult<()> {
    let conn = get(store, tenant, id).await?;
    let mut tx = store.begin().await?;
    for org_id in store.orgs_allowing(&mut tx, &conn.id).await? {
        let org = store.lock_org(&mut tx, &tenant.id, &org_id).await?.ok_or_else(|| ApiError::internal("org vanished"))?;
        let remaining: Vec<String> = store.org_connection_ids(&mut tx, &org.id).await?.into_iter().filter(|c| *c != conn.id).collect();
        check_default_connection(&org.settings()?, Some(&remaining))?;
    }
    store.delete_connection(&mut tx, &conn.id).await?;
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: None, actor: "management_key", action: "connection.deleted", target: Some(format!("connection:{}", conn.id)) };
    store.audit(&mut tx, entry, store.now()).await?;
    events::connection_as_was(store, &mut tx, &tenant.id, ConnectionScope::Tenant, conn, EventType::ConnectionDeleted, store.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Allows a connection of the tenant for an org.
pub async fn enable(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, body: Value) -> ApiResult<ConnectionRow> {
    path_id(org_id, "organization")?;
    let body: EnableConnection = parse_body(body)?;
    path_id(&body.connection_id, "connection")?;
    let conn = store.connection(&tenant.id, &body.connection_id).await?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::ConnectionsManage)?;
    let conn = conn.ok_or_else(|| ApiError::not_found("connection"))?;
    let now = store.now();
    store.insert_org_connection(&mut tx, &org.id, &conn.id, now).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "connection.enabled", target: Some(format!("connection:{}", conn.id)) };
    store.audit(&mut tx, entry, now).await?;
    let scope = ConnectionScope::Org { org_id: &org.id, enabled: true };
    events::connection(store, &mut tx, &tenant.id, scope, &conn.id, EventType::ConnectionUpdated, now).await?;
    tx.commit().await?;
    Ok(conn)
}

/// Stops allowing a connection for an org; refused while it is the org's default connection.
pub async fn disable(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, connection_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    path_id(connection_id, "connection")?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::ConnectionsManage)?;
    let remaining: Vec<String> =
        store.org_connection_ids(&mut tx, &org.id).await?.into_iter().filter(|c| c != connection_id).collect();
    check_default_connection(&org.settings()?, Some(&remaining))?;
    if !store.delete_org_connection(&mut tx, &org.id, connection_id).await? {
        return Err(ApiError::not_found("connection"));
    }
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "connection.disabled", target: Some(format!("connection:{connection_id}")) };
    store.audit(&mut tx, entry, store.now()).await?;
    let scope = ConnectionScope::Org { org_id: &org.id, enabled: false };
    events::connection(store, &mut tx, &tenant.id, scope, connection_id, EventType::ConnectionUpdated, store.now()).await?;
    tx.commit().await?;
    Ok(())
}
