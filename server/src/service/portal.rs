//! Admin-portal sessions. The operator makes a link for an org and an intent; opened once
//! (core's `check_portal_link`), it becomes a session whose caller is [`Caller::Portal`], a
//! delegate of that intent in that org only. An org's owner or admin signed in through the
//! normal login opens a session with their org access token; its caller is that user
//! ([`Caller::User`]), so every page re-checks their role and the org's policy.

use super::{Caller, PortalGrant, Session, orgs, parse_body};
use crate::auth::AuthUser;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::portal::{PortalLinkRow, PortalSessionRow};
use crate::store::tenants::TenantRow;
use crate::store::{Tx, new_id};
use orgkit_core::{ErrorCode, Permission};
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

/// A session just opened: its secret (the cookie) and its first page.
pub struct Opened {
    /// The session secret.
    pub session: String,
    /// The page to show first.
    pub first_page: PortalIntent,
    /// Its lifetime, seconds.
    pub lifetime: i64,
}

/// What a session may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// An opened link: its intent's page only.
    Link(PortalIntent),
    /// A signed-in owner or admin: every page, each as their role allows.
    Member,
}

impl Scope {
    /// Whether page `page` belongs to this session.
    pub fn shows(self, page: PortalIntent) -> bool {
        match self {
            Scope::Link(intent) => intent == page,
            Scope::Member => true,
        }
    }
}

/// A live portal session.
pub struct PortalSession {
    /// Its tenant.
    pub tenant: TenantRow,
    /// Its one org.
    pub org_id: String,
    /// Who it acts as.
    pub caller: Caller,
    /// What it shows.
    pub scope: Scope,
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
    store.use_portal_link(&mut tx, &link.id, now).await?;
    let row = PortalSessionRow {
        tenant_id: link.tenant_id,
        org_id: link.org_id,
        link_id: Some(link.id),
        intent: Some(link.intent),
        user_id: None,
        authentication: None,
        csrf_token: clock::random_token(SECRET_BYTES)?,
        expires_at: now.saturating_add(PORTAL_SESSION_TTL_SECS),
    };
    let session = begin_session(state, &mut tx, &row, now).await?;
    tx.commit().await?;
    Ok(Opened { session, first_page: intent, lifetime: PORTAL_SESSION_TTL_SECS })
}

/// Opens a session for a signed-in owner or admin of the org their access token names (one who
/// may read its audit log: `audit_log:read`), lasting as long as the token, at most an hour.
pub async fn sign_in(state: &AppState, auth: &AuthUser, tenant: TenantRow, caller: Caller) -> ApiResult<Opened> {
    let org_id = auth.claims.org_id.clone().ok_or_else(|| ApiError::new(ErrorCode::OrgRequired, "sign in to the organization to manage first"))?;
    let (org, _) = orgs::get(&state.store, &tenant, &caller, &org_id, Permission::AuditLogRead).await?;
    let Caller::User(session) = &caller else { return Err(ApiError::internal("a user token without a user")) };
    let store = &state.store;
    let now = store.now();
    let expires_at = auth.claims.exp.min(now.saturating_add(PORTAL_SESSION_TTL_SECS));
    let authentication = serde_json::to_string(&session.authentication).map_err(ApiError::internal)?;
    let row = PortalSessionRow {
        tenant_id: tenant.id,
        org_id: org.id,
        link_id: None,
        intent: None,
        user_id: Some(session.user_id.clone()),
        authentication: Some(authentication),
        csrf_token: clock::random_token(SECRET_BYTES)?,
        expires_at,
    };
    let mut tx = store.begin().await?;
    let secret = begin_session(state, &mut tx, &row, now).await?;
    tx.commit().await?;
    Ok(Opened { session: secret, first_page: PortalIntent::Members, lifetime: expires_at.saturating_sub(now) })
}

async fn begin_session(state: &AppState, tx: &mut Tx, row: &PortalSessionRow, now: i64) -> ApiResult<String> {
    let secret = clock::random_token(SECRET_BYTES)?;
    state.store.insert_portal_session(tx, &clock::sha256_hex(&secret), row, now).await?;
    Ok(secret)
}

/// The live session with secret `token`, if any.
pub async fn session(state: &AppState, token: &str) -> ApiResult<Option<PortalSession>> {
    let store = &state.store;
    let Some(row) = store.portal_session(&clock::sha256_hex(token), store.now()).await? else { return Ok(None) };
    let tenant = store.tenant_by_id(&row.tenant_id).await?.ok_or_else(|| ApiError::internal("a portal session without its tenant"))?;
    let (caller, scope) = match (row.link_id, row.intent, row.user_id, row.authentication) {
        (Some(link_id), Some(intent), None, None) => {
            let intent = PortalIntent::parse(&intent).map_err(ApiError::internal)?;
            (Caller::Portal(PortalGrant { link_id, org_id: row.org_id.clone(), intent }), Scope::Link(intent))
        }
        (None, None, Some(user_id), Some(authentication)) => {
            let authentication = serde_json::from_str(&authentication).map_err(ApiError::internal)?;
            (Caller::User(Session { user_id, authentication }), Scope::Member)
        }
        _ => return Err(ApiError::internal("a portal session neither a link's nor a member's")),
    };
    Ok(Some(PortalSession { tenant, org_id: row.org_id, caller, scope, csrf_token: row.csrf_token }))
}
