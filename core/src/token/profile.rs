//! Claim profiles: enforce org policy on tokens from other identity providers.
//!
//! Each provider puts the org context in its own claims. A [`ClaimProfile`] maps them onto
//! orgkit's org context — org id, slug when the provider carries one, an orgkit [`Role`] through
//! a role mapping, and permissions when present — so the same [`Requirement`] checks apply
//! whoever issued the token. A present but malformed org claim, or a role with no mapping, is
//! `invalid_org_claim`: never a silent "no org".
//!
//! Formats, from each provider's documentation:
//! - **orgkit**: `org_id`, `org_slug`, `org_role`.
//! - **Auth0** (<https://auth0.com/docs/manage-users/organizations/using-tokens>): `org_id`
//!   (and `org_name` when enabled); roles from a namespaced custom claim set by an Action
//!   (configurable, default `https://orgkit.dev/roles`), RBAC `permissions` array.
//! - **Clerk v1** (<https://clerk.com/docs/guides/sessions/session-tokens>, version 1 tab):
//!   `org_id`, `org_slug`, `org_role` (`org:admin`), `org_permissions`.
//! - **Clerk v2** (same page, version 2): compact `o` object `{id, slg, rol, per}`; `rol` without
//!   the `org:` prefix, `per` a comma-separated list.
//! - **WorkOS** (<https://workos.com/docs/user-management/sessions>): `org_id`, `role` (slug),
//!   `permissions`.
//! - **Stytch B2B** (<https://stytch.com/docs/b2b/guides/sessions/resources/jwts>):
//!   `https://stytch.com/organization` `{organization_id, slug}` and `https://stytch.com/session`
//!   `{roles: [...]}`; default roles `stytch_admin`, `stytch_member`.
//! - **Logto** organization tokens (<https://docs.logto.io/authorization/organization-template>):
//!   `aud` = `urn:logto:organization:<id>`, permissions as space-separated `scope`; no role.
//! - **Keycloak** (<https://www.keycloak.org/docs/latest/server_admin/#_managing_organizations>):
//!   `organization` as a list of aliases, or a map alias → `{id}`; no role.
//! - **custom**: JSON pointers (RFC 6901) to the org id, slug, role and permissions.

use super::claims::{Audience, Requirement};
use super::keys::KeySet;
use super::pipeline::{self, Timed, TokenKind, VerifyOptions, check_issuer};
use crate::error::{Error, ErrorCode, Result};
use crate::role::Role;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Logto's organization audience prefix.
pub const LOGTO_ORG_AUDIENCE_PREFIX: &str = "urn:logto:organization:";

/// Which provider's claim layout a verifier reads, with its options. Variants without options
/// are empty structs so that `deny_unknown_fields` refuses a stray option (`{"name": "workos",
/// "org_id": …}`) instead of ignoring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(tag = "name", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ClaimProfile {
    /// orgkit's own claims.
    Orgkit {},
    /// Auth0 Organizations.
    Auth0 {
        /// The namespaced claim holding role names (an Action adds it).
        #[serde(default)]
        roles_claim: Option<String>,
    },
    /// Clerk session tokens, version 1.
    ClerkV1 {},
    /// Clerk session tokens, version 2.
    ClerkV2 {},
    /// WorkOS AuthKit access tokens.
    Workos {},
    /// Stytch B2B session JWTs.
    Stytch {},
    /// Logto organization tokens.
    Logto {},
    /// Keycloak organizations.
    Keycloak {},
    /// Any layout, by JSON pointers.
    Custom {
        /// Pointer to the org id, e.g. `/org/id`.
        org_id: String,
        /// Pointer to the org slug.
        #[serde(default)]
        org_slug: Option<String>,
        /// Pointer to the role (a string or a list of strings).
        #[serde(default)]
        role: Option<String>,
        /// Pointer to the permissions (a list, or a space/comma-separated string).
        #[serde(default)]
        permissions: Option<String>,
    },
}

/// A profile plus the role mapping (provider role name → orgkit role) layered over its defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The claim layout.
    pub profile: ClaimProfile,
    /// Extra or overriding role mappings.
    #[serde(default)]
    pub role_map: BTreeMap<String, Role>,
}

