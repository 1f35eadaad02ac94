//! The guard's config in core's spelling: JS names its options in camelCase (`cacheSize`,
//! `roleMap`, a profile's `rolesClaim`), core's `VerifierConfig` in snake_case. This module only
//! renames, both ways: the options into core's spelling, and the field an error names back into
//! the JS one. What is accepted, the defaults and the limits are core's (`VerifierConfig`).

use crate::error::invalid_request;
use orgkit_core::token::VerifierConfig;
use orgkit_core::{Error, ErrorCode};
use serde_json::{Map, Value};

/// `new OrgGuard(config)`: the declaration of the `.d.ts` (read by [`read`], not by serde).
/// Every option but `jwks` is core's `VerifierConfig` under its JS name.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "declares the TypeScript type only")]
pub struct OrgGuardConfig {
    /// The issuer's JWKS, as an object or its JSON text.
    #[tsify(type = "Jwks | string")]
    jwks: Value,
    /// The exact `iss` required.
    issuer: String,
    /// The `aud` required.
    audience: String,
    /// Clock-skew allowance in seconds (default 0, at most 300).
    #[tsify(optional)]
    leeway: u64,
    /// Verified tokens remembered (default 1024, at most 100000; 0 disables the cache).
    #[tsify(optional)]
    cache_size: usize,
    /// Whose claim layout the tokens carry (default `"orgkit"`): a profile name, or the profile
    /// with its options in camelCase (`{ name: "auth0", rolesClaim }`, `{ name: "custom", orgId, … }`).
    /// With any profile but orgkit's (or with a `roleMap`), `authorize` answers `ProfiledClaims`.
    #[tsify(optional, type = "GuardProfile")]
    profile: Value,
    /// Provider role name → orgkit role, over the profile's defaults (e.g. `{ "org:billing": "member" }`).
    #[tsify(optional, type = "Record<string, Role>")]
    role_map: Value,
}

/// The guard's config (JSON text of a JS object): its `jwks` when given, and core's
/// configuration for the other options, renamed to core's spelling (errors name JS fields).
pub fn read(text: &str) -> Result<(Option<Value>, VerifierConfig), Error> {
    let Value::Object(options) = orgkit_core::ops::parse_input_text(text)? else {
        return Err(invalid_request("the guard config is an object with jwks, issuer and audience"));
    };
    let mut jwks = None;
    let mut config = Map::new();
    for (name, value) in options {
        match name.as_str() {
            "jwks" => jwks = Some(value),
            "profile" => {
                config.insert(name, core_spelling(value).map_err(|e| in_field(e, "profile"))?);
            }
            _ => {
                let core = core_name(&name).map_err(|e| e.with_field(name.as_str()))?;
                config.insert(core, value);
            }
        }
    }
    let config = VerifierConfig::from_json(Value::Object(config)).map_err(js_field)?;
    Ok((jwks, config))
}

/// A core error whose field is named as JS names it (`role_map` → `roleMap`,
/// `profile.org_id` → `profile.orgId`).
pub fn js_field(mut error: Error) -> Error {
    error.field = error.field.as_deref().map(camel_case);
    error
}

/// A JS option's name in core's spelling: `cacheSize` → `cache_size`. A name with an underscore
/// is refused: one spelling per API, and JS options are camelCase.
fn core_name(name: &str) -> Result<String, Error> {
    if name.contains('_') {
        return Err(Error::new(
            ErrorCode::UnknownField,
            format!("unknown field `{name}`: options are camelCase (`{}`)", camel_case(name)),
        ));
    }
    Ok(snake_case(name))
}

/// A profile object's camelCase keys → snake_case (a profile name, or anything else, goes to
/// core as it is, to be read or refused there).
fn core_spelling(profile: Value) -> Result<Value, Error> {
    let Value::Object(fields) = profile else {
        return Ok(profile);
    };
    let mut renamed = Map::new();
    for (key, value) in fields {
        renamed.insert(core_name(&key)?, value);
    }
    Ok(Value::Object(renamed))
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

    #[test]
    fn error_fields_read_as_js_names_them() {
        let e = js_field(Error::new(ErrorCode::InvalidRequest, "x").with_field("profile.org_id"));
        assert_eq!(e.field.as_deref(), Some("profile.orgId"));
        let e = js_field(Error::new(ErrorCode::InvalidRequest, "x").with_field("cache_size"));
        assert_eq!(e.field.as_deref(), Some("cacheSize"));
    }
}
