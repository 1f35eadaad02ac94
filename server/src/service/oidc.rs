//! An org's own OpenID Connect SSO: its owner configures it (`POST /api/v1/organizations/{id}/oidc`
//! `{issuer, clientId, clientSecret, emailDomain, groupsClaim?}`) or disables it; a login starts
//! at `/oidc/{connectionId}/login` (authorization code flow with PKCE, `state` and `nonce`) and
//! completes at `/oidc/{connectionId}/callback`.
//!
//! The provider is found by discovery (`oidc.rs`: fetched through the SSRF-guarded client and
//! cached); the code is exchanged with the client secret (stored sealed, `secrets.rs`); the ID
//! token is checked by core (`verify_id_token`: signature under the provider's keys, issuer,
//! audience, times, nonce) and signs in only with an email the provider says it verified, under
//! the same rules as SAML (`idp.rs`: linked, or of a domain the org verified; groups to roles).
//! Each `state` is used once, on its own connection, within [`LOGIN_TTL_SECONDS`].

use super::idp::{IdpLogin, SsoOutcome, follow_groups, sso_account, target};
use super::tokens::{self, TokenOrg};
use super::{Caller, actor_in, path_id};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::oidc::error_chain;
use crate::state::AppState;
use crate::store::connections::ConnectionRow;
use crate::store::new_id;
use crate::store::oidc::{NewOidcLogin, OrgOidcRow};
use crate::store::tenants::TenantRow;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{AuthorizationCode, ClientId, ClientSecret, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse};
use orgkit_core::connection::OidcConnection;
use orgkit_core::login::check_connection_allowed;
use orgkit_core::token::{Authentication, KeySet, VerifyOptions, verify_id_token};
use orgkit_core::{ErrorCode, Permission, authorize};
use serde_json::Value;
use std::sync::Arc;

/// How long a login may take between its start and its callback, seconds.
pub const LOGIN_TTL_SECONDS: i64 = 600;
/// Clock skew allowed on an ID token's times, seconds.
const ID_TOKEN_LEEWAY_SECONDS: u64 = 60;

/// This server's callback URL for a connection (the redirect URI registered at the provider).
pub fn callback_url(public_url: &str, connection_id: &str) -> String {
    format!("{public_url}/oidc/{connection_id}/callback")
}

/// Where a login through a connection starts.
pub fn login_url(public_url: &str, connection_id: &str) -> String {
    format!("{public_url}/oidc/{connection_id}/login")
}

/// Whether a configuration created the connection or replaced the org's.
pub use super::sso::Configured;

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::OidcInvalidResponse, message)
}

/// Creates or replaces the org's OIDC connection (owner: `sso:manage`). The provider is
/// discovered first: an issuer that does not answer a discovery document naming itself is
/// refused (`oidc_invalid_response`) and nothing is stored.
pub async fn configure(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, body: &Value) -> ApiResult<(ConnectionRow, OrgOidcRow, Configured)> {
    path_id(org_id, "organization")?;
    let conn = OidcConnection::from_config(body, state.providers.allow_private())?;
    // Who may configure is checked before the provider is asked (a stranger makes no fetch).
    super::orgs::get(&state.store, tenant, caller, org_id, Permission::SsoManage).await?;
    state.providers.metadata(&conn.issuer, true).await?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let now = store.now();
    let (id, outcome) = match store.org_oidc_tx(&mut tx, &org.id).await? {
        Some(existing) => {
            store.update_oidc_connection(&mut tx, &existing.connection_id, &conn).await?;
            (existing.connection_id, Configured::Replaced)
        }
        None => {
            let id = new_id();
            store.insert_oidc_connection(&mut tx, &id, &org, &conn, now).await?;
            (id, Configured::Created)
        }
    };
    let client = OrgOidcRow {
        org_id: org.id.clone(),
        connection_id: id.clone(),
        client_id: conn.client_id.clone(),
        client_secret: state.secrets.seal(&conn.client_secret, &secret_context(&id))?,
    };
    store.upsert_org_oidc(&mut tx, &client, now).await?;
    let own = super::sso::OwnConnection { org: &org, connection_id: &id, email_domains: &conn.email_domains, protocol: super::sso::OwnProtocol::Oidc, outcome };
    super::sso::start_allowing(store, &mut tx, tenant, caller, own).await?;
    tx.commit().await?;
    let row = store.connection(&tenant.id, &id).await?.ok_or_else(|| ApiError::internal("connection vanished"))?;
    Ok((row, client, outcome))
}

/// What a sealed client secret is bound to.
fn secret_context(connection_id: &str) -> String {
    format!("connection:{connection_id}")
}

