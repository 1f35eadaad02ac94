//! Relational membership rules: who may add, invite, re-role or remove whom.
//!
//! Each rule is a pure function returning `Ok(())` (allowed) or an [`Error`] whose code is the
//! reason (`insufficient_role`, `role_ceiling`, `owner_required`, `last_owner`, `not_found`).
//! The invariants they keep, tested as properties: nobody raises anyone above their own role,
//! only owners touch the owner role, and no sequence of allowed operations leaves an org with
//! zero owners.

use crate::error::{Error, ErrorCode, Result};
use crate::portal::PortalIntent;
use crate::role::{Permission, Role};
use serde::{Deserialize, Serialize};

/// The role of a user in an org they create: its owner. Creating an org is the only way the user
/// API gives an org its first owner; an org the tenant's management key creates starts without
/// members.
pub const CREATOR_ROLE: Role = Role::Owner;

/// Who performs an operation on an org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Actor {
    /// A user acting through their membership of the org.
    Member {
        /// The acting user's id.
        user_id: String,
        /// The acting user's role in this org.
        role: Role,
    },
    /// A user who is not a member of the org: everything about the org is `not_found` to them.
    NonMember,
    /// The tenant's management key: may do anything a tenant admin may, but the org invariants
    /// (`last_owner`) bind it too.
    Tenant,
    /// The holder of an admin-portal link of this org: exactly the link intent's permissions,
    /// and an admin's ceiling where roles are granted.
    Delegate {
        /// What the link is for.
        intent: PortalIntent,
    },
}

impl Actor {
    /// The role whose ladder limits what this actor grants and whom it manages, if any.
    fn ladder(&self) -> Option<Role> {
        match self {
            Actor::Member { role, .. } => Some(*role),
            Actor::Delegate { .. } => Some(Role::Admin),
            Actor::Tenant | Actor::NonMember => None,
        }
    }
}

/// The member an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The target user's id.
    pub user_id: String,
    /// The target's current role.
    pub role: Role,
}

impl Actor {
    fn is(&self, target: &Target) -> bool {
        matches!(self, Actor::Member { user_id, .. } if *user_id == target.user_id)
    }
}

/// Requires that `actor` holds `permission` on the org.
///
/// A non-member gets `not_found` (an org you do not belong to does not exist for you), a member
/// whose role lacks the permission gets `insufficient_role`.
///
/// ```
/// use orgkit_core::{authorize, Actor, Permission, Role};
/// let viewer = Actor::Member { user_id: "u1".into(), role: Role::Viewer };
/// assert!(authorize(&viewer, Permission::OrgRead).is_ok());
/// assert_eq!(authorize(&viewer, Permission::OrgUpdate).unwrap_err().code(), "insufficient_role");
/// assert_eq!(authorize(&Actor::NonMember, Permission::OrgRead).unwrap_err().code(), "not_found");
/// ```
pub fn authorize(actor: &Actor, permission: Permission) -> Result<()> {
    match actor {
        Actor::Tenant => Ok(()),
        Actor::NonMember => Err(not_found()),
        Actor::Member { role, .. } if role.can(permission) => Ok(()),
        Actor::Member { role, .. } => Err(Error::new(
            ErrorCode::InsufficientRole,
            format!(
                "{permission} requires role {} or higher; you are {role}",
                permission.minimum_role()
            ),
        )),
        Actor::Delegate { intent } if intent.grants(permission) => Ok(()),
        Actor::Delegate { intent } => Err(Error::new(
            ErrorCode::InsufficientRole,
            format!("a portal link for {} does not allow {permission}", intent.as_str()),
        )),
    }
}

/// May `actor` add a member (or invite someone) with `role`? Granting above one's own role is
/// `role_ceiling`; granting `owner` takes an owner.
pub fn can_grant(actor: &Actor, permission: Permission, role: Role) -> Result<()> {
    authorize(actor, permission)?;
    if let Some(own) = actor.ladder() {
        ceiling(own, role)?;
    }
    Ok(())
}

/// May `actor` change `target`'s role to `new_role`, given how many owners the org has?
///
/// Anyone may lower their own role (unless they are the last owner). Changing someone else
/// takes `members:update_role`; an admin manages members and viewers only; the owner role is
/// granted, changed and taken only by owners.
pub fn can_change_role(
    actor: &Actor,
    target: &Target,
    new_role: Role,
    owner_count: u64,
) -> Result<()> {
    if actor.is(target) {
        if new_role > target.role {
            return Err(Error::new(
                ErrorCode::RoleCeiling,
                "you cannot raise your own role",
            ));
        }
    } else {
        authorize(actor, Permission::MembersUpdateRole)?;
        if let Some(own) = actor.ladder() {
            manage_other(own, target.role)?;
            ceiling(own, new_role)?;
        }
    }
    keep_an_owner(target, Some(new_role), owner_count)
}

/// May `actor` remove `target` from the org, given how many owners it has? Anyone may leave;
/// removing someone else follows the same ladder as [`can_change_role`].
pub fn can_remove_member(actor: &Actor, target: &Target, owner_count: u64) -> Result<()> {
    if !actor.is(target) {
        authorize(actor, Permission::MembersRemove)?;
        if let Some(own) = actor.ladder() {
            manage_other(own, target.role)?;
        }
    }
    keep_an_owner(target, None, owner_count)
}

fn ceiling(own: Role, granted: Role) -> Result<()> {
    if granted == Role::Owner && own != Role::Owner {
        return Err(Error::new(
            ErrorCode::OwnerRequired,
            "only an owner can grant the owner role",
        ));
    }
    if granted > own {
        return Err(Error::new(
            ErrorCode::RoleCeiling,
            format!("you cannot grant {granted}, which is above your own role {own}"),
        ));
    }
    Ok(())
}

fn manage_other(own: Role, target: Role) -> Result<()> {
    if own == Role::Owner {
        return Ok(());
    }
    if target == Role::Owner {
        return Err(Error::new(
            ErrorCode::OwnerRequired,
            "only an owner can change or remove an owner",
        ));
    }
    if target >= own {
        return Err(Error::new(
            ErrorCode::InsufficientRole,
            format!("a {own} can manage only members below {own}"),
        ));
    }
    Ok(())
}

fn keep_an_owner(target: &Target, new_role: Option<Role>, owner_count: u64) -> Result<()> {
    let loses_owner = target.role == Role::Owner && new_role != Some(Role::Owner);
    if loses_owner && owner_count <= 1 {
        return Err(Error::new(
            ErrorCode::LastOwner,
            "an organization must keep at least one owner",
        ));
    }
    Ok(())
}

fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "organization not found")
}
