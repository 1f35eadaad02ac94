//! Domains an org claims and proves by DNS: the owner claims, verifies (a TXT lookup, core
//! decides what it proves) and deletes; the operator may also create a claim verified outright.
//!
//! A failed re-check of a verified claim demotes it to pending (core's rule), and that change
//! is stored even though the answer is the `domain_not_verified` refusal; a lookup that fails
//! changes nothing. The lookup runs before the transaction, so no row stays locked while DNS
//! answers.

use super::{Caller, actor_in, orgs, parse_body, path_id};
use crate::clock;
use crate::dns::TxtAnswer;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::domains::{DomainRow, code_name};
use crate::store::tenants::TenantRow;
use crate::store::{Page, PageQuery, Store, Tx, new_id};
use orgkit_core::domain::{
    DomainHolder, DomainProof, DomainStatus, VerificationFacts, check_domain_claim, decide_verification, domain_challenge,
    needs_lookup, normalize_domain,
};
use orgkit_core::{Permission, authorize};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a challenge token (43 base64url characters).
const TOKEN_BYTES: usize = 32;

/// `POST /api/v1/organizations/{id}/domains` body.
/// `{domain}`: a domain the org claims.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "NewDomain")]
#[serde(deny_unknown_fields)]
pub struct OwnerClaim {
    /// The domain, e.g. `acme.com` (not a public suffix nor a free-mail provider).
    pub domain: String,
}

/// `POST /manage/v1/{tenant}/organizations/{orgId}/domains` body.
/// `{domain, verified?}`: a domain the operator claims for an org, verified outright if it says so.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "NewManagedDomain")]
#[serde(deny_unknown_fields)]
pub struct OperatorClaim {
    /// The domain.
    pub domain: String,
    /// `true`: the operator vouches for it, no DNS record needed.
    #[oai(default)]
    #[serde(default)]
    pub verified: bool,
}

/// Whether a claim was made or an existing one was vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// A new claim.
    Created,
    /// The org's pending claim, now verified by the operator.
    Vouched,
}

/// Claims a domain for an org: pending with a fresh challenge, or verified when the operator
/// says so (`{domain, verified: true}`, which also verifies the org's pending claim on it).
pub async fn create(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, body: Value) -> ApiResult<(DomainRow, Claimed)> {
    path_id(org_id, "organization")?;
    let (domain, verified) = match caller {
        Caller::Tenant => parse_body::<OperatorClaim>(body).map(|b| (b.domain, b.verified))?,
        // Only the operator vouches for a domain: an owner or a portal link's holder proves it.
        Caller::User(_) | Caller::Portal(_) => parse_body::<OwnerClaim>(body).map(|b| (b.domain, false))?,
    };
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let name = normalize_domain(&domain)?;
    let held = store.verified_holder(&mut tx, &tenant.id, &name, &org.id).await?.is_some();
    let name = check_domain_claim(&name, held)?;
    if let (true, Some(existing)) = (verified, store.org_claim(&mut tx, &org.id, &name).await?) {
        if existing.status()? == DomainStatus::Pending {
            store.set_domain_status(&mut tx, &existing.id, DomainStatus::Verified, Some(DomainProof::Operator), now).await?;
            audit(store, &mut tx, tenant, caller, &existing, "domain.verified_by_operator", now).await?;
        }
        tx.commit().await?;
        let row = store.domain(&org.id, &existing.id).await?.ok_or_else(|| ApiError::not_found("domain"))?;
        return Ok((row, Claimed::Vouched));
    }
    let (status, proof) = if verified { (DomainStatus::Verified, Some(DomainProof::Operator)) } else { (DomainStatus::Pending, None) };
    let row = DomainRow {
        id: new_id(),
        tenant_id: tenant.id.clone(),
        org_id: org.id.clone(),
        domain: name,
        token: clock::random_token(TOKEN_BYTES)?,
        status: code_name(&status)?,
        proof: proof.as_ref().map(code_name).transpose()?,
        verified_at: verified.then_some(now),
        created_at: now,
    };
    store.insert_domain(&mut tx, &row, now).await?;
    let action = if verified { "domain.verified_by_operator" } else { "domain.claimed" };
    audit(store, &mut tx, tenant, caller, &row, action, now).await?;
    tx.commit().await?;
    Ok((row, Claimed::Created))
}

