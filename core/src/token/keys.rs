//! Key material: verification key sets built from a JWKS, and signing keys.
//!
//! Every verification key is pinned to exactly one algorithm, taken from its JWK `alg` or
//! derived from its type and curve. A token is only ever checked with the algorithm its key is
//! pinned to, which closes the "HS256 signed with the RSA public key" and `alg: none` attacks.

use super::private_key;
use crate::error::{Error, ErrorCode, Result};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most keys a key set may hold.
pub const MAX_KEYS: usize = 64;

fn invalid_key(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidKey, message)
}

/// Selects jsonwebtoken's crypto backend once per process: aws-lc-rs when compiled in (native
/// hosts), RustCrypto otherwise (wasm). Without this, a build with both features panics.
pub(crate) fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(feature = "aws_lc_rs")]
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
        #[cfg(all(feature = "rust_crypto", not(feature = "aws_lc_rs")))]
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    });
}

/// A public key pinned to one algorithm.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Algorithm,
    pub(crate) key: DecodingKey,
    /// SHA-256 of the pinned algorithm and the key as given (the JWK's JSON, an HMAC secret):
    /// equal digests verify the same signatures, so a new key set can tell an unchanged key
    /// from one replaced under its `kid`.
    digest: [u8; 32],
}

/// The digest of a key: its pinned algorithm, then the key as given.
fn key_digest(alg: Algorithm, material: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    let mut input = format!("{alg:?}\0").into_bytes();
    input.extend_from_slice(material);
    sha2::Sha256::digest(&input).into()
}

/// The key of a set that verified a token: the `kid` the token named (none: the set's only key)
/// and the key's digest. See [`KeySet::still_picks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyUse {
    kid: Option<String>,
    digest: [u8; 32],
}

/// How long a retired signing key stays published in a JWKS, in seconds: the longest lifetime
/// of any token it may have signed (an access token at the longest session setting, or an
/// invitation), so no token that is still valid stops verifying.
///
/// ```
/// use orgkit_core::token::{INVITATION_MAX_TTL_SECONDS, RETIRED_KEY_PUBLISH_SECONDS};
/// assert_eq!(RETIRED_KEY_PUBLISH_SECONDS, 720 * 3600);
/// assert!(RETIRED_KEY_PUBLISH_SECONDS >= INVITATION_MAX_TTL_SECONDS);
/// ```
pub const RETIRED_KEY_PUBLISH_SECONDS: i64 = {
    let session = *crate::settings::SESSION_TTL_HOURS_RANGE.end() as i64 * 3600;
    let invitation = super::INVITATION_MAX_TTL_SECONDS;
    if session > invitation { session } else { invitation }
};

/// The keys a verifier trusts, usually the issuer's JWKS.
#[derive(Clone)]
pub struct KeySet {
    keys: Vec<VerificationKey>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (&k.kid, k.alg)))
            .finish()
    }
}

fn pinned_algorithm(jwk: &Jwk) -> Result<Algorithm> {
    let derived = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => {
                return Err(invalid_key(
                    "unsupported elliptic curve (use P-256 or P-384)",
                ));
            }
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err(invalid_key(
                "a public key set cannot hold HMAC (oct) keys; use KeySet::shared_secret",
            ));
        }
        _ => return Err(invalid_key("unsupported key type")),
    };
    let Some(declared) = jwk.common.key_algorithm else {
        return Ok(derived);
    };
    let declared = match declared {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => {
            return Err(invalid_key(
                "the key's alg is not a signature algorithm orgkit accepts",
            ));
        }
    };
    let family_ok = jsonwebtoken::DecodingKey::from_jwk(jwk)
        .map(|k| k.family() == declared.family())
        .unwrap_or(false);
    let curve_ok = !matches!(derived, Algorithm::ES256 | Algorithm::ES384) || declared == derived;
    if family_ok && curve_ok {
        Ok(declared)
    } else {
        Err(invalid_key("the key's alg does not match its type"))
    }
}

/// Smallest and largest RSA modulus accepted, in bits: below 2048 is breakable, above 4096 is
/// more than any issuer uses and more than every crypto backend orgkit runs on verifies.
const RSA_MODULUS_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// Decodes base64url key material (padding tolerated); `what` names it in the error.
fn base64url(text: &str, what: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| invalid_key(format!("{what} is not base64url")))
}

