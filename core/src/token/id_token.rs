//! OpenID Connect ID tokens (OIDC Core 1.0 §3.1.3.7): what a login through an org's OIDC
//! connection may take from its provider's token.

use super::claims::Audience;
use super::keys::KeySet;
use super::pipeline::{self, TokenKind, VerifyOptions, check_issuer};
use super::profile::StrictClaims;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most groups read from an ID token.
pub const ID_TOKEN_GROUPS_MAX: usize = 200;

/// What a verified ID token says about its user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct IdTokenIdentity {
    /// The provider's subject.
    pub sub: String,
    /// The email, present only when the provider says it verified it (`email_verified`).
    pub email: Option<String>,
    /// The values of the groups claim, when one was named.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl IdTokenIdentity {
    /// The email a login through an OIDC connection signs in with: the one the provider says it
    /// verified, normalised; `email_not_verified` when it vouches for none (the account's email
    /// would then be anyone's claim).
    ///
    /// ```
    /// use orgkit_core::token::IdTokenIdentity;
    /// let id = IdTokenIdentity { sub: "1".into(), email: Some("Ann@Acme.test".into()), groups: vec![] };
    /// assert_eq!(id.login_email().unwrap(), "ann@acme.test");
    /// let none = IdTokenIdentity { email: None, ..id };
    /// assert_eq!(none.login_email().unwrap_err().code(), "email_not_verified");
    /// ```
    pub fn login_email(&self) -> Result<String> {
        let email = self.email.as_deref().ok_or_else(|| {
            Error::new(ErrorCode::EmailNotVerified, "the provider does not say it verified the user's email (email_verified)")
        })?;
        crate::email::normalize_email(email)
    }
}

/// Verifies an ID token from an org's OIDC provider: its signature by a key of the provider's
/// key set, under the algorithm that key is pinned to (`alg: none`, `HS*` with a public key, or a
/// key the token names itself are refused); `iss` exactly `options.issuer`; `aud` holding
/// `options.audience` (the client id), and with several audiences an `azp` equal to it;
/// `exp` not passed and `iat` not in the future (with `options.leeway`); `nonce` exactly the
/// one the login sent (`invalid_nonce`: a token replayed or injected into another login).
/// Answers the subject, the email only when `email_verified` is `true`, and the strings of
/// `groups_claim` (a list, or one string).
pub fn verify_id_token(token: &str, keys: &KeySet, options: &VerifyOptions, nonce: &str, groups_claim: Option<&str>) -> Result<IdTokenIdentity> {
    let StrictClaims(claims) = pipeline::verify(token, keys, TokenKind::Access, options)?;
    check_issuer(claims.get("iss").and_then(Value::as_str).unwrap_or_default(), options)?;
    let audience: Option<Audience> = claims.get("aud").cloned().and_then(|a| serde_json::from_value(a).ok());
    let azp = claims.get("azp").and_then(Value::as_str);
    let audience_ok = match &audience {
        Some(Audience::One(a)) => a == &options.audience && azp.is_none_or(|p| p == options.audience),
        Some(many @ Audience::Many(list)) => many.contains(&options.audience) && (list.len() == 1 || azp == Some(options.audience.as_str())),
        None => false,
    };
    if !audience_ok {
        return Err(Error::new(ErrorCode::InvalidAudience, "the ID token is for another client"));
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(nonce) || nonce.is_empty() {
        return Err(Error::new(ErrorCode::InvalidNonce, "the ID token's nonce is not the one this login sent"));
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or_else(|| pipeline::invalid_token("the ID token has no sub"))?
        .to_owned();
    let verified = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
        || claims.get("email_verified").and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let email = claims.get("email").and_then(Value::as_str).filter(|_| verified).map(str::to_owned);
    let groups = match groups_claim.and_then(|name| claims.get(name)) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).take(ID_TOKEN_GROUPS_MAX).map(str::to_owned).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    Ok(IdTokenIdentity { sub, email, groups })
}
