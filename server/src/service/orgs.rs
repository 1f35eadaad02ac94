//! Organizations: create, read, merge-patch, delete.

use super::events;
use super::{Caller, actor_in, actor_with_role, path_id};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{AuditEntry, AuditRow};
use crate::store::orgs::{OrgRow, OrgWrite};
use crate::store::tenants::TenantRow;
use crate::store::{Page, PageQuery, Store, Tx, new_id};
use orgkit_core::domain::check_custom_domain;
use orgkit_core::event::EventType;
use orgkit_core::organization::{OrganizationState, create_organization, patch_organization};
use orgkit_core::settings::{EffectiveSettings, resolve};
use orgkit_core::{Actor, CREATOR_ROLE, Permission, authorize};
use serde_json::Value;

/// The org's effective settings.
pub fn effective(tenant: &TenantRow, org: &OrgRow) -> ApiResult<EffectiveSettings> {
    Ok(resolve(&tenant.settings()?, &org.settings()?))
}

/// A custom domain set by an org admin (user API) must pass core's `check_custom_domain`
/// against the org's verified domains and the server's public URL; the operator's is trusted.
/// Answers whether the operator set it.
async fn custom_domain_set_by(store: &Store, tx: &mut Tx, caller: &Caller, org_id: Option<&str>, custom_domain: Option<&str>, public_url: &str) -> ApiResult<bool> {
    match (caller, custom_domain) {
        (_, None) => Ok(false),
        (Caller::Tenant, Some(_)) => Ok(true),
        (Caller::User(_) | Caller::Portal(_), Some(domain)) => {
            let verified = match org_id {
                Some(id) => store.verified_domains_tx(tx, id).await?,
                None => Vec::new(),
            };
            check_custom_domain(domain, public_url, &verified)?;
            Ok(false)
        }
    }
}

/// Creates an org. A user who creates one becomes its owner; an org created with the
/// management key starts without members. `public_url` is the server's (its host is reserved).
pub async fn create(store: &Store, tenant: &TenantRow, caller: &Caller, body: &Value, public_url: &str) -> ApiResult<OrgRow> {
    let new = create_organization(body, &tenant.settings()?)?;
    let settings = &new.settings;
    let now = store.now();
    let id = new_id();
    let mut tx = store.begin().await?;
    let custom_domain_by_operator = custom_domain_set_by(store, &mut tx, caller, None, settings.custom_domain.as_deref(), public_url).await?;
    let write = OrgWrite { name: &new.name, slug: &new.slug, metadata: &new.metadata, settings, custom_domain_by_operator };
    store.insert_org(&mut tx, &id, &tenant.id, &write, now).await?;
    if let Caller::User(session) = caller {
        store.insert_member(&mut tx, &id, &session.user_id, CREATOR_ROLE, now).await?;
    }
    let actor = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&id), actor: &actor, action: "organization.created", target: Some(format!("organization:{id}")) };
    store.audit(&mut tx, entry, now).await?;
    let org = store.lock_org(&mut tx, &tenant.id, &id).await?.ok_or_else(|| ApiError::internal("org vanished"))?;
    events::organization(store, &mut tx, tenant, &org, EventType::OrganizationCreated, now).await?;
    if let Caller::User(session) = caller {
        events::membership(store, &mut tx, &tenant.id, &id, &session.user_id, EventType::MembershipCreated, now).await?;
    }
    tx.commit().await?;
    Ok(org)
}

/// An org the caller may read, with the caller's standing in it.
pub async fn get(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, permission: Permission) -> ApiResult<(OrgRow, Actor)> {
    path_id(org_id, "organization")?;
    let (org, role) = match caller {
        Caller::Tenant | Caller::Portal(_) => (store.org(&tenant.id, org_id).await?, None),
        Caller::User(session) => match store.org_with_role(&tenant.id, org_id, &session.user_id).await? {
            Some((org, role)) => (Some(org), role),
            None => (None, None),
        },
    };
    let org = org.ok_or_else(|| ApiError::not_found("organization"))?;
    let actor = actor_with_role(store, tenant, caller, &org, role.as_deref()).await?;
    authorize(&actor, permission)?;
    Ok((org, actor))
}