/// Refuses key material of the wrong size, whatever the crypto backend would make of it: an
/// Ed25519 key is 32 bytes, a P-256/P-384 coordinate 32/48 bytes, an RSA modulus 2048–4096 bits
/// with an odd exponent of at most 64 bits.
fn check_key_size(jwk: &Jwk) -> Result<()> {
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) => match base64url(&p.x, "the JWK's x")?.len() {
            32 => Ok(()),
            _ => Err(invalid_key("an Ed25519 public key is 32 bytes")),
        },
        AlgorithmParameters::EllipticCurve(p) => {
            let size = if p.curve == EllipticCurve::P384 {
                48
            } else {
                32
            };
            if base64url(&p.x, "the JWK's x")?.len() == size
                && base64url(&p.y, "the JWK's y")?.len() == size
            {
                Ok(())
            } else {
                Err(invalid_key(format!(
                    "each coordinate of a {:?} key is {size} bytes",
                    p.curve
                )))
            }
        }
        AlgorithmParameters::RSA(p) => check_rsa_size(&p.n, &p.e),
        _ => Ok(()),
    }
}

fn check_rsa_size(n: &str, e: &str) -> Result<()> {
    let n = base64url(n, "the JWK's n")?;
    let mut n = n.iter().skip_while(|&&b| b == 0);
    let bits = n
        .next()
        .map_or(0, |&top| 8 - top.leading_zeros() as usize + 8 * n.count());
    if !RSA_MODULUS_BITS.contains(&bits) {
        return Err(invalid_key(format!(
            "an RSA modulus of {bits} bits (accepted: {}–{})",
            RSA_MODULUS_BITS.start(),
            RSA_MODULUS_BITS.end()
        )));
    }
    let e: Vec<u8> = base64url(e, "the JWK's e")?
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let odd = e.last().is_some_and(|b| b % 2 == 1);
    if e.len() > 8 || !odd || e == [1] {
        return Err(invalid_key(
            "an RSA exponent is odd, above 1 and at most 64 bits",
        ));
    }
    Ok(())
}

impl KeySet {
    /// Builds a key set from a JWKS document (`{"keys": [...]}`) given as JSON text.
    pub fn from_jwks_json(json: &str) -> Result<KeySet> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| invalid_key(format!("JWKS is not JSON: {e}")))?;
        KeySet::from_jwks(&value)
    }

    /// Builds a key set from a JWKS document. Keys marked `"use": "enc"` are skipped; an `oct`
    /// (HMAC) key, a key of unknown type, a malformed key, key material of the wrong size (an
    /// RSA modulus outside 2048–4096 bits, for one), a duplicate `kid` or an empty set is refused with `invalid_key`.
    pub fn from_jwks(jwks: &Value) -> Result<KeySet> {
        ensure_crypto_provider();
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_key("a JWKS is an object with a \"keys\" array"))?;
        if keys.len() > MAX_KEYS {
            return Err(invalid_key(format!(
                "a JWKS may hold at most {MAX_KEYS} keys"
            )));
        }
        let mut set = Vec::with_capacity(keys.len());
        for raw in keys {
            let jwk: Jwk = serde_json::from_value(raw.clone())
                .map_err(|e| invalid_key(format!("malformed JWK: {e}")))?;
            if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
                continue;
            }
            let alg = pinned_algorithm(&jwk)?;
            check_key_size(&jwk)?;
            let key = DecodingKey::from_jwk(&jwk)
                .map_err(|e| invalid_key(format!("malformed JWK: {e}")))?;
            let kid = jwk.common.key_id.clone();
            if kid.is_some() && set.iter().any(|k: &VerificationKey| k.kid == kid) {
                return Err(invalid_key("duplicate kid in JWKS"));
            }
            // The JWK as JSON text (serde_json's maps keep one key order): a key whose members
            // all stay the same is the same key; any other change counts as a new key.
            let text = serde_json::to_vec(raw).map_err(|e| invalid_key(e.to_string()))?;
            let digest = key_digest(alg, &text);
            set.push(VerificationKey {
                kid,
                alg,
                key,
                digest,
            });
        }
        if set.is_empty() {
            return Err(invalid_key("the JWKS holds no signature key"));
        }
        Ok(KeySet { keys: set })
    }

    /// A key set of one HMAC (HS256) shared secret, for deployments that chose symmetric
    /// tokens explicitly. The secret must be at least 32 bytes.
    pub fn shared_secret(kid: Option<String>, secret: &[u8]) -> Result<KeySet> {
        ensure_crypto_provider();
        if secret.len() < 32 {
            return Err(invalid_key("an HS256 secret must be at least 32 bytes"));
        }
        Ok(KeySet {
            keys: vec![VerificationKey {
                kid,
                alg: Algorithm::HS256,
                key: DecodingKey::from_secret(secret),
                digest: key_digest(Algorithm::HS256, secret),
            }],
        })
    }

    /// The key a token names. Without a `kid`, a set of exactly one key answers with it.
    pub(crate) fn find(&self, kid: Option<&str>) -> Result<&VerificationKey> {
        let found = match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        };
        found.ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownKey,
                "the token's key id is not in the key set",
            )
        })
    }

    /// Which key verifies the tokens that name `kid`, when the set has one for it.
    pub(crate) fn key_use(&self, kid: Option<&str>) -> Option<KeyUse> {
        self.find(kid).ok().map(|key| KeyUse {
            kid: kid.map(str::to_owned),
            digest: key.digest,
        })
    }

    /// Whether this set would verify a token with the same key as `used` did: the token's
    /// `kid` still finds a key here (without a `kid`, this set's only key), and it is the same
    /// algorithm and material. A verification made with such a key would come out the same.
    pub(crate) fn still_picks(&self, used: &KeyUse) -> bool {
        self.find(used.kid.as_deref())
            .is_ok_and(|key| key.digest == used.digest)
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty (never true for a set built by this crate).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// How a signing key is given across an FFI or in a vector.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SigningKeySpec {
    /// Key id, written in every token's header.
    pub kid: String,
    /// `RS256`, `ES256`, `EdDSA` or `HS256`.
    #[cfg_attr(
        feature = "ts",
        tsify(type = "\"RS256\" | \"ES256\" | \"EdDSA\" | \"HS256\"")
    )]
    pub alg: String,
    /// PKCS#8 PEM private key (RSA, P-256 or Ed25519); an RSA key may also be PKCS#1.
    #[serde(default)]
    pub pem: Option<String>,
    /// HS256 shared secret as base64url, only with `alg: "HS256"`.
    #[serde(default)]
    pub secret: Option<String>,
}

