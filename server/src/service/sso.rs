//! An org's own SAML SSO (seed 004 `/api/v1/organizations/{id}/sso`): its owner configures,
//! replaces or disables it; members with `sso:read` get the SP metadata.
//!
//! The configuration is a tenant connection (kind `saml`, the management API sees it too)
//! linked to the org by `org_sso` and allowed through `org_connections`. Replacing it keeps the
//! connection id, so the ACS URL the IdP knows stays valid; disabling removes the allowance
//! only, and configuring again re-enables the same connection.
//!
//! The configuration's `emailDomain` is recorded as a pending domain claim of the org: the
//! connection signs in, creates and routes accounts of that domain only once the org has
//! verified it (core's `decide_sso_login`, `route_email`).

use super::events::{self, ConnectionScope};
use super::{Caller, actor_in, path_id};
use crate::error::{ApiError, ApiResult};
use crate::saml::{self, SpUrls};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::connections::ConnectionRow;
use crate::store::new_id;
use crate::store::orgs::OrgRow;
use crate::store::{Store, Tx};
use crate::store::tenants::TenantRow;
use orgkit_core::connection::SamlConnection;
use orgkit_core::settings::check_default_connection;
use orgkit_core::event::EventType;
use orgkit_core::{Permission, authorize};
use serde_json::Value;

/// Whether a configuration created the connection or replaced the org's existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configured {
    /// First configuration.
    Created,
    /// The org's connection was replaced (same id).
    Replaced,
}

/// Creates or replaces the org's SAML connection from `{entityId, ssoUrl, certificate,
/// emailDomain}` and enables it for the org (owner only: `sso:manage`).
pub async fn configure(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, body: &Value) -> ApiResult<(ConnectionRow, Configured)> {
    path_id(org_id, "organization")?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let conn = SamlConnection::from_sso_config(&org.name, body)?;
    saml::certificate_der(&conn.certificate)?;
    let now = store.now();
    let (id, outcome) = match store.org_sso_tx(&mut tx, &org.id).await? {
        Some(existing) => {
            store.update_connection(&mut tx, &existing.connection_id, &conn, now).await?;
            (existing.connection_id, Configured::Replaced)
        }
        None => {
            let id = new_id();
            store.insert_connection(&mut tx, &id, &tenant.id, &conn, Some(&org.id), now).await?;
            store.insert_org_sso(&mut tx, &org.id, &id, now).await?;
            (id, Configured::Created)
        }
    };
    let own = OwnConnection { org: &org, connection_id: &id, email_domains: &conn.email_domains, protocol: OwnProtocol::Saml, outcome };
    start_allowing(store, &mut tx, tenant, caller, own).await?;
    tx.commit().await?;
    let row = store.connection(&tenant.id, &id).await?.ok_or_else(|| ApiError::internal("connection vanished"))?;
    Ok((row, outcome))
}

/// The protocol of an org's own connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnProtocol {
    /// SAML (`/api/v1/organizations/{id}/sso`).
    Saml,
    /// OpenID Connect (`/api/v1/organizations/{id}/oidc`).
    Oidc,
}

impl OwnProtocol {
    /// The connection's `kind`.
    fn kind(self) -> &'static str {
        match self {
            OwnProtocol::Saml => "saml",
            OwnProtocol::Oidc => "oidc",
        }
    }

    /// How the audit log names its changes: `sso.*` or `oidc.*`.
    fn audit_prefix(self) -> &'static str {
        match self {
            OwnProtocol::Saml => "sso",
            OwnProtocol::Oidc => "oidc",
        }
    }

    /// What a missing one is called.
    fn what(self) -> &'static str {
        match self {
            OwnProtocol::Saml => "SSO connection",
            OwnProtocol::Oidc => "OIDC connection",
        }
    }
}

/// Disables the org's own SAML or OIDC connection (owner only: `sso:manage`): the org stops
/// allowing it (configuring again re-enables it); refused while the org's settings name it as
/// their default connection.
pub(crate) async fn disable_own(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, protocol: OwnProtocol) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let connection_id = store.own_connection_tx(&mut tx, &org.id, protocol.kind()).await?.ok_or_else(|| ApiError::not_found(protocol.what()))?;
    let action = format!("{}.disabled", protocol.audit_prefix());
    stop_allowing(store, &mut tx, tenant, caller, &org, &connection_id, &action).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables the org's SAML SSO (see [`disable_own`]).
