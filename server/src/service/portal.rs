//! Admin-portal links: the operator makes one for an org and an intent; opened once (core's
//! `check_portal_link`), it becomes a portal session whose caller is [`Caller::Portal`], a
//! delegate of that intent in that org only.

use super::{Caller, PortalGrant, orgs, parse_body, path_id};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::portal::{PortalLinkRow, PortalSessionRow};
use crate::store::tenants::TenantRow;
use crate::store::new_id;
use orgkit_core::Permission;
use orgkit_core::portal::{PORTAL_LINK_TTL_SECS, PORTAL_SESSION_TTL_SECS, PortalIntent, check_portal_link};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a link or session secret.
const SECRET_BYTES: usize = 32;

/// `POST /manage/v1/{tenant}/organizations/{orgId}/portal-links` body.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "PortalLinkRequest")]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// `sso`, `domains`, `scim`, `members` or `audit_log`.
    pub intent: String,
}

/// A link just made.
pub struct IssuedLink {
    /// The absolute URL to give the org's IT admin (shown once).
    pub url: String,
    /// What it is for.
    pub intent: PortalIntent,
    /// Until when it may be opened, unix seconds.
    pub expires_at: i64,
}

/// An opened link: the session's secret (the cookie) and where it starts.
pub struct Opened {
    /// The session secret.
    pub session: String,
    /// The intent, the portal page to show first.
    pub intent: PortalIntent,
}

/// A live portal session.
pub struct PortalSession {
    /// Its tenant.
    pub tenant: TenantRow,
    /// Who it acts as.
    pub caller: Caller,
    /// Its grant.
    pub grant: PortalGrant,
    /// The token its forms carry.
    pub csrf_token: String,
}

/// Makes a link for `org_id` (the operator only).
pub async fn create_link(state: &AppState, tenant: &TenantRow, org_id: &str, body: Value) -> ApiResult<IssuedLink> {
    let body: LinkRequest = parse_body(body)?;
    let intent = PortalIntent::parse(&body.intent)?;
    let (org, _) = orgs::get(&state.store, tenant, &Caller::Tenant, org_id, Permission::OrgRead).await?;
    let token = clock::random_token(SECRET_BYTES)?;
    let now = state.store.now();
    let row = PortalLinkRow { id: new_id(), tenant_id: tenant.id.clone(), org_id: org.id, intent: intent.as_str().to_owned(), created_at: now, used_at: None };
    state.store.insert_portal_link(&row, &clock::sha256_hex(&token)).await?;
    let url = format!("{}/portal/open/{token}", state.config.public_url);
    Ok(IssuedLink { url, intent, expires_at: now.saturating_add(PORTAL_LINK_TTL_SECS) })
}

/// Opens a link: once, in time (`not_found` for a link that never was).
pub async fn open(state: &AppState, token: &str) -> ApiResult<Opened> {
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let link = store.lock_portal_link(&mut tx, &clock::sha256_hex(token)).await?.ok_or_else(|| ApiError::not_found("portal link"))?;
    check_portal_link(link.created_at, link.used_at, now)?;
    let intent = PortalIntent::parse(&link.intent).map_err(ApiError::internal)?;
    let session = clock::random_token(SECRET_BYTES)?;
    let csrf = clock::random_token(SECRET_BYTES)?;
    store.open_portal_link(&mut tx, &link.id, &clock::sha256_hex(&session), &csrf, now, now.saturating_add(PORTAL_SESSION_TTL_SECS)).await?;
    tx.commit().await?;
    Ok(Opened { session, intent })
}

/// The live session with secret `token`, if any.
pub async fn session(state: &AppState, token: &str) -> ApiResult<Option<PortalSession>> {
    let store = &state.store;
    let Some(row) = store.portal_session(&clock::sha256_hex(token), store.now()).await? else { return Ok(None) };
    let PortalSessionRow { link_id, tenant_id, org_id, intent, csrf_token, .. } = row;
    let tenant = store.tenant_by_id(&tenant_id).await?.ok_or_else(|| ApiError::internal("a portal link without its tenant"))?;
    let grant = PortalGrant { link_id, org_id, intent: PortalIntent::parse(&intent).map_err(ApiError::internal)? };
    Ok(Some(PortalSession { tenant, caller: Caller::Portal(grant.clone()), grant, csrf_token }))
}

/// Checks an org path id the portal serves (the portal only ever names its own org).
pub fn own_org(session: &PortalSession, org_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    if org_id == session.grant.org_id { Ok(()) } else { Err(ApiError::not_found("organization")) }
}
