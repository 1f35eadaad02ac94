//! Accepting an invitation: core verifies the token (signature, type, expiry, email); the
//! store makes it single-use, in one transaction that locks the invitation row.

use super::events;
use super::parse_body;
use super::tokens::{self, IssuedToken, TokenOrg};
use super::users::user_name;
use crate::auth::{self, AuthUser};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::password;
use crate::service::orgs::effective;
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::new_id;
use crate::store::users::UserRow;
use orgkit_core::ErrorCode;
use orgkit_core::event::EventType;
use orgkit_core::login::{PasswordRules, acceptance_amr, enforce_password};
use orgkit_core::token::verify_invitation;
use poem_openapi::Object;
use serde::Deserialize;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use orgkit_core::Role;
use serde_json::Value;

/// The accept body: `{}` with a bearer token, or `{password, name?}` to create the account.
#[derive(Debug, Default, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// Password of the new account (checked against the org's rules).
    #[serde(default)]
    pub password: Option<String>,
    /// Display name of the new account.
    #[serde(default)]
    pub name: Option<String>,
}

/// An accepted invitation.
pub struct Accepted {
    /// The org joined.
    pub org: OrgRow,
    /// The member.
    pub user: UserRow,
    /// The role granted.
    pub role: Role,
    /// The org's token, or why the org's policy refused one for this authentication.
    pub token: Result<IssuedToken, ApiError>,
}

/// Accepts an invitation; answers the membership and an org-context access token.
pub async fn accept(state: &AppState, token: &str, bearer: Option<String>, body: Value) -> ApiResult<Accepted> {
    let body: Accept = parse_body(body)?;
    let now = state.store.now();
    let opts = auth::verify_options(state, now);
    let authed: Option<AuthUser> = match bearer {
        Some(b) => Some(auth::user(state, &b).await?),
        None => None,
    };
    let email = authed.as_ref().map(|a| a.user.email.clone());
    let claims = keys::with_keys(&state.keys, &state.store, |keys| verify_invitation(token, keys, &opts, email.as_deref())).await?;
    let store = &state.store;
    let org_row = store
        .org_by_id_any_tenant(&claims.org_id)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    let tenant = store.tenant_by_id(&org_row.tenant_id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
    if let Some(a) = &authed
        && a.user.tenant_id != tenant.id
    {
        return Err(ApiError::not_found("invitation"));
    }
    // A new account is checked and its password hashed before the transaction.
    let new_user = match &authed {
        Some(_) => None,
        None => Some(new_account(&tenant, &org_row, &claims.email, body, now).await?),
    };
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, &org_row.id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
    let row = store
        .lock_invitation(&mut tx, &claims.inv)
        .await?
        .filter(|r| r.org_id == org.id)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    row.record().check_link_acceptable(now, row.token_hash == clock::sha256_hex(token))?;
    let user = match (&authed, new_user) {
        (Some(a), _) => a.user.clone(),
        (None, Some(u)) => {
            store.insert_user(&mut tx, &u).await.map_err(|e| {
                if e.code() == ErrorCode::EmailTaken {
                    ApiError::new(ErrorCode::EmailTaken, "an account with this email exists: log in and accept with your token")
                } else {
                    e.into()
                }
            })?;
            u
        }
        (None, None) => return Err(ApiError::internal("no user to accept with")),
    };
    let role = row.role()?;
    store.insert_member(&mut tx, &org.id, &user.id, role, now).await?;
    store.accept_invitation(&mut tx, &row.id, &user.id, now).await?;
    let who = format!("user:{}", user.id);
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "invitation.accepted", target: Some(format!("invitation:{}", row.id)) };
    store.audit(&mut tx, entry, now).await?;
    events::membership(store, &mut tx, &tenant.id, &org.id, &user.id, EventType::MembershipCreated, now).await?;
    let accepted = store.lock_invitation(&mut tx, &row.id).await?.ok_or_else(|| ApiError::internal("invitation vanished"))?;
    events::invitation(store, &mut tx, &tenant.id, &accepted, EventType::InvitationAccepted, now).await?;
    tx.commit().await?;
    // Accepting proves nothing of the address (the inviter holds the link too): a new account is
    // asked to verify its email like a signup.
    if authed.is_none() {
        super::email_verification::send(state, &user).await?;
    }
    let amr = acceptance_amr(authed.as_ref().map(|a| a.claims.amr.as_slice()));
    // The membership exists now; a token follows when the org's policy allows one for this
    // authentication (an org that requires MFA asks for a login with the second factor).
    let token = match tokens::issue(state, &tenant, &user, Some(TokenOrg { org: &org, role }), amr).await {
        Err(e) if e.code() == ErrorCode::InternalError => return Err(e),
        answer => answer,
    };
    Ok(Accepted { org, user, role, token })
}

/// The account an invitation creates for `email`: its password must meet the org's rules.
async fn new_account(tenant: &TenantRow, org: &OrgRow, email: &str, body: Accept, now: i64) -> ApiResult<UserRow> {
    let password = body.password.ok_or_else(|| super::invalid("password", "without a bearer token, a password is needed to create the account"))?;
    let rules = PasswordRules::from_settings(&effective(tenant, org)?);
    enforce_password(&password, &rules, Some(email))?;
    let name = user_name(body.name)?;
    let hash = password::hash(password).await?;
    Ok(UserRow {
        id: new_id(),
        tenant_id: tenant.id.clone(),
        email: email.to_owned(),
        name,
        password_hash: Some(hash),
        created_at: now,
        tokens_valid_after: None,
        email_verified_at: None,
    })
}