/// A page of the tenant's orgs.
pub async fn list(store: &Store, tenant: &TenantRow, page: &PageQuery) -> ApiResult<Page<OrgRow>> {
    Ok(store.list_orgs(&tenant.id, page).await?)
}

/// Applies a merge-patch (name, slug, metadata, settings) after `org:update` is authorised (a
/// changed custom domain is checked as [`create`] does); answers the org and the caller's
/// standing in it (decided before the change: a patch that tightens the org's policy binds the
/// caller's next request, not this one).
pub async fn update(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, body: &Value, public_url: &str) -> ApiResult<(OrgRow, Actor)> {
    path_id(org_id, "organization")?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    let actor = actor_in(store, &mut tx, tenant, caller, &org).await?;
    authorize(&actor, Permission::OrgUpdate)?;
    let current = OrganizationState { name: org.name.clone(), slug: org.slug.clone(), metadata: org.metadata()?, settings: org.settings()? };
    let connections = store.org_connection_ids(&mut tx, &org.id).await?;
    let change = patch_organization(&current, body, &tenant.settings()?, Some(&connections))?;
    authorize(&actor, change.permission)?;
    let OrganizationState { name, slug, metadata, settings } = change.org;
    let now = store.now();
    // The operator naming a custom domain vouches for it, even one an org admin set before; an
    // org admin re-sending the current value changes nothing.
    let custom_domain_by_operator = if matches!(caller, Caller::Tenant) && change.custom_domain_patched {
        settings.custom_domain.is_some()
    } else if settings.custom_domain == current.settings.custom_domain {
        org.custom_domain_by_operator != 0
    } else {
        custom_domain_set_by(store, &mut tx, caller, Some(&org.id), settings.custom_domain.as_deref(), public_url).await?
    };
    let write = OrgWrite { name: &name, slug: &slug, metadata: &metadata, settings: &settings, custom_domain_by_operator };
    store.update_org(&mut tx, &org.id, &write, now).await?;
    let who = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &who, action: "organization.updated", target: Some(format!("organization:{}", org.id)) };
    store.audit(&mut tx, entry, now).await?;
    let updated = store.lock_org(&mut tx, &tenant.id, &org.id).await?.ok_or_else(|| ApiError::internal("org vanished"))?;
    events::organization(store, &mut tx, tenant, &updated, EventType::OrganizationUpdated, now).await?;
    tx.commit().await?;
    Ok((updated, actor))
}

/// Deletes an org after `org:delete` is authorised (its own SSO connection, claims and links
/// go with it).
pub async fn delete(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str) -> ApiResult<()> {
    path_id(org_id, "organization")?;
    let mut tx = store.begin().await?;
    let org = store.lock_org(&mut tx, &tenant.id, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
    authorize(&actor_in(store, &mut tx, tenant, caller, &org).await?, Permission::OrgDelete)?;
    store.delete_org(&mut tx, &org.id).await?;
    let actor = caller.audit_name();
    let entry = AuditEntry { tenant_id: &tenant.id, org_id: Some(&org.id), actor: &actor, action: "organization.deleted", target: Some(format!("organization:{}", org.id)) };
    store.audit(&mut tx, entry, store.now()).await?;
    events::organization(store, &mut tx, tenant, &org, EventType::OrganizationDeleted, store.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of the org's audit log, oldest first (`audit_log:read`: owners and admins, and the
/// operator).
pub async fn audit_log(store: &Store, tenant: &TenantRow, caller: &Caller, org_id: &str, page: &PageQuery) -> ApiResult<Page<AuditRow>> {
    let (org, _) = get(store, tenant, caller, org_id, Permission::AuditLogRead).await?;
    Ok(store.list_audit(&org.id, page).await?)
}
