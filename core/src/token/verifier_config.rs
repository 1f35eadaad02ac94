//! A verifier's configuration: what it accepts, its defaults and its limits, checked once when
//! the verifier is built rather than on every verification.

use super::pipeline::check_leeway;
use super::profile::{ClaimProfile, ProfileConfig};
use crate::error::{Error, ErrorCode, Result};
use crate::ops::parse_input;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Verified tokens a verifier remembers unless its configuration says otherwise.
pub const DEFAULT_CACHE_SIZE: usize = 1024;
/// Most verified tokens a verifier may be configured to remember.
pub const MAX_CACHE_SIZE: usize = 100_000;

/// How a [`super::Verifier`] reads tokens: the issuer and audience every token must carry, the
/// clock-skew leeway, how many verified tokens it remembers and whose claim layout the tokens
/// follow. Read from JSON with [`VerifierConfig::from_json`] (snake_case; a host renames its
/// own spelling first), which checks it ([`VerifierConfig::validate`]), as building a verifier
/// does again for a configuration made in Rust.
///
/// ```
/// use orgkit_core::token::VerifierConfig;
/// let config = VerifierConfig::from_json(serde_json::json!({
///     "issuer": "https://auth.example.com", "audience": "api", "profile": "workos",
/// })).unwrap();
/// assert_eq!((config.leeway, config.cache_size), (0, 1024));
/// let err = VerifierConfig::from_json(serde_json::json!({
///     "issuer": "i", "audience": "a", "profile": "okta",
/// })).unwrap_err();
/// assert_eq!((err.code(), err.field.as_deref()), ("invalid_request", Some("profile")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierConfig {
    /// The exact `iss` required.
    pub issuer: String,
    /// The `aud` required.
    pub audience: String,
    /// Clock-skew allowance in seconds for `exp`, `nbf` and `iat` (at most
    /// [`super::MAX_LEEWAY_SECONDS`]; default 0).
    #[serde(default)]
    pub leeway: u64,
    /// Verified tokens remembered (at most [`MAX_CACHE_SIZE`], default [`DEFAULT_CACHE_SIZE`];
    /// 0 disables the cache).
    #[serde(default = "default_cache_size")]
    pub cache_size: usize,
    /// Whose claim layout the tokens carry: the profile with its options (`{"name": "auth0",
    /// "roles_claim": ...}`; [`VerifierConfig::from_json`] also reads a profile name alone,
    /// `"clerk-v1"`); default orgkit's own.
    #[serde(default = "orgkit_profile")]
    pub profile: ClaimProfile,
    /// Provider role name → orgkit role, over the profile's defaults.
    #[serde(default)]
    pub role_map: BTreeMap<String, Role>,
}

fn default_cache_size() -> usize {
    DEFAULT_CACHE_SIZE
}

fn orgkit_profile() -> ClaimProfile {
    ClaimProfile::Orgkit {}
}

/// The fields a configuration cannot do without.
const REQUIRED: [&str; 2] = ["issuer", "audience"];

impl VerifierConfig {
    /// Reads a configuration from a JSON object and checks it ([`VerifierConfig::validate`]).
    /// A `null` field reads as absent (its default), as hosts pass "not given"; a profile may
    /// be its name alone. Errors are coded as for every input (`unknown_field`, `invalid_role`,
    /// `invalid_request`) and name the field at fault.
    pub fn from_json(value: Value) -> Result<VerifierConfig> {
        let Value::Object(given) = value else {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "a verifier configuration is a JSON object",
            ));
        };
        // Built by insertion rather than `retain`/`collect`: the WASM guard carries this code,
        // and those would each bring in more B-tree code for no gain.
        let mut fields = Map::new();
        for (name, value) in given {
            let value = match value {
                Value::Null => continue,
                Value::String(profile) if name == "profile" => named_profile(profile),
                value => value,
            };
            fields.insert(name, value);
        }
        let config: VerifierConfig =
            parse_input(Value::Object(fields.clone())).map_err(|e| blame(e, &fields))?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses a leeway above [`super::MAX_LEEWAY_SECONDS`], a cache above [`MAX_CACHE_SIZE`]
    /// (`invalid_request` with the field) and a profile that could only read "no org"
    /// ([`ProfileConfig::validate`], its field under `profile.`).
    pub fn validate(&self) -> Result<()> {
        check_leeway(self.leeway)?;
        if self.cache_size > MAX_CACHE_SIZE {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("cache_size must be at most {MAX_CACHE_SIZE}"),
            )
            .with_field("cache_size"));
        }
        self.profile_config().validate().map_err(|e| {
            let field = match &e.field {
                Some(inner) => format!("profile.{inner}"),
                None => "profile".to_owned(),
            };
            e.with_field(field)
        })
    }

    /// The profile and role map, as the verification pipeline takes them.
    pub fn profile_config(&self) -> ProfileConfig {
        ProfileConfig {
            profile: self.profile.clone(),
            role_map: self.role_map.clone(),
        }
    }
}

