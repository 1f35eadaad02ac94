//! SAML login through an org's connection: the SP-initiated start and the assertion consumer.
//!
//! The ACS verifies the response (samael, off the async workers), then decides in one
//! transaction: the org still allows the connection, `InResponseTo` names an unused request we
//! issued, the assertion id was never consumed (a primary key, so concurrent posts of one
//! response give one success on any number of instances), and core's `decide_sso_login` says
//! which account the assertion may sign in: one already linked to the connection, or one whose
//! email domain the org verified (then linked; created and joined as `member` just in time).
//! The token is built by core with `amr: ["saml"]` and `cid`.

use super::path_id;
use super::tokens::{self, IssuedToken, TokenOrg};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::saml::{self, REQUEST_TTL_SECONDS, SpUrls};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::connections::ConnectionRow;
use crate::store::new_id;
use crate::store::orgs::OrgRow;
use crate::store::saml::AssertionUse;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use crate::store::{Store, Tx};
use super::scim::GroupFollower;
use orgkit_core::directory::role_from_groups;
use orgkit_core::settings::resolve;
use orgkit_core::login::{SsoAccountFacts, SsoLoginFacts, check_connection_allowed, check_redirect_target, decide_sso_login};
use orgkit_core::{ErrorCode, Role};
use orgkit_core::token::Authentication;

/// A connection that is an org's own, with its tenant and org.
struct SsoContext {
    conn: ConnectionRow,
    tenant: TenantRow,
    org: OrgRow,
    urls: SpUrls,
}