/// A private key that signs tokens, with its `kid` and algorithm.
#[derive(Clone)]
pub struct SigningKey {
    pub(crate) kid: String,
    pub(crate) alg: Algorithm,
    pub(crate) key: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Builds a signing key from its spec. RS256, ES256 and EdDSA take a PKCS#8 PEM; HS256
    /// takes a base64url secret of at least 32 bytes.
    pub fn from_spec(spec: &SigningKeySpec) -> Result<SigningKey> {
        ensure_crypto_provider();
        if spec.kid.is_empty() || spec.kid.len() > 128 {
            return Err(invalid_key("kid must be 1-128 characters"));
        }
        let (alg, key) = match spec.alg.as_str() {
            "HS256" => {
                let secret = spec
                    .secret
                    .as_deref()
                    .ok_or_else(|| invalid_key("HS256 needs a secret"))?;
                let bytes = base64url(secret, "an HS256 secret")?;
                if bytes.len() < 32 {
                    return Err(invalid_key("an HS256 secret must be at least 32 bytes"));
                }
                (Algorithm::HS256, EncodingKey::from_secret(&bytes))
            }
            name => {
                let alg = match name {
                    "RS256" => Algorithm::RS256,
                    "ES256" => Algorithm::ES256,
                    "EdDSA" => Algorithm::EdDSA,
                    other => {
                        return Err(invalid_key(format!(
                            "unsupported signing algorithm {:?}",
                            crate::role::truncate(other)
                        )));
                    }
                };
                let pem = spec
                    .pem
                    .as_deref()
                    .ok_or_else(|| invalid_key("this algorithm needs a pem"))?;
                (alg, private_key::from_pem(alg, pem)?)
            }
        };
        Ok(SigningKey {
            kid: spec.kid.clone(),
            alg,
            key,
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half as a JWK (`kid`, `alg`, `use: "sig"`), for a JWKS. HS256 keys have no
    /// public half and are refused.
    pub fn public_jwk(&self) -> Result<Value> {
        if self.alg == Algorithm::HS256 {
            return Err(invalid_key("an HMAC secret has no public JWK"));
        }
        let mut jwk =
            Jwk::from_encoding_key(&self.key, self.alg).map_err(|e| invalid_key(e.to_string()))?;
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        serde_json::to_value(&jwk).map_err(|e| invalid_key(e.to_string()))
    }
}
