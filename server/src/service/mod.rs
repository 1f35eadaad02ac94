//! Operations: each combines what the store knows with core's decision, inside one
//! transaction when the decision depends on rows another request could change. Both APIs
//! (management and user) call the same operations; only the caller differs.

pub mod accept;
pub mod connections;
pub mod discovery;
pub mod domains;
pub mod email_verification;
pub mod events;
pub mod idp;
pub mod invitations;
pub mod login;
pub mod management_keys;
pub mod members;
pub mod mfa;
pub mod oidc;
pub mod orgs;
pub mod password_change;
pub mod portal;
pub mod saml;
pub mod scim;
pub mod scim_tokens;
pub mod sso;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod webhooks;

use crate::error::{ApiError, ApiResult};
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use crate::store::{Store, Tx, is_uuid};
use orgkit_core::portal::PortalIntent;
use orgkit_core::token::Authentication;
use orgkit_core::{Actor, ErrorCode, Role};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Who is calling, before we know their relation to an org.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The tenant's management key.
    Tenant,
    /// A user's session.
    User(Session),
    /// An admin-portal session: the holder of a link the operator made for one org.
    Portal(PortalGrant),
}

/// What an opened portal link grants: its intent, in its org only.
#[derive(Debug, Clone)]
pub struct PortalGrant {
    /// The link.
    pub link_id: String,
    /// The one org it acts in.
    pub org_id: String,
    /// What for.
    pub intent: PortalIntent,
}

impl PortalGrant {
    /// Its standing in `org`: a delegate of the link's intent there, nobody anywhere else.
    fn actor(&self, org: &OrgRow) -> Actor {
        if org.id == self.org_id { Actor::Delegate { intent: self.intent } } else { Actor::NonMember }
    }
}

/// A user's session: who they are and how they authenticated (their token's `amr` and `cid`),
/// which each org they act in checks against its own policy.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's id.
    pub user_id: String,
    /// What the login performed.
    pub authentication: Authentication,
}

impl Caller {
    /// How the audit log names the caller.
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Tenant => "management_key".to_owned(),
            Caller::User(session) => format!("user:{}", session.user_id),
            Caller::Portal(grant) => format!("portal_link:{}", grant.link_id),
        }
    }
}

/// A member's standing, once their session meets the org's policy now (core's
/// `check_org_policy` and `check_session_age`: `mfa_required`, `connection_not_allowed` or
/// `session_expired` otherwise). Every user-API
/// operation on an org learns the caller's standing through [`actor`] or [`actor_in`], so none
/// can act in an org with a session the org's policy refuses. Non-members are `NonMember`
/// before anything of the org's policy is told (`not_found` then).
fn member_actor(tenant: &TenantRow, org: &OrgRow, session: &Session, role: Option<&str>, connections: &[String], now: i64) -> ApiResult<Actor> {
    let Some(role) = role else { return Ok(Actor::NonMember) };
    let effective = orgs::effective(tenant, org)?;
    session.authentication.check_org_policy(effective.require_mfa.value, connections)?;
    session.authentication.check_session_age(effective.session_ttl_seconds(), now)?;
    Ok(Actor::Member { user_id: session.user_id.clone(), role: Role::parse(role).map_err(ApiError::internal)? })
}

/// The caller's standing in an org, read inside the transaction that locked it.
pub async fn actor_in(store: &Store, tx: &mut Tx, tenant: &TenantRow, caller: &Caller, org: &OrgRow) -> ApiResult<Actor> {
    match caller {
        Caller::Tenant => Ok(Actor::Tenant),
        Caller::Portal(grant) => Ok(grant.actor(org)),
        Caller::User(session) => {
            let member = store.member_tx(tx, &org.id, &session.user_id).await?;
            let connections = match member {
                Some(_) => store.org_connection_ids(tx, &org.id).await?,
                None => Vec::new(),
            };
            member_actor(tenant, org, session, member.as_ref().map(|m| m.role.as_str()), &connections, store.now())
        }
    }
}

/// The caller's standing in an org, for reads.
pub async fn actor(store: &Store, tenant: &TenantRow, caller: &Caller, org: &OrgRow) -> ApiResult<Actor> {
    match caller {
        Caller::Tenant => Ok(Actor::Tenant),
        Caller::Portal(grant) => Ok(grant.actor(org)),
        Caller::User(session) => {
            let member = store.member(&org.id, &session.user_id).await?;
            actor_with_role(store, tenant, caller, org, member.as_ref().map(|m| m.role.as_str())).await
        }
    }
}

/// The caller's standing in an org, for reads, when the caller's role there (`None`: not a
/// member) was read with the org.
pub async fn actor_with_role(store: &Store, tenant: &TenantRow, caller: &Caller, org: &OrgRow, role: Option<&str>) -> ApiResult<Actor> {
    match caller {
        Caller::Tenant => Ok(Actor::Tenant),
        Caller::Portal(grant) => Ok(grant.actor(org)),
        Caller::User(session) => {
            let connections = match role {
                Some(_) => store.org_connection_ids_read(&org.id).await?,
                None => Vec::new(),
            };
            member_actor(tenant, org, session, role, &connections, store.now())
        }
    }
}

/// A path id that is not a UUID names nothing: `not_found`, like any id of another tenant.
pub fn path_id(id: &str, what: &str) -> ApiResult<()> {
    if is_uuid(id) { Ok(()) } else { Err(ApiError::not_found(what)) }
}

/// An org named by id or slug, as it may be looked up: anything else names nothing (and
/// never reaches SQL, where PostgreSQL would refuse bytes such as NUL).
pub fn org_key(key: &str) -> ApiResult<&str> {
    if is_uuid(key) || orgkit_core::validate_slug(key).is_ok() { Ok(key) } else { Err(ApiError::not_found("organization")) }
}

/// Parses a request body into a `deny_unknown_fields` type with core's coded errors.
pub fn parse_body<T: DeserializeOwned>(body: Value) -> ApiResult<T> {
    Ok(orgkit_core::ops::parse_input(body)?)
}

/// A role in a request body: read by core's `Role` (so an unknown name is refused as core
/// refuses it), documented as the enum of role names.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(transparent)]
pub struct RoleName(pub Role);

impl poem_openapi::types::Type for RoleName {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "Role".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        let names = Role::ALL.iter().rev().map(|r| Value::String(r.as_str().to_owned())).collect();
        let schema = poem_openapi::registry::MetaSchema { enum_items: names, ..poem_openapi::registry::MetaSchema::new("string") };
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl poem_openapi::types::ParseFromJSON for RoleName {
    fn parse_from_json(value: Option<Value>) -> poem_openapi::types::ParseResult<Self> {
        serde_json::from_value(value.unwrap_or_default()).map_err(|e| poem_openapi::types::ParseError::custom(e.to_string()))
    }
}

impl poem_openapi::types::ToJSON for RoleName {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.as_str().to_owned()))
    }
}

/// `invalid_request` naming a field.
pub fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::from(orgkit_core::Error::new(ErrorCode::InvalidRequest, message).with_field(field))
}
