//! IdP groups to org roles.

use crate::error::{Error, ErrorCode, Result};
use crate::role::{Role, truncate};
use std::collections::BTreeMap;

/// An org's `group_role_mappings`: IdP group display name → role name (`owner`, `admin`,
/// `member` or `viewer`), as stored after [`GroupRoleMappings`] validation.
pub type GroupRoleMappings = BTreeMap<String, String>;

/// Most mappings an org may declare.
pub const GROUP_ROLE_MAPPINGS_MAX: usize = 100;
/// Longest group display name, in characters.
pub const GROUP_NAME_MAX_CHARS: usize = 256;

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSetting, message).with_field(field)
}

/// Validates a `group_role_mappings` value: a JSON object of at most
/// [`GROUP_ROLE_MAPPINGS_MAX`] entries from a group name (trimmed, 1–256 characters, no control
/// characters, unique regardless of case) to a role name. Answers it with names trimmed.
///
/// ```
/// use orgkit_core::directory::roles::parse_mappings;
/// let m = parse_mappings("group_role_mappings", &serde_json::json!({"IdP Admins": "admin"})).unwrap();
/// assert_eq!(m["IdP Admins"], "admin");
/// let err = parse_mappings("group_role_mappings", &serde_json::json!({"x": "root"})).unwrap_err();
/// assert_eq!(err.code(), "invalid_setting");
/// ```
pub fn parse_mappings(field: &str, value: &serde_json::Value) -> Result<GroupRoleMappings> {
    let object = value.as_object().ok_or_else(|| {
        invalid(field, format!("{field} must be an object from group name to role, or null"))
    })?;
    if object.len() > GROUP_ROLE_MAPPINGS_MAX {
        return Err(invalid(field, format!("{field} holds at most {GROUP_ROLE_MAPPINGS_MAX} groups")));
    }
    let mut mappings = GroupRoleMappings::new();
    for (group, role) in object {
        let name = group.trim();
        if name.is_empty() || name.chars().count() > GROUP_NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(invalid(
                field,
                format!("{field}: a group name must be 1-{GROUP_NAME_MAX_CHARS} characters without control characters, not {:?}", truncate(group)),
            ));
        }
        if mappings.keys().any(|k| same_group(k, name)) {
            return Err(invalid(field, format!("{field} names the group {:?} twice", truncate(name))));
        }
        let role = role
            .as_str()
            .ok_or_else(|| invalid(field, format!("{field}: the role of {:?} must be a role name", truncate(name))))
            .and_then(|r| Role::parse(r).map_err(|e| invalid(field, format!("{field}: {}", e.message))))?;
        mappings.insert(name.to_owned(), role.as_str().to_owned());
    }
    Ok(mappings)
}

/// Group names are compared as IdPs treat them: ignoring case.
fn same_group(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The role a member's IdP groups give them in an org: the highest role mapped from any of
/// `groups`, `member` when none of them is mapped, and `None` when the org maps no group at all
/// (roles are then managed in orgkit, and the directory does not touch them). An owner comes
/// only from an explicit mapping; names compare ignoring case.
///
/// ```
/// use orgkit_core::directory::{GroupRoleMappings, role_from_groups};
/// use orgkit_core::Role;
/// let m: GroupRoleMappings = [("IdP Admins".to_owned(), "admin".to_owned())].into();
/// assert_eq!(role_from_groups(&m, &["idp admins", "Staff"]), Some(Role::Admin));
/// assert_eq!(role_from_groups(&m, &["Staff"]), Some(Role::Member));
/// assert_eq!(role_from_groups(&GroupRoleMappings::new(), &["Staff"]), None);
/// ```
pub fn role_from_groups<S: AsRef<str>>(mappings: &GroupRoleMappings, groups: &[S]) -> Option<Role> {
    if mappings.is_empty() {
        return None;
    }
    let mapped = groups.iter().filter_map(|group| {
        let group = group.as_ref().trim();
        mappings
            .iter()
            .find(|(name, _)| same_group(name, group))
            .and_then(|(_, role)| Role::parse(role).ok())
    });
    Some(mapped.max().unwrap_or(Role::Member))
}

/// The role a member has after the directory speaks: `from_groups` ([`role_from_groups`]) when
/// the org maps groups, else the current role (`member` for someone who is not a member yet) —
/// except that the org's last owner is never demoted by its directory (`owner_count` counts the
/// org's owners, this member included).
///
/// ```
/// use orgkit_core::directory::synced_role;
/// use orgkit_core::Role;
/// assert_eq!(synced_role(None, None, 1), Role::Member);
/// assert_eq!(synced_role(Some(Role::Admin), Some(Role::Viewer), 1), Role::Viewer);
/// assert_eq!(synced_role(Some(Role::Owner), Some(Role::Member), 1), Role::Owner);
/// assert_eq!(synced_role(Some(Role::Owner), Some(Role::Member), 2), Role::Member);
/// ```
pub fn synced_role(current: Option<Role>, from_groups: Option<Role>, owner_count: u64) -> Role {
    match (current, from_groups) {
        (Some(Role::Owner), Some(wanted)) if wanted < Role::Owner && owner_count <= 1 => Role::Owner,
        (_, Some(wanted)) => wanted,
        (Some(current), None) => current,
        (None, None) => Role::Member,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mappings_are_validated() {
        let field = "group_role_mappings";
        assert!(parse_mappings(field, &json!({})).unwrap().is_empty());
        assert_eq!(parse_mappings(field, &json!({" Ops ": "owner"})).unwrap()["Ops"], "owner");
        for bad in [json!([]), json!("x"), json!({"": "admin"}), json!({"a": 1}), json!({"A": "admin", "a": "member"}), json!({"a\u{7}": "admin"})] {
            assert_eq!(parse_mappings(field, &bad).unwrap_err().code(), "invalid_setting", "{bad}");
        }
        let many: serde_json::Map<_, _> = (0..=GROUP_ROLE_MAPPINGS_MAX).map(|i| (format!("g{i}"), json!("member"))).collect();
        assert!(parse_mappings(field, &serde_json::Value::Object(many)).is_err());
    }

    #[test]
    fn the_highest_mapped_role_wins() {
        let m: GroupRoleMappings = [("A".into(), "viewer".into()), ("B".into(), "owner".into())].into();
        assert_eq!(role_from_groups(&m, &["a"]), Some(Role::Viewer));
        assert_eq!(role_from_groups(&m, &["a", "b"]), Some(Role::Owner));
        assert_eq!(role_from_groups::<&str>(&m, &[]), Some(Role::Member));
    }
}