impl ProfileConfig {
    /// Refuses a configuration that could only ever read "no org": a custom profile's JSON
    /// pointer that does not start with `/` (RFC 6901) or an empty org-id pointer
    /// (`invalid_request`, with the field).
    pub fn validate(&self) -> Result<()> {
        let ClaimProfile::Custom {
            org_id,
            org_slug,
            role,
            permissions,
        } = &self.profile
        else {
            return Ok(());
        };
        let pointers = [
            ("org_id", Some(org_id)),
            ("org_slug", org_slug.as_ref()),
            ("role", role.as_ref()),
            ("permissions", permissions.as_ref()),
        ];
        for (field, pointer) in pointers {
            if let Some(p) = pointer
                && !p.starts_with('/')
            {
                return Err(Error::new(
                    ErrorCode::InvalidRequest,
                    format!("{field} must be a JSON pointer starting with '/'"),
                )
                .with_field(field));
            }
        }
        Ok(())
    }
}

impl ClaimProfile {
    /// The documented default role names of the provider mapped onto orgkit roles.
    pub fn default_roles(&self) -> BTreeMap<String, Role> {
        let pairs: &[(&str, Role)] = match self {
            ClaimProfile::ClerkV1 {} => &[("org:admin", Role::Admin), ("org:member", Role::Member)],
            ClaimProfile::Stytch {} => &[
                ("stytch_admin", Role::Admin),
                ("stytch_member", Role::Member),
            ],
            ClaimProfile::Orgkit {} => &[],
            _ => &[("admin", Role::Admin), ("member", Role::Member)],
        };
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }
}

/// Verified claims from any provider, in orgkit's shape, next to the original claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ProfiledClaims {
    /// `sub`.
    pub sub: Option<String>,
    /// The org id, when the token carries an org context.
    pub org_id: Option<String>,
    /// The org slug, when the provider carries one.
    pub org_slug: Option<String>,
    /// The orgkit role the provider role maps to.
    pub org_role: Option<Role>,
    /// Permissions the provider listed.
    pub permissions: Vec<String>,
    /// Every claim of the token as issued.
    #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
    pub claims: Map<String, Value>,
}

/// A claims object that refuses duplicate names, so a token cannot say two things at once.
pub(crate) struct StrictClaims(pub(crate) Map<String, Value>);

impl<'de> Deserialize<'de> for StrictClaims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictClaims;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut access: A,
            ) -> std::result::Result<StrictClaims, A::Error> {
                let mut map = Map::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!("duplicate claim {k}")));
                    }
                    map.insert(k, v);
                }
                Ok(StrictClaims(map))
            }
        }
        d.deserialize_map(V)
    }
}

impl Timed for StrictClaims {
    fn times(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        let get = |k: &str| self.0.get(k).and_then(Value::as_i64);
        (get("exp"), get("nbf"), get("iat"))
    }
}

fn malformed(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidOrgClaim,
        format!("malformed org claim: {what}"),
    )
}

fn string_at<'a>(claims: &'a Value, pointer: &str) -> Result<Option<&'a str>> {
    match claims.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(_) => Err(malformed(pointer)),
    }
}

fn list_at(claims: &Value, pointer: &str, separators: &[char]) -> Result<Vec<String>> {
    match claims.pointer(pointer) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::String(s)) => Ok(s
            .split(separators)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(pointer))
            })
            .collect(),
        Some(_) => Err(malformed(pointer)),
    }
}

struct Raw {
    org_id: Option<String>,
    org_slug: Option<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
}

