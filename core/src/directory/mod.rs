//! Directory rules: what an org's identity provider may do to its members, whether it pushes
//! them over SCIM or asserts them at SSO login.
//!
//! - [`roles`]: the org's `group_role_mappings` and the role a member's IdP groups give them.
//! - [`admission`]: which email a provisioned user gets, and whether the org's directory may
//!   provision it (only within the org's verified domains, unless the operator allows any).

pub mod admission;
pub mod roles;

pub use admission::{DirectoryEmail, DirectoryUser, admit_directory_user};
pub use roles::{
    GROUP_NAME_MAX_CHARS, GROUP_ROLE_MAPPINGS_MAX, GroupRoleMappings, role_from_groups,
    synced_role,
};
