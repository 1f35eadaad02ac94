//! The guard's `profile` and `roleMap` options as core's [`ProfileConfig`].
//!
//! JS spells a profile as its name (`"clerk-v1"`) or as an object with camelCase fields
//! (`{ name: "auth0", rolesClaim }`, `{ name: "custom", orgId, … }`); this module only renames
//! those fields to core's snake_case. Which profiles and fields exist, the role defaults and
//! what a configuration may hold are core's (`ClaimProfile`, `ProfileConfig::validate`).

use orgkit_core::ops::parse_input;
use orgkit_core::token::{ClaimProfile, ProfileConfig};
use orgkit_core::{Error, ErrorCode};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Core's profile configuration for the guard's `profile` and `roleMap` (absent: orgkit's own
/// claims, no extra role names). Errors carry the JS field: `profile`, `roleMap` or
/// `profile.<field>`.
pub fn profile_config(profile: Option<Value>, role_map: Option<Value>) -> Result<ProfileConfig, Error> {
    let profile = match profile {
        None => ClaimProfile::Orgkit {},
        Some(profile) => {
            core_spelling(profile).and_then(parse_input::<ClaimProfile>).map_err(|e| in_field(e, "profile"))?
        }
    };
    let role_map = match role_map {
        None => BTreeMap::new(),
        Some(map) => parse_input(map).map_err(|e| in_field(e, "roleMap"))?,
    };
    let config = ProfileConfig { profile, role_map };
    config.validate().map_err(|e| match e.field.as_deref().map(camel_case) {
        Some(field) => e.with_field(format!("profile.{field}")),
        None => in_field(e, "profile"),
    })?;
    Ok(config)
}

/// `"name"` → `{ "name": "name" }`; an object's camelCase keys → snake_case. Anything else goes
/// to core as it is, to be refused there.
fn core_spelling(profile: Value) -> Result<Value, Error> {
    match profile {
        Value::String(name) => Ok(Value::Object(Map::from_iter([("name".to_owned(), Value::String(name))]))),
        Value::Object(fields) => fields
            .into_iter()
            .map(|(key, value)| {
                if key.contains('_') {
                    // One spelling per API: JS options are camelCase.
                    return Err(Error::new(
                        ErrorCode::UnknownField,
                        format!("unknown field `{key}`: profile fields are camelCase (`{}`)", camel_case(&key)),
                    ));
                }
                Ok((snake_case(&key), value))
            })
            .collect::<Result<Map<_, _>, _>>()
            .map(Value::Object),
        other => Ok(other),
    }
}

fn in_field(error: Error, field: &str) -> Error {
    if error.field.is_some() { error } else { error.with_field(field) }
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_both_ways() {
        assert_eq!(snake_case("rolesClaim"), "roles_claim");
        assert_eq!(snake_case("orgId"), "org_id");
        assert_eq!(snake_case("name"), "name");
        assert_eq!(camel_case("org_slug"), "orgSlug");
        assert_eq!(camel_case("permissions"), "permissions");
    }
}