/// The org's OIDC connection and client (`sso:read`); the secret is never answered.
pub async fn get(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<(ConnectionRow, OrgOidcRow)> {
    let (org, _) = super::orgs::get(&state.store, tenant, caller, org_id, Permission::SsoRead).await?;
    let client = state.store.org_oidc(&org.id).await?.ok_or_else(|| ApiError::not_found("OIDC connection"))?;
    let row = state.store.connection(&tenant.id, &client.connection_id).await?.ok_or_else(|| ApiError::not_found("OIDC connection"))?;
    Ok((row, client))
}

/// Disables the org's OIDC SSO (see [`super::sso::disable_own`]).
pub async fn disable(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<()> {
    super::sso::disable_own(state, tenant, caller, org_id, super::sso::OwnProtocol::Oidc).await
}

/// The provider's client for a connection: its metadata, this server's callback, the client id
/// and, for the code exchange, the secret.
macro_rules! provider_client {
    ($meta:expr, $public_url:expr, $conn:expr, $client_id:expr, $secret:expr) => {
        CoreClient::from_provider_metadata((*$meta).clone(), ClientId::new($client_id.to_owned()), $secret.map(ClientSecret::new))
            .set_redirect_uri(RedirectUrl::new(callback_url($public_url, &$conn.id)).map_err(ApiError::internal)?)
    };
}

/// Starts a login: records a fresh `state`, `nonce` and PKCE verifier and answers the provider's
/// authorization URL. `redirect_uri` (where the browser goes afterwards) is checked now.
pub async fn login(state: &AppState, connection_id: &str, redirect_uri: Option<&str>) -> ApiResult<String> {
    let idp = IdpLogin::load(state, connection_id, "oidc").await?;
    let redirect = redirect_uri.filter(|r| !r.is_empty());
    if redirect.is_some() {
        target(state, &idp.tenant, redirect)?;
    }
    let allowed = state.store.org_connection_ids_read(&idp.org.id).await?;
    check_connection_allowed(&allowed, &idp.conn.id)?;
    let client_row = state.store.oidc_client_of(&idp.conn.id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let meta = state.providers.metadata(&idp.conn.entity_id, false).await?;
    let client = provider_client!(meta, &state.config.public_url, idp.conn, client_row.client_id, None::<String>);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let now = state.store.now();
    let login = NewOidcLogin {
        state_hash: &clock::sha256_hex(csrf.secret()),
        connection_id: &idp.conn.id,
        nonce: nonce.secret(),
        code_verifier: verifier.secret(),
        redirect_target: redirect,
        expires_at: now + LOGIN_TTL_SECONDS,
    };
    state.store.insert_oidc_login(&login, now).await?;
    Ok(url.to_string())
}

/// The provider's answer at the callback.
pub struct Callback<'a> {
    /// `code`, on success.
    pub code: Option<&'a str>,
    /// `state`.
    pub state: Option<&'a str>,
    /// `error`, when the provider refused.
    pub error: Option<&'a str>,
}

/// Completes a login: takes the login its `state` names (once), exchanges the code (with the
/// PKCE verifier and the client secret), has core verify the ID token, and signs the verified
/// email in as SAML does. `json`: the client wants the token as JSON (no redirect).
pub async fn callback(state: &AppState, connection_id: &str, answer: Callback<'_>, json: bool) -> ApiResult<SsoOutcome> {
    let idp = IdpLogin::load(state, connection_id, "oidc").await?;
    let store = &state.store;
    let now = store.now();
    let state_param = answer.state.filter(|s| !s.is_empty()).ok_or_else(|| refused("the callback carries no state"))?;
    let login = store
        .consume_oidc_login(&clock::sha256_hex(state_param), &idp.conn.id, now)
        .await?
        .ok_or_else(|| refused("the state names no login under way on this connection (unknown, used or expired)"))?;
    if let Some(error) = answer.error {
        return Err(refused(format!("the provider refused the login: {}", error.chars().take(64).collect::<String>())));
    }
    let code = answer.code.filter(|c| !c.is_empty()).ok_or_else(|| refused("the callback carries no code"))?;
    let redirect = if json { None } else { Some(target(state, &idp.tenant, login.redirect_target.as_deref())?) };
    let client_row = store.oidc_client_of(&idp.conn.id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let secret = state.secrets.open(&client_row.client_secret, &secret_context(&idp.conn.id))?;
    let meta = state.providers.metadata(&idp.conn.entity_id, false).await?;
    let client = provider_client!(meta, &state.config.public_url, idp.conn, client_row.client_id, Some(secret));
    let http = state.providers.client();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| refused(format!("the provider has no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(login.code_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| refused(format!("the code exchange failed: {}", error_chain(&e))))?;
    let raw = tokens.id_token().ok_or_else(|| refused("the provider answered no ID token"))?.to_string();
    let identity = verified_identity(state, &idp, &meta, &raw, &client_row.client_id, &login.nonce, now).await?;
    let email = identity.login_email()?;

    let mut tx = store.begin().await?;
    let org_connections = store.org_connection_ids(&mut tx, &idp.org.id).await?;
    check_connection_allowed(&org_connections, &idp.conn.id)?;
    let (user, role) = sso_account(store, &mut tx, &idp, &email, now).await?;
    let role = follow_groups(store, &mut tx, &idp, &user, role, &identity.groups, now).await?;
    tx.commit().await?;
    let authentication = Authentication { amr: vec!["oidc".to_owned()], connection_id: Some(idp.conn.id.clone()), auth_time: None };
    let org = TokenOrg { org: &idp.org, role };
    let token = tokens::issue_for(state, &idp.tenant, &user, Some(org), authentication, org_connections).await?;
    Ok(SsoOutcome { token, redirect })
}

/// Core's verification of the ID token under the provider's keys; a key id the cached set lacks
/// (the provider rotated) fetches the metadata again, once.
async fn verified_identity(
    state: &AppState,
    idp: &IdpLogin,
    meta: &Arc<CoreProviderMetadata>,
    raw: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> ApiResult<orgkit_core::token::IdTokenIdentity> {
    let options = VerifyOptions { issuer: idp.conn.entity_id.clone(), audience: client_id.to_owned(), leeway: ID_TOKEN_LEEWAY_SECONDS, now };
    let verify = |meta: &CoreProviderMetadata| -> ApiResult<orgkit_core::token::IdTokenIdentity> {
        let jwks = serde_json::to_value(meta.jwks()).map_err(ApiError::internal)?;
        let keys = KeySet::from_jwks(&jwks)?;
        Ok(verify_id_token(raw, &keys, &options, nonce, idp.conn.groups_attribute.as_deref())?)
    };
    match verify(meta) {
        Err(e) if e.code() == ErrorCode::UnknownKey => verify(&*state.providers.metadata(&idp.conn.entity_id, true).await?),
        other => other,
    }
}
