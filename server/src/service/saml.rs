//! SAML login through an org's connection: the SP-initiated start and the assertion consumer.
//!
//! The ACS verifies the response (samael, off the async workers), then decides in one
//! transaction: the org still allows the connection, `InResponseTo` names an unused request we
//! issued, the assertion id was never consumed (a primary key, so concurrent posts of one
//! response give one success on any number of instances), and core's `decide_sso_login` says
//! which account the assertion may sign in: one already linked to the connection, or one whose
//! email domain the org verified (then linked; created and joined as `member` just in time).
//! The token is built by core with `amr: ["saml"]` and `cid`.

use super::idp::{IdpLogin, SsoOutcome, follow_groups, sso_account, target};
use super::tokens::{self, TokenOrg};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::saml::{self, REQUEST_TTL_SECONDS, SpUrls};
use crate::state::AppState;
use crate::store::saml::AssertionUse;
use orgkit_core::login::check_connection_allowed;
use orgkit_core::ErrorCode;
use orgkit_core::token::Authentication;

/// An org's own SAML connection and this server's URLs for it.
struct SsoContext {
    idp: IdpLogin,
    urls: SpUrls,
}

async fn context(state: &AppState, connection_id: &str) -> ApiResult<SsoContext> {
    let idp = IdpLogin::load(state, connection_id, "saml").await?;
    let urls = SpUrls::new(&state.config.public_url, &idp.conn.id);
    Ok(SsoContext { idp, urls })
}

/// Starts an SP-initiated login: records a new AuthnRequest id and answers the IdP URL
/// (HTTP-Redirect binding) carrying it and the RelayState.
pub async fn login(state: &AppState, connection_id: &str, relay_state: Option<&str>) -> ApiResult<String> {
    let cx = context(state, connection_id).await?;
    let relay_state = relay_state.unwrap_or_default();
    if !relay_state.is_empty() {
        target(state, &cx.idp.tenant, Some(relay_state))?;
    }
    let allowed = state.store.org_connection_ids_read(&cx.idp.org.id).await?;
    check_connection_allowed(&allowed, &cx.idp.conn.id)?;
    // An xsd:ID must not start with a digit.
    let request_id = format!("_{}", clock::random_token(20)?);
    let now = state.store.now();
    state.store.insert_saml_request(&request_id, &cx.idp.conn.id, now, now + REQUEST_TTL_SECONDS).await?;
    saml::login_redirect(&cx.urls, &cx.idp.conn, &request_id, relay_state)
}

/// Consumes a posted SAML response. `json` = the client asked for JSON (no redirect).
pub async fn acs(state: &AppState, connection_id: &str, saml_response: &str, relay_state: Option<&str>, json: bool) -> ApiResult<SsoOutcome> {
    let cx = context(state, connection_id).await?;
    // A refused target is refused before anything is consumed.
    let redirect = if json { None } else { Some(target(state, &cx.idp.tenant, relay_state)?) };
    let (xml, shape) = saml::decode_response(saml_response)?;
    let (conn, urls) = (cx.idp.conn.clone(), cx.urls.clone());
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
    let org_connections = store.org_connection_ids(&mut tx, &cx.idp.org.id).await?;
    check_connection_allowed(&org_connections, &cx.idp.conn.id)?;
    if store.use_assertion(&mut tx, &cx.idp.conn.id, &verified.id, verified.usable_until, now).await? == AssertionUse::Replayed {
        return Err(ApiError::new(ErrorCode::SamlReplay, "this assertion was already used"));
    }
    if let Some(request_id) = &verified.in_response_to
        && !store.consume_saml_request(&mut tx, request_id, &cx.idp.conn.id, now).await?
    {
        return Err(ApiError::new(ErrorCode::SamlUnknownRequest, "InResponseTo names no open authentication request of this connection"));
    }
    let (user, role) = sso_account(store, &mut tx, &cx.idp, &email, now).await?;
    let role = follow_groups(store, &mut tx, &cx.idp, &user, role, &verified.groups, now).await?;
    tx.commit().await?;
    let authentication = Authentication { amr: vec!["saml".to_owned()], connection_id: Some(cx.idp.conn.id.clone()), auth_time: None };
    let org = TokenOrg { org: &cx.idp.org, role };
    let token = tokens::issue_for(state, &cx.idp.tenant, &user, Some(org), authentication, org_connections).await?;
    Ok(SsoOutcome { token, redirect })
}
