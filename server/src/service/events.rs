//! Events: every audited change also records an event, in its transaction, whose `data` is the
//! resource as the management API shows it plus `organization_id`. The functions here are the
//! only way services record one.

use crate::api::views::events::{DirectoryGroup, DirectoryUser};
use crate::api::views::orgs::ManagedOrg;
use crate::api::views::people::{Invitation, ManagedMember};
use crate::api::views::sso::{Connection, Domain};
use crate::error::{ApiError, ApiResult};
use crate::store::connections::ConnectionRow;
use crate::store::domains::DomainRow;
use crate::store::events::NewEvent;
use crate::store::invitations::InvitationRow;
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::scim::{ScimGroupRow, ScimUserRow};
use crate::store::tenants::TenantRow;
use crate::store::{Store, Tx};
use orgkit_core::event::EventType;
use serde::Serialize;
use serde_json::Value;

/// Records event `kind` of `tenant_id` about `view`, the resource in `org_id` (if any).
async fn record(store: &Store, tx: &mut Tx, tenant_id: &str, org_id: Option<&str>, kind: EventType, view: impl Serialize, now: i64) -> ApiResult<()> {
    let mut data = serde_json::to_value(view).map_err(|e| ApiError::internal(format!("an event's data does not serialise: {e}")))?;
    if let (Some(org), Value::Object(fields)) = (org_id, &mut data) {
        fields.insert("organization_id".to_owned(), Value::String(org.to_owned()));
    }
    let data = data.to_string();
    store.insert_event(tx, NewEvent { tenant_id, org_id, kind, data }, now).await?;
    Ok(())
}

/// `organization.created|updated|deleted`: the org as it is (or was, when deleted).
pub(crate) async fn organization(store: &Store, tx: &mut Tx, tenant: &TenantRow, org: &OrgRow, kind: EventType, now: i64) -> ApiResult<()> {
    let view = ManagedOrg::new(&tenant.settings()?, org.clone())?;
    record(store, tx, &tenant.id, Some(&org.id), kind, view, now).await
}

/// `membership.created|updated`: the membership of `user_id` in `org_id` as it now is.
pub(crate) async fn membership(store: &Store, tx: &mut Tx, tenant_id: &str, org_id: &str, user_id: &str, kind: EventType, now: i64) -> ApiResult<()> {
    let member = store.member_tx(tx, org_id, user_id).await?.ok_or_else(|| ApiError::internal("a membership vanished"))?;
    record(store, tx, tenant_id, Some(org_id), kind, ManagedMember::from(member), now).await
}

/// `membership.deleted`: the membership as it was.
pub(crate) async fn membership_ended(store: &Store, tx: &mut Tx, tenant_id: &str, org_id: &str, member: MemberRow, now: i64) -> ApiResult<()> {
    record(store, tx, tenant_id, Some(org_id), EventType::MembershipDeleted, ManagedMember::from(member), now).await
}

/// `invitation.created|accepted|revoked`: the invitation as it now is.
pub(crate) async fn invitation(store: &Store, tx: &mut Tx, tenant_id: &str, row: &InvitationRow, kind: EventType, now: i64) -> ApiResult<()> {
    let view = Invitation::new(row.clone(), None, now);
    record(store, tx, tenant_id, Some(&row.org_id), kind, view, now).await
}

/// `domain.verified`: the org's verified claim.
pub(crate) async fn domain_verified(store: &Store, tx: &mut Tx, tenant_id: &str, row: &DomainRow, now: i64) -> ApiResult<()> {
    let view = Domain::new(row.clone())?;
    record(store, tx, tenant_id, Some(&row.org_id), EventType::DomainVerified, view, now).await
}

/// Whose change a connection event reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ConnectionScope<'a> {
    /// The tenant's connection itself.
    Tenant,
    /// An org's use of it: configured or enabled (`enabled`), or disabled.
    Org {
        /// The org.
        org_id: &'a str,
        /// Whether the org now allows it.
        enabled: bool,
    },
}

/// The data of a connection event: the connection and, for an org's change, whether that org
/// now allows it.
#[derive(Serialize)]
struct ConnectionChange {
    #[serde(flatten)]
    connection: Connection,
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
}

/// `connection.created|updated|deleted` of connection `id` as it now is.
pub(crate) async fn connection(store: &Store, tx: &mut Tx, tenant_id: &str, scope: ConnectionScope<'_>, id: &str, kind: EventType, now: i64) -> ApiResult<()> {
    let row = store.connection_tx(tx, id).await?.ok_or_else(|| ApiError::internal("a connection vanished"))?;
    connection_as_was(store, tx, tenant_id, scope, row, kind, now).await
}

/// A connection event about `row` as it was (a deleted connection).
pub(crate) async fn connection_as_was(store: &Store, tx: &mut Tx, tenant_id: &str, scope: ConnectionScope<'_>, row: ConnectionRow, kind: EventType, now: i64) -> ApiResult<()> {
    let (org_id, enabled) = match scope {
        ConnectionScope::Tenant => (None, None),
        ConnectionScope::Org { org_id, enabled } => (Some(org_id), Some(enabled)),
    };
    let view = ConnectionChange { connection: Connection::new(row)?, enabled };
    record(store, tx, tenant_id, org_id, kind, view, now).await
}

/// `scim.user.*`: a provisioned user as it now is (or was, when deleted).
pub(crate) async fn directory_user(store: &Store, tx: &mut Tx, tenant_id: &str, user: &ScimUserRow, kind: EventType, now: i64) -> ApiResult<()> {
    record(store, tx, tenant_id, Some(&user.org_id), kind, DirectoryUser::from(user), now).await
}

/// `scim.group.*`: a pushed group with its members.
pub(crate) async fn directory_group(store: &Store, tx: &mut Tx, tenant_id: &str, group: &ScimGroupRow, members: &[String], kind: EventType, now: i64) -> ApiResult<()> {
    record(store, tx, tenant_id, Some(&group.org_id), kind, DirectoryGroup::new(group, members), now).await
}
