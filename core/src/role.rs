//! Org roles, permissions and the permission matrix.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// An org role. Roles are totally ordered: `viewer < member < admin < owner`.
///
/// These are org roles, separate from any tenant-level role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read-only access to the org.
    Viewer,
    /// A regular member.
    Member,
    /// Manages members, invitations and org settings.
    Admin,
    /// Full control, including deleting the org and configuring SSO.
    Owner,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Member, Role::Admin, Role::Owner];

    /// The role's name as it appears in tokens and APIs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Parses a role name (`owner`, `admin`, `member`, `viewer`), refusing anything else.
    ///
    /// ```
    /// use orgkit_core::Role;
    /// assert_eq!(Role::parse("admin").unwrap(), Role::Admin);
    /// assert_eq!(Role::parse("root").unwrap_err().code(), "invalid_role");
    /// ```
    pub fn parse(name: &str) -> Result<Role> {
        match name {
            "viewer" => Ok(Role::Viewer),
            "member" => Ok(Role::Member),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            _ => Err(Error::new(
                ErrorCode::InvalidRole,
                format!(
                    "unknown role {:?}: expected owner, admin, member or viewer",
                    truncate(name)
                ),
            )),
        }
    }

    /// Whether this role carries `permission`, by the matrix in [`Permission::minimum_role`].
    pub fn can(self, permission: Permission) -> bool {
        self >= permission.minimum_role()
    }

    /// Every permission this role carries.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.can(*p))
            .collect()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! permissions {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal => $role:ident; )*) => {
        /// One action of the org APIs (management API of seed 000 and user API of seed 004).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        pub enum Permission {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Permission {
            /// Every permission, in matrix order.
            pub const ALL: &'static [Permission] = &[ $( Permission::$variant, )* ];

            /// The permission's `resource:action` name.
            pub const fn as_str(self) -> &'static str {
                match self { $( Permission::$variant => $name, )* }
            }

            /// The lowest role that carries this permission: the whole matrix in one place.
            pub const fn minimum_role(self) -> Role {
                match self { $( Permission::$variant => Role::$role, )* }
            }

            /// Parses a `resource:action` permission name.
            pub fn parse(name: &str) -> Result<Permission> {
                match name {
                    $( $name => Ok(Permission::$variant), )*
                    _ => Err(Error::new(ErrorCode::InvalidPermission,
                        format!("unknown permission {:?}", truncate(name)))),
                }
            }
        }
    };
}

permissions! {
    /// See the org and its effective settings.
    OrgRead = "org:read" => Viewer;
    /// Change the org's name, metadata, branding and auth settings.
    OrgUpdate = "org:update" => Admin;
    /// Delete the org.
    OrgDelete = "org:delete" => Owner;
    /// List members and their roles.
    MembersRead = "members:read" => Viewer;
    /// Add an existing user as a member.
    MembersAdd = "members:add" => Admin;
    /// Change a member's role.
    MembersUpdateRole = "members:update_role" => Admin;
    /// Remove another member.
    MembersRemove = "members:remove" => Admin;
    /// Invite by email.
    InvitationsCreate = "invitations:create" => Admin;
    /// List pending invitations.
    InvitationsList = "invitations:list" => Admin;
    /// Revoke or resend an invitation.
    InvitationsRevoke = "invitations:revoke" => Admin;
    /// Read the org's SSO configuration and SP metadata.
    SsoRead = "sso:read" => Admin;
    /// Configure or disable the org's SAML SSO.
    SsoManage = "sso:manage" => Owner;
    /// List the connections enabled for the org.
    ConnectionsRead = "connections:read" => Admin;
    /// Enable or disable connections for the org.
    ConnectionsManage = "connections:manage" => Owner;
    /// Read the org's audit log.
    AuditLogRead = "audit_log:read" => Admin;
    /// Provision the org from its directory (SCIM tokens) and map IdP groups to roles.
    ScimManage = "scim:manage" => Owner;
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Shortens untrusted input before it is echoed in a message.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_permissions_nest() {
        for pair in Role::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
            for p in pair[0].permissions() {
                assert!(pair[1].can(p), "{} lost {}", pair[1], p);
            }
        }
        assert_eq!(Role::Owner.permissions().len(), Permission::ALL.len());
    }
}
