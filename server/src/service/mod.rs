//! Operations: each combines what the store knows with core's decision, inside one
//! transaction when the decision depends on rows another request could change. Both APIs
//! (management and user) call the same operations; only the caller differs.

pub mod accept;
pub mod connections;
pub mod discovery;
pub mod domains;
pub mod email_verification;
pub mod invitations;
pub mod login;
pub mod members;
pub mod mfa;
pub mod orgs;
pub mod password_change;
pub mod saml;
pub mod sso;
pub mod tenants;
pub mod tokens;
pub mod users;

use crate::error::{ApiError, ApiResult};
use crate::store::{Store, Tx, is_uuid};
use orgkit_core::{Actor, ErrorCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Who is calling, before we know their relation to an org.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The tenant's management key.
    Tenant,
    /// A user, by id.
    User(String),
}

impl Caller {
    /// How the audit log names the caller.
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Tenant => "management_key".to_owned(),
            Caller::User(id) => format!("user:{id}"),
        }
    }
}

/// The caller's standing in an org, read inside the transaction that locked it.
pub async fn actor_in(store: &Store, tx: &mut Tx, caller: &Caller, org_id: &str) -> ApiResult<Actor> {
    match caller {
        Caller::Tenant => Ok(Actor::Tenant),
        Caller::User(user_id) => Ok(match store.member_tx(tx, org_id, user_id).await? {
            Some(m) => Actor::Member { user_id: user_id.clone(), role: m.role()? },
            None => Actor::NonMember,
        }),
    }
}

/// The caller's standing in an org, for reads.
pub async fn actor(store: &Store, caller: &Caller, org_id: &str) -> ApiResult<Actor> {
    match caller {
        Caller::Tenant => Ok(Actor::Tenant),
        Caller::User(user_id) => Ok(match store.member(org_id, user_id).await? {
            Some(m) => Actor::Member { user_id: user_id.clone(), role: m.role()? },
            None => Actor::NonMember,
        }),
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

/// `invalid_request` naming a field.
pub fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::from(orgkit_core::Error::new(ErrorCode::InvalidRequest, message).with_field(field))
}