/// Records `domain` as a pending claim of an org, unless the org claimed it already or another
/// org holds it verified (then the claim would be `domain_taken`: nothing is recorded, and the
/// org's connection simply gets no trust from it). A domain no org may claim is refused.
pub async fn record_claim(store: &Store, tx: &mut Tx, tenant: &TenantRow, org_id: &str, domain: &str, now: i64) -> ApiResult<()> {
    let name = check_domain_claim(domain, false)?;
    if store.verified_holder(tx, &tenant.id, &name, org_id).await?.is_some() || store.org_claim(tx, org_id, &name).await?.is_some() {
        return Ok(());
    }
    let row = DomainRow {
        id: new_id(),
        tenant_id: tenant.id.clone(),
        org_id: org_id.to_owned(),
        domain: name,
        token: clock::random_token(TOKEN_BYTES)?,
        status: code_name(&DomainStatus::Pending)?,
        proof: None,
        verified_at: None,
        created_at: now,
    };
    Ok(store.insert_domain(tx, &row, now).await?)
}

/// A page of an org's claims (`sso:read`).
pub async fn list(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, page: &PageQuery) -> ApiResult<Page<DomainRow>> {
    let (org, _) = orgs::get(&state.store, tenant, caller, org_id, Permission::SsoRead).await?;
    Ok(state.store.list_domains(&org.id, page).await?)
}

/// Verifies a claim, or re-checks a verified one, against DNS (`sso:manage`).
pub async fn verify(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, domain_id: &str) -> ApiResult<DomainRow> {
    let (org, _) = orgs::get(&state.store, tenant, caller, org_id, Permission::SsoManage).await?;
    path_id(domain_id, "domain")?;
    let store = &state.store;
    let row = store.domain(&org.id, domain_id).await?.ok_or_else(|| ApiError::not_found("domain"))?;
    let challenge = domain_challenge(&row.domain, &row.token)?;
    let answer = if needs_lookup(row.status()?, row.proof()?) { state.dns.txt(&challenge.name).await } else { TxtAnswer::Found(Vec::new()) };
    let (found, lookup_error) = match answer {
        TxtAnswer::Found(found) => (found, None),
        TxtAnswer::Failed(error) => (Vec::new(), Some(error)),
    };
    let now = store.now();
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, &org.id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let row = store.lock_domain(&mut tx, &org.id, domain_id).await?.ok_or_else(|| ApiError::not_found("domain"))?;
    let holder = store.verified_holder(&mut tx, &tenant.id, &row.domain, &org.id).await?;
    let facts = VerificationFacts {
        domain: row.domain.clone(),
        token: row.token.clone(),
        status: row.status()?,
        proof: row.proof()?,
        found,
        lookup_error,
        holder: match &holder {
            Some(h) => Some(DomainHolder { token: h.token.clone(), proof: h.proof()?.unwrap_or(DomainProof::Dns) }),
            None => None,
        },
    };
    let decision = decide_verification(&facts);
    if let (true, Some(h)) = (decision.release_holder, &holder) {
        store.set_domain_status(&mut tx, &h.id, DomainStatus::Pending, None, now).await?;
        audit(store, &mut tx, tenant, caller, h, "domain.released", now).await?;
    }
    let changed = decision.status != facts.status || decision.proof != facts.proof;
    if changed || (decision.outcome.is_ok() && decision.proof == Some(DomainProof::Dns)) {
        store.set_domain_status(&mut tx, &row.id, decision.status, decision.proof, now).await?;
    }
    if changed {
        let action = if decision.status == DomainStatus::Verified { "domain.verified" } else { "domain.verification_lost" };
        audit(store, &mut tx, tenant, caller, &row, action, now).await?;
    }
    tx.commit().await?;
    decision.outcome?;
    store.domain(&org.id, &row.id).await?.ok_or_else(|| ApiError::not_found("domain"))
}

/// Deletes a claim (`sso:manage`); whatever it made trusted stops being so.
pub async fn delete(state: &AppState, tenant: &TenantRow, caller: &Caller, org_id: &str, domain_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    path_id(domain_id, "domain")?;
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::SsoManage)?;
    let row = store.lock_domain(&mut tx, &org.id, domain_id).await?.ok_or_else(|| ApiError::not_found("domain"))?;
    store.delete_domain(&mut tx, &row.id).await?;
    audit(store, &mut tx, tenant, caller, &row, "domain.deleted", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Audits a change of a claim; a verification (by DNS or the operator) is also the event
/// `domain.verified`, carrying the claim as it now is.
async fn audit(store: &Store, tx: &mut Tx, tenant: &TenantRow, caller: &Caller, row: &DomainRow, action: &str, now: i64) -> ApiResult<()> {
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&row.org_id), actor: &who, action, target: Some(format!("domain:{}", row.domain)) };
    store.audit(tx, entry, now).await?;
    if matches!(action, "domain.verified" | "domain.verified_by_operator") {
        let verified = store.lock_domain(tx, &row.org_id, &row.id).await?.ok_or_else(|| ApiError::internal("a domain claim vanished"))?;
        super::events::domain_verified(store, tx, &tenant.id, &verified, now).await?;
    }
    Ok(())
}