fn extract(profile: &ClaimProfile, claims: &Value, wanted_org: Option<&str>) -> Result<Raw> {
    let s = |p: &str| string_at(claims, p).map(|o| o.map(str::to_owned));
    let sep = &[' ', ','][..];
    Ok(match profile {
        ClaimProfile::Orgkit {} => Raw {
            org_id: s("/org_id")?,
            org_slug: s("/org_slug")?,
            roles: list_at(claims, "/org_role", sep)?,
            permissions: vec![],
        },
        ClaimProfile::Auth0 { roles_claim } => {
            let ptr = format!(
                "/{}",
                roles_claim
                    .as_deref()
                    .unwrap_or("https://orgkit.dev/roles")
                    .replace('~', "~0")
                    .replace('/', "~1")
            );
            Raw {
                org_id: s("/org_id")?,
                org_slug: None,
                roles: list_at(claims, &ptr, sep)?,
                permissions: list_at(claims, "/permissions", sep)?,
            }
        }
        ClaimProfile::ClerkV1 {} => Raw {
            org_id: s("/org_id")?,
            org_slug: s("/org_slug")?,
            roles: list_at(claims, "/org_role", sep)?,
            permissions: list_at(claims, "/org_permissions", sep)?,
        },
        ClaimProfile::ClerkV2 {} => {
            if claims
                .get("o")
                .is_some_and(|o| !o.is_object() && !o.is_null())
            {
                return Err(malformed("o"));
            }
            Raw {
                org_id: s("/o/id")?,
                org_slug: s("/o/slg")?,
                roles: list_at(claims, "/o/rol", sep)?,
                permissions: list_at(claims, "/o/per", sep)?,
            }
        }
        ClaimProfile::Workos {} => Raw {
            org_id: s("/org_id")?,
            org_slug: None,
            roles: list_at(claims, "/role", sep)?,
            permissions: list_at(claims, "/permissions", sep)?,
        },
        ClaimProfile::Stytch {} => Raw {
            org_id: s("/https:~1~1stytch.com~1organization/organization_id")?,
            org_slug: s("/https:~1~1stytch.com~1organization/slug")?,
            roles: list_at(claims, "/https:~1~1stytch.com~1session/roles", sep)?,
            permissions: vec![],
        },
        ClaimProfile::Logto {} => {
            let auds: Vec<&str> = match claims.get("aud") {
                Some(Value::String(a)) => vec![a.as_str()],
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let mut orgs = auds
                .iter()
                .filter_map(|a| a.strip_prefix(LOGTO_ORG_AUDIENCE_PREFIX));
            let org_id = orgs.next().map(str::to_owned);
            if org_id.as_deref() == Some("") || orgs.next().is_some() {
                return Err(malformed("aud"));
            }
            Raw {
                org_id,
                org_slug: None,
                roles: vec![],
                permissions: list_at(claims, "/scope", &[' '])?,
            }
        }
        ClaimProfile::Keycloak {} => keycloak(claims, wanted_org)?,
        ClaimProfile::Custom {
            org_id,
            org_slug,
            role,
            permissions,
        } => Raw {
            org_id: s(org_id)?,
            org_slug: org_slug.as_deref().map(s).transpose()?.flatten(),
            roles: role
                .as_deref()
                .map(|p| list_at(claims, p, sep))
                .transpose()?
                .unwrap_or_default(),
            permissions: permissions
                .as_deref()
                .map(|p| list_at(claims, p, sep))
                .transpose()?
                .unwrap_or_default(),
        },
    })
}

/// Keycloak lists every org of the user; the one the request names is the context (one org
/// needs no naming). The alias is the slug; the map form may carry the id.
fn keycloak(claims: &Value, wanted: Option<&str>) -> Result<Raw> {
    let entries: Vec<(String, Option<String>)> = match claims.get("organization") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(list)) => list
            .iter()
            .map(|a| {
                a.as_str()
                    .map(|s| (s.to_owned(), None))
                    .ok_or_else(|| malformed("organization"))
            })
            .collect::<Result<_>>()?,
        Some(Value::Object(map)) => map
            .iter()
            .map(|(alias, v)| match v.get("id") {
                None | Some(Value::Null) => Ok((alias.clone(), None)),
                Some(Value::String(id)) => Ok((alias.clone(), Some(id.clone()))),
                Some(_) => Err(malformed("organization")),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(malformed("organization")),
    };
    let chosen = match (wanted, entries.as_slice()) {
        (_, []) => None,
        (None, [only]) => Some(only.clone()),
        (None, _) => {
            return Err(Error::new(
                ErrorCode::OrgRequired,
                "the token lists several organizations: name the one this request is about",
            ));
        }
        (Some(w), list) => list
            .iter()
            .find(|(alias, id)| alias == w || id.as_deref() == Some(w))
            .cloned(),
    };
    let Some((alias, id)) = chosen else {
        if wanted.is_some() && !entries.is_empty() {
            return Err(Error::new(
                ErrorCode::OrgMismatch,
                "the token is for other organizations",
            ));
        }
        return Ok(Raw {
            org_id: None,
            org_slug: None,
            roles: vec![],
            permissions: vec![],
        });
    };
    Ok(Raw {
        org_id: Some(id.unwrap_or_else(|| alias.clone())),
        org_slug: Some(alias),
        roles: vec![],
        permissions: vec![],
    })
}

fn map_role(raw_roles: &[String], config: &ProfileConfig) -> Result<Option<Role>> {
    let mut table = config.profile.default_roles();
    table.extend(config.role_map.iter().map(|(k, v)| (k.clone(), *v)));
    let mut best: Option<Role> = None;
    for name in raw_roles {
        let role = match table.get(name) {
            Some(r) => *r,
            None if matches!(config.profile, ClaimProfile::Orgkit {}) => {
                Role::parse(name).map_err(|_| malformed("org_role"))?
            }
            None => {
                return Err(Error::new(
                    ErrorCode::InvalidOrgClaim,
                    format!(
                        "role {:?} has no orgkit mapping",
                        crate::role::truncate(name)
                    ),
                ));
            }
        };
        best = best.max(Some(role));
    }
    Ok(best)
}

impl ProfiledClaims {
    /// Checks a requirement with the same rule as [`super::OrgClaims::require`]; a permission is
    /// also met when the provider listed it by name.
    pub fn require(&self, req: &Requirement) -> Result<()> {
        req.check(
            self.org_id.as_deref(),
            self.org_slug.as_deref(),
            self.org_role,
            &self.permissions,
        )
    }
}

/// A provider's token whose signature, time, issuer, audience and type have been verified, and
/// whose org context has not been read yet (for Keycloak it depends on the org a request names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderToken {
    claims: Map<String, Value>,
    exp: i64,
}

