//! The tokens an org's directory provisions it with: created by an owner (`scim:manage`) or the
//! operator, shown once, stored as a hash. Only the operator may allow a token any email domain;
//! an owner's token provisions only addresses of the org's verified domains.

use super::{Caller, actor_in, orgs, parse_body, path_id};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::scim::ScimTokenRow;
use crate::store::tenants::TenantRow;
use crate::store::{Page, PageQuery, new_id};
use orgkit_core::{Permission, authorize};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a token (43 base64url characters after the prefix).
const TOKEN_BYTES: usize = 32;

/// `POST /manage/v1/{tenant}/organizations/{orgId}/scim/tokens` body (optional).
#[derive(Debug, Default, Deserialize, Object)]
#[oai(rename = "ScimTokenRequest")]
#[serde(deny_unknown_fields)]
pub struct OperatorTokenRequest {
    /// `true`: the directory may provision addresses of any domain, not only the org's verified
    /// ones (the operator vouches for the directory).
    #[oai(default)]
    #[serde(default)]
    pub allow_any_domain: bool,
}

/// A token just created: its row and its secret (shown once).
pub struct IssuedScimToken {
    /// The stored token.
    pub row: ScimTokenRow,
    /// The bearer secret.
    pub token: String,
    /// The directory's base URL.
    pub base_url: String,
}

/// Creates a token for an org's directory.
pub async fn create(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, body: Option<Value>) -> ApiResult<IssuedScimToken> {
    path_id(org_id, "organization")?;
    let any_domain = match (caller, body) {
        (_, None) => false,
        (Caller::Tenant, Some(body)) => parse_body::<OperatorTokenRequest>(body)?.allow_any_domain,
        (Caller::User(_) | Caller::Portal(_), Some(body)) => {
            parse_body::<Empty>(body)?;
            false
        }
    };
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::ScimManage)?;
    let token = format!("ok_scim_{}", clock::random_token(TOKEN_BYTES)?);
    let row = ScimTokenRow {
        id: new_id(),
        org_id: org.id.clone(),
        any_domain: i64::from(any_domain),
        created_by: caller.audit_name(),
        created_at: now,
        last_used_at: None,
    };
    store.insert_scim_token(&mut tx, &row, &clock::sha256_hex(&token)).await?;
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &row.created_by, action: "scim.token.created", target: Some(format!("scim_token:{}", row.id)) };
    store.audit(&mut tx, entry, now).await?;
    tx.commit().await?;
    let base_url = crate::scim::base_url(&state.config.public_url, &org.id);
    Ok(IssuedScimToken { row, token, base_url })
}

/// An owner's body: nothing to choose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// A page of an org's tokens (never their secrets).
pub async fn list(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, page: &PageQuery) -> ApiResult<Page<ScimTokenRow>> {
    let (org, _) = orgs::get(&state.store, tenant, caller, org_id, Permission::ScimManage).await?;
    Ok(state.store.list_scim_tokens(&org.id, page).await?)
}

/// Deletes a token: the directory holding it is refused from then on.
pub async fn delete(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, token_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    path_id(token_id, "SCIM token")?;
    let store = &state.store;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::ScimManage)?;
    if !store.delete_scim_token(&mut tx, &org.id, token_id).await? {
        return Err(ApiError::not_found("SCIM token"));
    }
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "scim.token.deleted", target: Some(format!("scim_token:{token_id}")) };
    store.audit(&mut tx, entry, store.now()).await?;
    tx.commit().await?;
    Ok(())
}
