//! The guard's config in core's spelling: JS names its options in camelCase (`cacheSize`,
//! `roleMap`, a profile's `rolesClaim`), core's `VerifierConfig` in snake_case. This module only
//! renames, both ways: the options into core's spelling, and the field an error names back into
//! the JS one. What is accepted, the defaults and the limits are core's (`VerifierConfig`).

use orgkit_core::token::VerifierConfig;
use orgkit_core::{Error, ErrorCode};
use serde::Deserialize;
use serde_json::{Map, Value};

/// `new OrgGuard(config)`. Every option but `jwks` is core's `VerifierConfig` under its JS name,
/// read (types, defaults, limits) by core.
#[derive(Deserialize, tsify::Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrgGuardConfig {
    /// The issuer's JWKS, as an object or its JSON text.
    #[tsify(type = "Jwks | string")]
    pub jwks: Value,
    /// The exact `iss` required.
    #[tsify(type = "string")]
    issuer: Value,
    /// The `aud` required.
    #[tsify(type = "string")]
    audience: Value,
    /// Clock-skew allowance in seconds (default 0, at most 300).
    #[serde(default)]
    #[tsify(optional, type = "number")]
    leeway: Value,
    /// Verified tokens remembered (default 1024, at most 100000; 0 disables the cache).
    #[serde(default)]
    #[tsify(optional, type = "number")]
    cache_size: Value,
    /// Whose claim layout the tokens carry (default `"orgkit"`): a profile name, or the profile
    /// with its options in camelCase (`{ name: "auth0", rolesClaim }`, `{ name: "custom", orgId, … }`).
    /// With any profile but orgkit's (or with a `roleMap`), `authorize` answers `ProfiledClaims`.
    #[serde(default)]
    #[tsify(optional, type = "GuardProfile")]
    profile: Value,
    /// Provider role name → orgkit role, over the profile's defaults (e.g. `{ "org:billing": "member" }`).
    #[serde(default)]
    #[tsify(optional, type = "Record<string, Role>")]
    role_map: Value,
}

impl OrgGuardConfig {
    /// Core's configuration for these options (all but `jwks`), with JS field names in its errors.
    pub fn verifier_config(&self) -> Result<VerifierConfig, Error> {
        let profile = core_spelling(self.profile.clone()).map_err(|e| in_field(e, "profile"))?;
        let fields = [
            ("issuer", &self.issuer),
            ("audience", &self.audience),
            ("leeway", &self.leeway),
            ("cache_size", &self.cache_size),
            ("profile", &profile),
            ("role_map", &self.role_map),
        ];
        let config = fields.into_iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
        VerifierConfig::from_json(Value::Object(config)).map_err(js_field)
    }
}

/// A core error whose field is named as JS names it (`role_map` → `roleMap`,
/// `profile.org_id` → `profile.orgId`).
pub fn js_field(mut error: Error) -> Error {
    error.field = error.field.map(|field| field.split('.').map(camel_case).collect::<Vec<_>>().join("."));
    error
}

/// A profile object's camelCase keys → snake_case (a profile name, or anything else, goes to
/// core as it is, to be read or refused there).
fn core_spelling(profile: Value) -> Result<Value, Error> {
    let Value::Object(fields) = profile else {
        return Ok(profile);
    };
    fields
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
        .map(Value::Object)
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
