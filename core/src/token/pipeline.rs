//! The verification pipeline every token type goes through, in this order: size, shape,
//! header (no `none`, no key-injection headers, the expected `typ`), key by `kid`, algorithm
//! pinned by the key, signature, then time, issuer and audience against the caller's `now`.

use super::keys::{KeySet, ensure_crypto_provider};
use crate::error::{Error, ErrorCode, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Largest token accepted, in bytes. Bounds the work an attacker can ask for.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Largest clock-skew leeway a verifier may be configured with, in seconds.
pub const MAX_LEEWAY_SECONDS: u64 = 300;
/// The leeway a host verifies the tokens of its sibling instances with, in seconds: a token
/// signed by an instance whose clock runs a little ahead must not be "not yet valid" at another.
pub const INSTANCE_LEEWAY_SECONDS: u64 = 30;

/// What a verifier expects of every token, and the current time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct VerifyOptions {
    /// The exact `iss` required.
    pub issuer: String,
    /// The `aud` required (one of the token's audiences must equal it).
    pub audience: String,
    /// Clock-skew allowance in seconds for `exp`, `nbf` and `iat` (at most 300).
    #[serde(default)]
    pub leeway: u64,
    /// The current time, unix seconds.
    pub now: i64,
}

/// Refuses a clock-skew leeway above [`MAX_LEEWAY_SECONDS`] (`invalid_request`, field `leeway`).
pub(crate) fn check_leeway(leeway: u64) -> Result<()> {
    if leeway > MAX_LEEWAY_SECONDS {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("leeway must be at most {MAX_LEEWAY_SECONDS} seconds"),
        )
        .with_field("leeway"));
    }
    Ok(())
}

/// The token types orgkit issues; a token of one type never passes as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Invitation,
}

/// `typ` header of invitation tokens.
pub(crate) const INVITATION_TYP: &str = "orgkit-invitation+jwt";
/// `typ` header of access tokens orgkit issues (RFC 9068).
pub(crate) const ACCESS_TYP: &str = "at+jwt";

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
    #[serde(default)]
    jku: Option<serde_json::Value>,
    #[serde(default)]
    x5u: Option<serde_json::Value>,
    #[serde(default)]
    jwk: Option<serde_json::Value>,
}

pub(crate) fn invalid_token(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidToken, message)
}

fn typ_kind(typ: Option<&str>) -> Option<TokenKind> {
    let typ = typ.map(|t| t.to_ascii_lowercase());
    let typ = typ
        .as_deref()
        .map(|t| t.strip_prefix("application/").unwrap_or(t));
    match typ {
        None | Some("jwt" | "at+jwt") => Some(TokenKind::Access),
        Some(INVITATION_TYP) => Some(TokenKind::Invitation),
        Some(_) => None,
    }
}

/// The header of a token of three dot-separated parts.
fn header(token: &str) -> Result<RawHeader> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid_token("a JWT has three dot-separated parts"));
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(header_b64)
        .map_err(|_| invalid_token("the header is not base64url"))?;
    serde_json::from_slice(&header_json)
        .map_err(|e| invalid_token(format!("malformed header: {e}")))
}

/// The `kid` a token's header names (read as [`verify`] reads it), for a token already verified.
pub(crate) fn header_kid(token: &str) -> Option<String> {
    header(token).ok().and_then(|h| h.kid)
}

/// The time claims of a token type: `(exp, nbf, iat)`.
pub(crate) trait Timed {
    fn times(&self) -> (Option<i64>, Option<i64>, Option<i64>);
}

