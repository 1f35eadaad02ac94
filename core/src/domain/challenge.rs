//! The DNS TXT record that proves a claim.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// The label under the claimed domain where the TXT record goes.
pub const CHALLENGE_LABEL: &str = "_orgkit-challenge";
/// What the TXT record's value starts with; the claim's token follows.
pub const CHALLENGE_VALUE_PREFIX: &str = "orgkit-domain-verification=";
/// Fewest characters a challenge token has (the server draws 32 random bytes, 43 characters).
pub const TOKEN_MIN_CHARS: usize = 22;
/// Most characters a challenge token has.
pub const TOKEN_MAX_CHARS: usize = 128;

/// How to prove a claim: publish a TXT record `value` at `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DomainChallenge {
    /// Always `dns_txt`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ts", tsify(type = "\"dns_txt\""))]
    pub kind: String,
    /// `_orgkit-challenge.{domain}`.
    pub name: String,
    /// `orgkit-domain-verification={token}`.
    pub value: String,
}

/// The challenge of a claim on `domain` (normalised) with its random `token` (base64url, drawn
/// by the host: core has no randomness); `invalid_request` for a token of another shape.
///
/// ```
/// use orgkit_core::domain::domain_challenge;
/// let c = domain_challenge("acme.example", "q9Xv2mZ0bW1hY2hpbmUtdG9rZW4").unwrap();
/// assert_eq!((c.kind.as_str(), c.name.as_str()), ("dns_txt", "_orgkit-challenge.acme.example"));
/// assert_eq!(c.value, "orgkit-domain-verification=q9Xv2mZ0bW1hY2hpbmUtdG9rZW4");
/// ```
pub fn domain_challenge(domain: &str, token: &str) -> Result<DomainChallenge> {
    let shaped = (TOKEN_MIN_CHARS..=TOKEN_MAX_CHARS).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shaped {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("a challenge token is {TOKEN_MIN_CHARS}-{TOKEN_MAX_CHARS} base64url characters"),
        )
        .with_field("token"));
    }
    let domain = super::normalize_domain(domain)?;
    Ok(DomainChallenge {
        kind: "dns_txt".to_owned(),
        name: format!("{CHALLENGE_LABEL}.{domain}"),
        value: format!("{CHALLENGE_VALUE_PREFIX}{token}"),
    })
}