pub async fn disable(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<()> {
    disable_own(state, tenant, caller, org_id, OwnProtocol::Saml).await
}

/// An org's own connection (SAML or OIDC) just configured.
pub(crate) struct OwnConnection<'a> {
    /// The org.
    pub org: &'a OrgRow,
    /// The connection.
    pub connection_id: &'a str,
    /// The email domains it routes.
    pub email_domains: &'a [String],
    /// SAML or OIDC.
    pub protocol: OwnProtocol,
    /// Whether it was created or replaced.
    pub outcome: Configured,
}

/// Has the org allow its own connection just configured, records its email domains as the
/// owner's claims (trusted only once verified, `GET …/domains`), audits it
/// (`{protocol}.configured` or `{protocol}.replaced`) and records the event
/// (`connection.created` or `connection.updated`).
pub(crate) async fn start_allowing(store: &Store, tx: &mut Tx, tenant: &TenantRow, caller: &Caller, own: OwnConnection<'_>) -> ApiResult<()> {
    let OwnConnection { org, connection_id, email_domains, protocol, outcome } = own;
    let (action, kind) = match outcome {
        Configured::Created => (format!("{}.configured", protocol.audit_prefix()), EventType::ConnectionCreated),
        Configured::Replaced => (format!("{}.replaced", protocol.audit_prefix()), EventType::ConnectionUpdated),
    };
    let now = store.now();
    if !store.org_allows(tx, &org.id, connection_id).await? {
        store.insert_org_connection(tx, &org.id, connection_id, now).await?;
    }
    for domain in email_domains {
        super::domains::record_claim(store, tx, tenant, &org.id, domain, now).await?;
    }
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: &action, target: Some(format!("connection:{connection_id}")) };
    store.audit(tx, entry, now).await?;
    let scope = ConnectionScope::Org { org_id: &org.id, enabled: true };
    events::connection(store, tx, &tenant.id, scope, connection_id, kind, now).await
}

/// Stops `org` allowing its own connection `connection_id` (SAML or OIDC), audited as
/// `action`; refused while the org's settings name it as their default connection.
pub(crate) async fn stop_allowing(store: &Store, tx: &mut Tx, tenant: &TenantRow, caller: &Caller, org: &OrgRow, connection_id: &str, action: &str) -> ApiResult<()> {
    let remaining: Vec<String> = store.org_connection_ids(tx, &org.id).await?.into_iter().filter(|c| c != connection_id).collect();
    check_default_connection(&org.settings()?, Some(&remaining))?;
    if !store.delete_org_connection(tx, &org.id, connection_id).await? {
        return Err(ApiError::not_found("SSO connection"));
    }
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action, target: Some(format!("connection:{connection_id}")) };
    store.audit(tx, entry, store.now()).await?;
    let scope = ConnectionScope::Org { org_id: &org.id, enabled: false };
    events::connection(store, tx, &tenant.id, scope, connection_id, EventType::ConnectionUpdated, store.now()).await
}

/// The org's own SAML connection, if it has one, and whether the org allows it now (`sso:read`).
pub async fn current(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<Option<(ConnectionRow, bool)>> {
    let (org, _) = super::orgs::get(&state.store, tenant, caller, org_id, Permission::SsoRead).await?;
    let Some(sso) = state.store.org_sso(&org.id).await? else { return Ok(None) };
    let Some(conn) = state.store.connection(&tenant.id, &sso.connection_id).await? else { return Ok(None) };
    let enabled = state.store.org_connections(&org.id).await?.iter().any(|c| c.id == conn.id);
    Ok(Some((conn, enabled)))
}

/// The SP metadata XML of the org's connection (`sso:read`).
pub async fn metadata(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<String> {
    let (org, _) = super::orgs::get(&state.store, tenant, caller, org_id, Permission::SsoRead).await?;
    let sso = state.store.org_sso(&org.id).await?.ok_or_else(|| ApiError::not_found("SSO connection"))?;
    let conn = state.store.connection(&tenant.id, &sso.connection_id).await?.ok_or_else(|| ApiError::not_found("SSO connection"))?;
    saml::metadata_xml(&SpUrls::new(&state.config.public_url, &conn.id), &conn)
}
