//! Invitations: create (and email), list pending, revoke, resend with a fresh link.

use super::events;
use super::{Caller, RoleName, actor, actor_in, parse_body, path_id};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::mail::invitation_email;
use crate::service::orgs::effective;
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::invitations::InvitationRow;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::{Page, PageQuery, new_id};
use orgkit_core::event::EventType;
use orgkit_core::token::{InvitationRequest, check_can_invite, issue_invitation};
use orgkit_core::{ErrorCode, Permission, Role, authorize, can_grant, normalize_email};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// `POST …/invitations` body (both seeds).
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// Invited email.
    pub email: String,
    /// Role granted on acceptance.
    pub role: RoleName,
}

/// An invitation with the link of its current token (known only when just issued).
pub struct Issued {
    /// The stored invitation.
    pub row: InvitationRow,
    /// `{ORGKIT_PUBLIC_URL}/invitations/{token}`, exactly as emailed.
    pub url: String,
}

/// Issues a token for an invitation (core signs it; the store keeps only its hash).
async fn issue_token(state: &AppState, org: &OrgRow, id: &str, email: &str, role: Role, now: i64) -> ApiResult<(String, i64)> {
    let key = state.keys.signing_key(&state.store).await?;
    let request = InvitationRequest {
        issuer: state.config.issuer.clone(),
        invitation_id: id.to_owned(),
        org_id: org.id.clone(),
        org_slug: org.slug.clone(),
        email: email.to_owned(),
        role,
        now,
        ttl_seconds: None,
        nonce: clock::random_token(16)?,
    };
    let (token, claims) = issue_invitation(&request, &key)?;
    Ok((token, claims.exp))
}

fn link(state: &AppState, token: &str) -> String {
    format!("{}/invitations/{token}", state.config.public_url)
}

async fn send(state: &AppState, tenant: &TenantRow, org: &OrgRow, row: &InvitationRow, url: &str) -> ApiResult<()> {
    let email = invitation_email(&row.email, &org.name, &row.role, url, &effective(tenant, org)?)?;
    state.send_email(email).await
}

/// Creates an invitation and emails it (`invitation_pending` while the address has one).
pub async fn create(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, body: Value) -> ApiResult<Issued> {
    path_id(org_id, "organization")?;
    let store = &state.store;
    let org = store.org(&tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let body: NewInvitation = parse_body(body)?;
    can_grant(&actor(store, tenant, caller, &org).await?, Permission::InvitationsCreate, body.role.0)?;
    let email = normalize_email(&body.email)?;
    if let Some(user) = store.user_by_email(&tenant.id, &email).await?
        && store.member(&org.id, &user.id).await?.is_some()
    {
        return Err(ApiError::new(ErrorCode::AlreadyMember, "this email belongs to a member of the organization"));
    }
    let now = store.now();
    let id = new_id();
    let (token, expires_at) = issue_token(state, &org, &id, &email, body.role.0, now).await?;
    let row = InvitationRow {
        id,
        org_id: org.id.clone(),
        email,
        role: body.role.0.as_str().to_owned(),
        token_hash: clock::sha256_hex(&token),
        expires_at,
        accepted_at: None,
        revoked_at: None,
        created_at: now,
        resends: 0,
    };
    let mut tx = store.begin().await?;
    // Lock the org so an invitation is never created for an org being deleted, nor twice for
    // one address: inviting an address again never mails it again (core: no second pending
    // invitation; a resend is explicit and limited).
    store.lock_org(&mut tx, &tenant.id, &org.id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let earlier: Vec<_> = store.invitations_to(&mut tx, &org.id, &row.email).await?.iter().map(InvitationRow::record).collect();
    check_can_invite(&earlier, now)?;
    let who = caller.audit_name();
    store.insert_invitation(&mut tx, &row, &who).await?;
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "invitation.created", target: Some(format!("invitation:{}", row.id)) };
    store.audit(&mut tx, entry, now).await?;
    events::invitation(store, &mut tx, &tenant.id, &row, EventType::InvitationCreated, now).await?;
    tx.commit().await?;
    let url = link(state, &token);
    if let Err(e) = send(state, tenant, &org, &row, &url).await {
        // Nobody received the link: withdraw the invitation rather than leave it pending.
        let mut tx = store.begin().await?;
        let now = store.now();
        store.revoke_invitation(&mut tx, &row.id, now).await?;
        if let Some(withdrawn) = store.lock_invitation(&mut tx, &row.id).await? {
            events::invitation(store, &mut tx, &tenant.id, &withdrawn, EventType::InvitationRevoked, now).await?;
        }
        tx.commit().await?;
        return Err(e);
    }
    Ok(Issued { row, url })
}

/// A page of an org's pending invitations.
pub async fn list(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, page: &PageQuery) -> ApiResult<Page<InvitationRow>> {
    let (org, _) = super::orgs::get(&state.store, tenant, caller, org_id, Permission::InvitationsList).await?;
    Ok(state.store.list_pending_invitations(&org.id, state.store.now(), page).await?)
}

/// Revokes a pending invitation; it leaves the pending list and its link stops working.
pub async fn revoke(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, invitation_id: &str) -> ApiResult<InvitationRow> {
    path_id(org_id, "organization")?;
    path_id(invitation_id, "invitation")?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::InvitationsRevoke)?;
    let row = store
        .lock_invitation(&mut tx, invitation_id)
        .await?
        .filter(|r| r.org_id == org.id)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    let now = store.now();
    row.record().check_acceptable(now)?;
    store.revoke_invitation(&mut tx, &row.id, now).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "invitation.revoked", target: Some(format!("invitation:{}", row.id)) };
    store.audit(&mut tx, entry, now).await?;
    let row = store.lock_invitation(&mut tx, &row.id).await?.ok_or_else(|| ApiError::internal("invitation vanished"))?;
    events::invitation(store, &mut tx, &tenant.id, &row, EventType::InvitationRevoked, now).await?;
    tx.commit().await?;
    Ok(row)
}

/// Sends an invitation again with a fresh link (and expiry); the previous link stops
/// working. An accepted or revoked invitation cannot be resent, nor one already resent the
/// most times core allows (`invitation_resend_limit`).
pub async fn resend(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, invitation_id: &str) -> ApiResult<Issued> {
    path_id(org_id, "organization")?;
    path_id(invitation_id, "invitation")?;
    let store = &state.store;
    let org = store.org(&tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor(store, tenant, caller, &org).await?, Permission::InvitationsRevoke)?;
    let now = store.now();
    // The token is signed before the transaction (email and role of an invitation never
    // change); the status is decided again under the lock.
    let seen = store.invitation(invitation_id).await?.filter(|r| r.org_id == org.id).ok_or_else(|| ApiError::not_found("invitation"))?;
    let (token, expires_at) = issue_token(state, &org, &seen.id, &seen.email, seen.role()?, now).await?;
    let mut tx = store.begin().await?;
    store.lock_org(&mut tx, &tenant.id, &org.id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::InvitationsRevoke)?;
    let row = store.lock_invitation(&mut tx, &seen.id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
    row.record().check_resendable(now)?;
    store.reissue_invitation(&mut tx, &row.id, &clock::sha256_hex(&token), expires_at, now).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "invitation.resent", target: Some(format!("invitation:{}", row.id)) };
    store.audit(&mut tx, entry, now).await?;
    let row = store.lock_invitation(&mut tx, &row.id).await?.ok_or_else(|| ApiError::internal("invitation vanished"))?;
    tx.commit().await?;
    let url = link(state, &token);
    send(state, tenant, &org, &row, &url).await?;
    Ok(Issued { row, url })
}
