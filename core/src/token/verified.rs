//! What a long-lived verifier ([`super::Verifier`]) does with a token, for any claim profile:
//! verify it once, remember it, and answer each request's requirement from it.

use super::claims::{OrgClaims, Requirement, verify_org_token};
use super::keys::KeySet;
use super::pipeline::VerifyOptions;
use super::profile::{
    ClaimProfile, ProfileConfig, ProfiledClaims, ProviderToken, verify_provider_token,
};
use crate::error::Result;
use serde::Serialize;

/// A verified token, as a verifier remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedToken {
    /// An orgkit access token.
    Orgkit(OrgClaims),
    /// A provider's token whose org context was read once.
    Profiled {
        /// The claims in orgkit's shape.
        claims: ProfiledClaims,
        /// The token's `exp`.
        exp: i64,
    },
    /// A provider's token whose org context depends on the org each request names (Keycloak).
    PerRequest(ProviderToken),
}

/// The claims a verifier answers for one request. Serialises as the claims themselves: an
/// orgkit token's `OrgClaims`, any other profile's `ProfiledClaims`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer<'a> {
    /// The remembered orgkit claims: the same for every request.
    Orgkit(&'a OrgClaims),
    /// The remembered provider claims: the same for every request.
    Profiled(&'a ProfiledClaims),
    /// Provider claims read for this request's org.
    ForRequest(ProfiledClaims),
}

impl Answer<'_> {
    /// Whether this answer is the same for every request about the token, so a host may keep
    /// its converted form (a frozen JS object, a Python dict) beside the cache entry.
    pub fn is_per_token(&self) -> bool {
        !matches!(self, Answer::ForRequest(_))
    }
}

/// Verifies a token with the profile's pipeline: orgkit's own claims for the `orgkit` profile
/// (without a role map), the provider's claims mapped through the profile otherwise. Checks no
/// requirement: apply one per request with [`VerifiedToken::authorize`].
pub fn verify_token(
    token: &str,
    keys: &KeySet,
    opts: &VerifyOptions,
    config: &ProfileConfig,
) -> Result<VerifiedToken> {
    if matches!(config.profile, ClaimProfile::Orgkit {}) && config.role_map.is_empty() {
        return verify_org_token(token, keys, opts, &Requirement::default())
            .map(VerifiedToken::Orgkit);
    }
    let provider = verify_provider_token(token, keys, opts, config)?;
    if config.profile.context_depends_on_request() {
        return Ok(VerifiedToken::PerRequest(provider));
    }
    let exp = provider.exp();
    let claims = provider.org_context(config, None)?;
    Ok(VerifiedToken::Profiled { claims, exp })
}

impl VerifiedToken {
    /// `exp`, unix seconds: how long a verifier may remember the token.
    pub fn exp(&self) -> i64 {
        match self {
            VerifiedToken::Orgkit(c) => c.exp,
            VerifiedToken::Profiled { exp, .. } => *exp,
            VerifiedToken::PerRequest(t) => t.exp(),
        }
    }

    /// Applies a request's requirement (the same rule as [`OrgClaims::require`]) and answers
    /// the claims for it; `config` must be the one the token was verified with.
    pub fn authorize(&self, config: &ProfileConfig, req: &Requirement) -> Result<Answer<'_>> {
        match self {
            VerifiedToken::Orgkit(claims) => claims.require(req).map(|()| Answer::Orgkit(claims)),
            VerifiedToken::Profiled { claims, .. } => {
                claims.require(req).map(|()| Answer::Profiled(claims))
            }
            VerifiedToken::PerRequest(token) => {
                let claims = token.org_context(config, req.org.as_deref())?;
                claims.require(req)?;
                Ok(Answer::ForRequest(claims))
            }
        }
    }
}