async fn context(state: &AppState, connection_id: &str) -> ApiResult<SsoContext> {
    path_id(connection_id, "connection")?;
    let store = &state.store;
    let conn = store.connection_by_id(connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let sso = store.org_sso_by_connection(&conn.id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let tenant = store.tenant_by_id(&conn.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let org = store.org(&tenant.id, &sso.org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let urls = SpUrls::new(&state.config.public_url, &conn.id);
    Ok(SsoContext { conn, tenant, org, urls })
}

/// Where the browser goes after the login: the RelayState when core allows it (the server's
/// own origin, except its routes that send a browser on, or one of the tenant's
/// `allowed_redirect_urls`), else the server's root.
fn target(state: &AppState, tenant: &TenantRow, relay_state: Option<&str>) -> ApiResult<String> {
    match relay_state.filter(|r| !r.is_empty()) {
        None => Ok(format!("{}/", state.config.public_url)),
        Some(r) => Ok(check_redirect_target(r, &state.config.public_url, &tenant.settings()?.allowed_redirect_urls)?),
    }
}

/// Starts an SP-initiated login: records a new AuthnRequest id and answers the IdP URL
/// (HTTP-Redirect binding) carrying it and the RelayState.
pub async fn login(state: &AppState, connection_id: &str, relay_state: Option<&str>) -> ApiResult<String> {
    let cx = context(state, connection_id).await?;
    let relay_state = relay_state.unwrap_or_default();
    if !relay_state.is_empty() {
        target(state, &cx.tenant, Some(relay_state))?;
    }
    let allowed = state.store.org_connection_ids_read(&cx.org.id).await?;
    check_connection_allowed(&allowed, &cx.conn.id)?;
    // An xsd:ID must not start with a digit.
    let request_id = format!("_{}", clock::random_token(20)?);
    let now = state.store.now();
    state.store.insert_saml_request(&request_id, &cx.conn.id, now, now + REQUEST_TTL_SECONDS).await?;
    saml::login_redirect(&cx.urls, &cx.conn, &request_id, relay_state)
}

/// What the ACS answers: the token object, and where to send a browser.
pub struct AcsOutcome {
    /// The org's token.
    pub token: IssuedToken,
    /// The redirect target (without the token), for non-JSON clients.
    pub redirect: Option<String>,
}

/// Consumes a posted SAML response. `json` = the client asked for JSON (no redirect).
pub async fn acs(state: &AppState, connection_id: &str, saml_response: &str, relay_state: Option<&str>, json: bool) -> ApiResult<AcsOutcome> {
    let cx = context(state, connection_id).await?;
    // A refused target is refused before anything is consumed.
    let redirect = if json { None } else { Some(target(state, &cx.tenant, relay_state)?) };
    let (xml, shape) = saml::decode_response(saml_response)?;
    let (conn, urls) = (cx.conn.clone(), cx.urls.clone());
    let verified = tokio::task::spawn_blocking(move || saml::verify_response(&conn, &urls, &xml, &shape))
        .await
        .map_err(ApiError::internal)??;
    let email = verified
        .email
        .as_deref()
        .and_then(|e| orgkit_core::normalize_email(e).ok())
        .ok_or_else(|| ApiError::new(ErrorCode::SamlInvalidResponse, "the assertion carries no email (NameID emailAddress or an email attribute)"))?;

    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let org_connections = store.org_connection_ids(&mut tx, &cx.org.id).await?;
    check_connection_allowed(&org_connections, &cx.conn.id)?;
    if store.use_assertion(&mut tx, &cx.conn.id, &verified.id, verified.usable_until, now).await? == AssertionUse::Replayed {
        return Err(ApiError::new(ErrorCode::SamlReplay, "this assertion was already used"));
    }
    if let Some(request_id) = &verified.in_response_to
        && !store.consume_saml_request(&mut tx, request_id, &cx.conn.id, now).await?
    {
        return Err(ApiError::new(ErrorCode::SamlUnknownRequest, "InResponseTo names no open authentication request of this connection"));
    }
    let (user, role) = sso_account(store, &mut tx, &cx, &email, now).await?;
    let role = follow_groups(store, &mut tx, &cx, &user, role, &verified.groups, now).await?;
    tx.commit().await?;
    let authentication = Authentication { amr: vec!["saml".to_owned()], connection_id: Some(cx.conn.id.clone()), auth_time: None };
    let org = TokenOrg { org: &cx.org, role };
    let token = tokens::issue_for(state, &cx.tenant, &user, Some(org), authentication, org_connections).await?;
    Ok(AcsOutcome { token, redirect })
}

/// With a groups attribute on the connection, the member's role follows the IdP groups the
/// assertion lists through the org's `group_role_mappings` (core's rules: nothing changes when
/// the org maps no group); answers the role the session signs in with.
async fn follow_groups(store: &Store, tx: &mut Tx, cx: &SsoContext, user: &UserRow, role: Role, groups: &[String], now: i64) -> ApiResult<Role> {
    if cx.conn.groups_attribute.is_none() {
        return Ok(role);
    }
    let mappings = resolve(&cx.tenant.settings()?, &cx.org.settings()?).group_role_mappings.value.unwrap_or_default();
    let actor = format!("connection:{}", cx.conn.id);
    let follower = GroupFollower { tenant_id: &cx.tenant.id, org_id: &cx.org.id, actor: &actor };
    follower.follow(store, tx, &user.id, role, role_from_groups(&mappings, groups), now).await
}

/// Which account the assertion signs in, as core's `decide_sso_login` decides from the org's
/// verified domains and the account's link and email proof; writes what the plan says (new
/// account, link, email proof, revoked credentials, just-in-time membership) in the ACS's
/// transaction, so a refusal writes nothing.
async fn sso_account(store: &Store, tx: &mut Tx, cx: &SsoContext, email: &str, now: i64) -> ApiResult<(UserRow, Role)> {
    let existing = store.user_by_email_tx(tx, &cx.tenant.id, email).await?;
    let account = match &existing {
        Some(u) => Some(SsoAccountFacts {
            linked: store.is_linked(tx, &cx.conn.id, &u.id).await?,
            email_verified: u.email_verified_at.is_some(),
            role: store.member_tx(tx, &cx.org.id, &u.id).await?.map(|m| m.role()).transpose()?,
        }),
        None => None,
    };
    let org_verified_domains = store.verified_domains_tx(tx, &cx.org.id).await?;
    let connection = cx.conn.for_login(cx.conn.owner_org_id.as_ref().map(|_| org_verified_domains.clone()))?;
    let plan = decide_sso_login(&SsoLoginFacts { email: email.to_owned(), connection, org_verified_domains, account })?;
    let actor = format!("connection:{}", cx.conn.id);
    let user = match existing {
        Some(u) => u,
        None => {
            let user = UserRow {
                id: new_id(),
                tenant_id: cx.tenant.id.clone(),
                email: email.to_owned(),
                name: None,
                password_hash: None,
                created_at: now,
                tokens_valid_after: None,
                email_verified_at: Some(now),
            };
            store.insert_user(tx, &user).await?;
            user
        }
    };
    let mut actions = Vec::new();
    if plan.link {
        store.link_identity(tx, &cx.conn.id, &user.id, now).await?;
        actions.push("user.linked_by_sso");
    }
    if plan.verify_email {
        store.set_email_verified(tx, &user.id, now).await?;
    }
    if plan.revoke_credentials {
        // The account was never proven to be this email's owner: what was set on it may be a
        // squatter's (password, factor, sessions).
        store.revoke_credentials(tx, &user.id, now).await?;
        actions.push("user.credentials_revoked_by_sso");
    }
    if plan.join {
        store.insert_member(tx, &cx.org.id, &user.id, plan.role, now).await?;
        actions.push("member.added_by_sso");
    }
    for action in actions {
        let entry = AuditEntry { tenant_id: &cx.tenant.id, org_id: Some(&cx.org.id), actor: &actor, action, target: Some(format!("user:{}", user.id)) };
        store.audit(tx, entry, now).await?;
    }
    let user = store.user_by_email_tx(tx, &cx.tenant.id, email).await?.ok_or_else(|| ApiError::internal("user vanished"))?;
    Ok((user, plan.role))
}