/// Verifies a token's header, key, algorithm and signature, and its time claims, then
/// deserialises its claims. Issuer/audience checks are the caller's (they differ per type).
pub(crate) fn verify<T: DeserializeOwned + Timed>(
    token: &str,
    keys: &KeySet,
    kind: TokenKind,
    opts: &VerifyOptions,
) -> Result<T> {
    ensure_crypto_provider();
    check_leeway(opts.leeway)?;
    if token.len() > MAX_TOKEN_BYTES {
        return Err(invalid_token(format!(
            "token is larger than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let header = header(token)?;
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(Error::new(
            ErrorCode::AlgorithmNotAllowed,
            "unsigned tokens (alg none) are never accepted",
        ));
    }
    if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() {
        return Err(invalid_token(
            "tokens that name their own key (jku, x5u, jwk) are refused",
        ));
    }
    if header.crit.is_some() {
        return Err(invalid_token("no critical header extension is supported"));
    }
    if typ_kind(header.typ.as_deref()) != Some(kind) {
        return Err(Error::new(
            ErrorCode::WrongTokenType,
            match kind {
                TokenKind::Access => "this is not an access token",
                TokenKind::Invitation => "this is not an invitation token",
            },
        ));
    }
    let key = keys.find(header.kid.as_deref())?;
    if header.alg.parse::<Algorithm>().ok() != Some(key.alg) {
        return Err(Error::new(
            ErrorCode::AlgorithmNotAllowed,
            format!(
                "the key is pinned to {:?}; the token says {}",
                key.alg,
                crate::role::truncate(&header.alg)
            ),
        ));
    }
    let mut validation = Validation::new(key.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    // Claims are deserialised straight from the payload bytes into a typed struct, so a
    // duplicated claim name is refused rather than silently resolved to one of its values.
    let data =
        jsonwebtoken::decode::<T>(token, &key.key, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                Error::new(ErrorCode::InvalidSignature, "the signature does not verify")
            }
            _ => invalid_token(format!("malformed token: {e}")),
        })?;
    check_times(data.claims.times(), opts)?;
    Ok(data.claims)
}

fn check_times(
    (exp, nbf, iat): (Option<i64>, Option<i64>, Option<i64>),
    opts: &VerifyOptions,
) -> Result<()> {
    let leeway = i64::try_from(opts.leeway).unwrap_or(0);
    let exp = exp.ok_or_else(|| invalid_token("the token has no exp"))?;
    if opts.now > exp.saturating_add(leeway) {
        return Err(Error::new(ErrorCode::TokenExpired, "the token has expired"));
    }
    let not_before = nbf.into_iter().chain(iat).max();
    if not_before.is_some_and(|nb| nb > opts.now.saturating_add(leeway)) {
        return Err(Error::new(
            ErrorCode::TokenNotYetValid,
            "the token is not valid yet",
        ));
    }
    Ok(())
}

/// Whether a session that authenticated at `authenticated_at` (unix seconds: a token's
/// [`OrgClaims::authenticated_at`](super::OrgClaims::authenticated_at), its `auth_time`) is still
/// good when its subject's tokens were revoked at `valid_after` (a password change, an SSO
/// taking an unproven account over): `token_revoked` when it authenticated before. Comparing the
/// authentication rather than the token's `iat` means a token minted from a revoked session (an
/// org switch made in the revocation's second, or any time before it) is revoked with it. A
/// login within the revocation's second stays good, as `auth_time` has no finer resolution;
/// `None` (never revoked) refuses nothing.
pub fn check_not_revoked(authenticated_at: i64, valid_after: Option<i64>) -> Result<()> {
    match valid_after {
        Some(after) if authenticated_at < after => Err(Error::new(
            ErrorCode::TokenRevoked,
            "the token was revoked (the password changed after its session authenticated)",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn check_issuer(iss: &str, opts: &VerifyOptions) -> Result<()> {
    if iss == opts.issuer {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidIssuer,
            "the token is from another issuer",
        ))
    }
}

pub(crate) fn sign<T: Serialize>(claims: &T, key: &super::SigningKey, typ: &str) -> Result<String> {
    let mut header = jsonwebtoken::Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    header.typ = Some(typ.to_owned());
    jsonwebtoken::encode(&header, claims, &key.key)
        .map_err(|e| Error::new(ErrorCode::InvalidKey, format!("signing failed: {e}")))
}

/// Extracts the token from an `Authorization` header value: `Bearer <token>` (scheme
/// case-insensitive, one space). Anything else is `unauthenticated`.
///
/// ```
/// assert_eq!(orgkit_core::token::parse_bearer("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
/// assert_eq!(orgkit_core::token::parse_bearer("Basic dXNlcg==").unwrap_err().code(), "unauthenticated");
/// ```
pub fn parse_bearer(header: &str) -> Result<&str> {
    let unauthenticated = || {
        Error::new(
            ErrorCode::Unauthenticated,
            "expected an Authorization: Bearer <token> header",
        )
    };
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(unauthenticated)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(unauthenticated());
    }
    Ok(token)
}
