//! What a login through an org's own identity provider does once the IdP's answer is verified,
//! whatever its protocol (SAML, OpenID Connect): where the browser may go, which account signs
//! in (core's `decide_sso_login`: linked, or of a domain the org verified; created and joined
//! just in time), and the role the IdP's groups give through the org's `group_role_mappings`.

use super::path_id;
use super::scim::GroupFollower;
use super::tokens::IssuedToken;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::connections::ConnectionRow;
use crate::store::new_id;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use crate::store::{Store, Tx};
use orgkit_core::Role;
use orgkit_core::directory::role_from_groups;
use orgkit_core::login::{SsoAccountFacts, SsoLoginFacts, check_redirect_target, decide_sso_login};
use orgkit_core::settings::resolve;

/// What a completed SSO login answers: the org's token, and where to send a browser.
pub struct SsoOutcome {
    /// The org's token.
    pub token: IssuedToken,
    /// The redirect target (without the token), for non-JSON clients.
    pub redirect: Option<String>,
}

/// An org's own connection of one kind, with its tenant and org.
pub struct IdpLogin {
    /// The connection.
    pub conn: ConnectionRow,
    /// Its tenant.
    pub tenant: TenantRow,
    /// The org it is the own connection of.
    pub org: OrgRow,
}

impl IdpLogin {
    /// The connection `connection_id` of kind `kind` (`saml`, `oidc`) that is an org's own;
    /// `not_found` otherwise (an operator's connection, or another kind, has no such login).
    pub async fn load(state: &AppState, connection_id: &str, kind: &str) -> ApiResult<IdpLogin> {
        path_id(connection_id, "connection")?;
        let store = &state.store;
        let conn = store.connection_by_id(connection_id).await?.filter(|c| c.kind == kind).ok_or_else(|| ApiError::not_found("connection"))?;
        let org_id = conn.owner_org_id.clone().ok_or_else(|| ApiError::not_found("connection"))?;
        let tenant = store.tenant_by_id(&conn.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
        let org = store.org(&tenant.id, &org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
        Ok(IdpLogin { conn, tenant, org })
    }
}

/// Where the browser goes after the login: the RelayState when core allows it (the server's
/// own origin, except its routes that send a browser on, or one of the tenant's
/// `allowed_redirect_urls`), else the server's root.
pub(crate) fn target(state: &AppState, tenant: &TenantRow, relay_state: Option<&str>) -> ApiResult<String> {
    match relay_state.filter(|r| !r.is_empty()) {
        None => Ok(format!("{}/", state.config.public_url)),
        Some(r) => Ok(check_redirect_target(r, &state.config.public_url, &tenant.settings()?.allowed_redirect_urls)?),
    }
}


/// With a groups attribute on the connection, the member's role follows the IdP groups the
/// IdP lists through the org's `group_role_mappings` (core's rules: nothing changes when
/// the org maps no group); answers the role the session signs in with.
pub(crate) async fn follow_groups(store: &Store, tx: &mut Tx, cx: &IdpLogin, user: &UserRow, role: Role, groups: &[String], now: i64) -> ApiResult<Role> {
    if cx.conn.groups_attribute.is_none() {
        return Ok(role);
    }
    let mappings = resolve(&cx.tenant.settings()?, &cx.org.settings()?).group_role_mappings.value.unwrap_or_default();
    let actor = format!("connection:{}", cx.conn.id);
    let follower = GroupFollower { tenant_id: &cx.tenant.id, org_id: &cx.org.id, actor: &actor };
    follower.follow(store, tx, &user.id, role, role_from_groups(&mappings, groups), now).await
}

/// Which account the IdP's assertion (a SAML assertion, an OIDC ID token) signs in, as core's `decide_sso_login` decides from the org's
/// verified domains and the account's link and email proof; writes what the plan says (new
/// account, link, email proof, revoked credentials, just-in-time membership) in the login's
/// transaction, so a refusal writes nothing.
pub(crate) async fn sso_account(store: &Store, tx: &mut Tx, cx: &IdpLogin, email: &str, now: i64) -> ApiResult<(UserRow, Role)> {
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
    if plan.join {
        super::events::membership(store, tx, &cx.tenant.id, &cx.org.id, &user.id, orgkit_core::event::EventType::MembershipCreated, now).await?;
    }
    let user = store.user_by_email_tx(tx, &cx.tenant.id, email).await?.ok_or_else(|| ApiError::internal("user vanished"))?;
    Ok((user, plan.role))
}