impl ProviderToken {
    /// `exp`, unix seconds (the pipeline refuses a token without one).
    pub fn exp(&self) -> i64 {
        self.exp
    }

    /// Reads the org context through the profile — for `wanted_org`, when the profile lists
    /// several orgs — and maps the provider's role. `invalid_org_claim` when a present org claim
    /// is malformed or a role has no mapping.
    pub fn org_context(
        &self,
        config: &ProfileConfig,
        wanted_org: Option<&str>,
    ) -> Result<ProfiledClaims> {
        let claims = Value::Object(self.claims.clone());
        let raw = extract(&config.profile, &claims, wanted_org)?;
        let org_role = map_role(&raw.roles, config)?;
        let Value::Object(claims) = claims else {
            return Err(malformed("claims"));
        };
        Ok(ProfiledClaims {
            sub: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
            org_id: raw.org_id,
            org_slug: raw.org_slug,
            org_role,
            permissions: raw.permissions,
            claims,
        })
    }
}

impl ClaimProfile {
    /// Whether the org context depends on the org a request names (Keycloak lists every org of
    /// the user), so it must be read per request rather than once per token.
    pub fn context_depends_on_request(&self) -> bool {
        matches!(self, ClaimProfile::Keycloak {})
    }
}

/// Verifies everything of a provider's token but its org context: the same pipeline as
/// orgkit's own tokens (pinned algorithm, signature, time, issuer), the audience (for Logto,
/// the organization URN must be the configured audience, or the configured audience is exactly
/// the URN prefix to accept any organization; for Clerk, whose tokens have no `aud`, `azp` must
/// equal the configured audience), and that it is not an invitation.
pub fn verify_provider_token(
    token: &str,
    keys: &KeySet,
    opts: &VerifyOptions,
    config: &ProfileConfig,
) -> Result<ProviderToken> {
    config.validate()?;
    let StrictClaims(map) = pipeline::verify(token, keys, TokenKind::Access, opts)?;
    let iss = map.get("iss").and_then(Value::as_str).unwrap_or_default();
    check_issuer(iss, opts)?;
    let aud: Option<Audience> = map
        .get("aud")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok());
    let aud_ok = match (&config.profile, &aud) {
        (ClaimProfile::Logto {}, Some(Audience::One(a)))
            if opts.audience == LOGTO_ORG_AUDIENCE_PREFIX =>
        {
            a.starts_with(LOGTO_ORG_AUDIENCE_PREFIX)
        }
        (_, Some(a)) => a.contains(&opts.audience),
        // Clerk session tokens carry no `aud`; Clerk's docs say to check `azp` (the origin).
        (ClaimProfile::ClerkV1 {} | ClaimProfile::ClerkV2 {}, None) => {
            map.get("azp").and_then(Value::as_str) == Some(opts.audience.as_str())
        }
        (_, None) => false,
    };
    if !aud_ok {
        return Err(Error::new(
            ErrorCode::InvalidAudience,
            "the token is for another audience",
        ));
    }
    if map.contains_key("inv") {
        return Err(Error::new(
            ErrorCode::WrongTokenType,
            "this is not an access token",
        ));
    }
    let exp = map
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| pipeline::invalid_token("the token has no exp"))?;
    Ok(ProviderToken { claims: map, exp })
}

/// Verifies a token from any provider ([`verify_provider_token`]), maps the org context through
/// the profile, then applies the requirement.
pub fn verify_profiled_token(
    token: &str,
    keys: &KeySet,
    opts: &VerifyOptions,
    config: &ProfileConfig,
    req: &Requirement,
) -> Result<ProfiledClaims> {
    let token = verify_provider_token(token, keys, opts, config)?;
    let profiled = token.org_context(config, req.org.as_deref())?;
    profiled.require(req)?;
    Ok(profiled)
}