/// A profile given by its name alone: `{"name": name}`.
fn named_profile(name: String) -> Value {
    let mut profile = Map::new();
    profile.insert("name".to_owned(), Value::String(name));
    Value::Object(profile)
}

/// Names the field an input error is about: the first field that fails to read on its own
/// (beside placeholder required fields), else the first required field missing.
fn blame(error: Error, fields: &Map<String, Value>) -> Error {
    for (name, value) in fields {
        let mut alone = Map::new();
        for required in REQUIRED {
            alone.insert(required.to_owned(), Value::String(String::new()));
        }
        alone.insert(name.clone(), value.clone());
        if let Err(e) = parse_input::<VerifierConfig>(Value::Object(alone)) {
            return e.with_field(name.as_str());
        }
    }
    match REQUIRED.iter().find(|f| !fields.contains_key(**f)) {
        Some(missing) => error.with_field(*missing),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn read(value: Value) -> Result<VerifierConfig> {
        VerifierConfig::from_json(value)
    }

    fn refused(value: Value) -> (&'static str, Option<String>) {
        let e = read(value).unwrap_err();
        (e.code(), e.field)
    }

    #[test]
    fn defaults_and_nulls() {
        let config =
            read(json!({"issuer": "i", "audience": "a", "leeway": null, "profile": null})).unwrap();
        assert_eq!(config.leeway, 0);
        assert_eq!(config.cache_size, DEFAULT_CACHE_SIZE);
        assert_eq!(config.profile, ClaimProfile::Orgkit {});
        assert!(config.role_map.is_empty());
    }

    #[test]
    fn a_profile_by_name_or_object() {
        let named = read(json!({"issuer": "i", "audience": "a", "profile": "clerk-v1"})).unwrap();
        assert_eq!(named.profile, ClaimProfile::ClerkV1 {});
        let object = read(json!({"issuer": "i", "audience": "a", "profile": {"name": "auth0", "roles_claim": "r"}})).unwrap();
        assert_eq!(
            object.profile,
            ClaimProfile::Auth0 {
                roles_claim: Some("r".into())
            }
        );
    }

    #[test]
    fn limits_are_checked_once_with_the_field() {
        let base = |k: &str, v: Value| {
            let mut o = json!({"issuer": "i", "audience": "a"});
            o[k] = v;
            o
        };
        assert!(read(base("leeway", json!(300))).is_ok());
        assert_eq!(
            refused(base("leeway", json!(301))),
            ("invalid_request", Some("leeway".into()))
        );
        assert!(read(base("cache_size", json!(MAX_CACHE_SIZE))).is_ok());
        assert_eq!(
            refused(base("cache_size", json!(MAX_CACHE_SIZE + 1))),
            ("invalid_request", Some("cache_size".into()))
        );
        assert_eq!(
            refused(base("cache_size", json!(-1))),
            ("invalid_request", Some("cache_size".into()))
        );
    }

    #[test]
    fn errors_name_their_field() {
        let with = |extra: Value| {
            let mut o = json!({"issuer": "i", "audience": "a"});
            for (k, v) in extra.as_object().unwrap() {
                o[k] = v.clone();
            }
            refused(o)
        };
        assert_eq!(
            with(json!({"profile": "okta"})),
            ("invalid_request", Some("profile".into()))
        );
        assert_eq!(
            with(json!({"profile": {"name": "workos", "org_id": "/o"}})),
            ("unknown_field", Some("profile".into()))
        );
        assert_eq!(
            with(json!({"profile": {"name": "custom", "org_id": "o"}})),
            ("invalid_request", Some("profile.org_id".into()))
        );
        assert_eq!(
            with(json!({"role_map": {"x": "boss"}})),
            ("invalid_role", Some("role_map".into()))
        );
        assert_eq!(
            with(json!({"cache": 3})),
            ("unknown_field", Some("cache".into()))
        );
        assert_eq!(
            with(json!({"issuer": 42})),
            ("invalid_request", Some("issuer".into()))
        );
        assert_eq!(
            refused(json!({"issuer": "i"})),
            ("invalid_request", Some("audience".into()))
        );
        assert_eq!(refused(json!("config")), ("invalid_request", None));
    }
}
