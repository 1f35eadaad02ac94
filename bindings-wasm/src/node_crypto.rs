//! jsonwebtoken's crypto provider for the package's nodejs build: signatures are made and checked
//! by `node:crypto` (OpenSSL, `js/node_crypto.js`) instead of RustCrypto compiled to wasm, which
//! makes a fresh token's verification several times faster and the module smaller. Only the
//! primitives move: which key verifies which token, and every other rule, is core's.
//!
//! Built with `--no-default-features --features node_crypto`; the web build keeps RustCrypto,
//! because a worker runtime has no synchronous WebCrypto.

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind, Result};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/node_crypto.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = nodeCheckPublicKey)]
    fn check_public_key(alg: &str, a: &[u8], b: &[u8]) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(js_name = nodeVerify)]
    fn verify(alg: &str, a: &[u8], b: &[u8], message: &[u8], signature: &[u8]) -> bool;
    #[wasm_bindgen(catch, js_name = nodeCheckPrivateKey)]
    fn check_private_key(alg: &str, der: &[u8]) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = nodeSign)]
    fn sign(alg: &str, der: &[u8], message: &[u8]) -> std::result::Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(catch, js_name = nodePublicJwk)]
    fn public_jwk(alg: &str, der: &[u8]) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = nodeDigest)]
    fn digest(hash: &str, data: &[u8]) -> Vec<u8>;
}

/// The provider; installed once, when the module is instantiated.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key,
        rsa_pub_components_from_public_key,
        ec_pub_components_from_private_key,
        ed_pub_components_from_private_key,
        compute_digest,
    },
};

/// Makes node:crypto jsonwebtoken's provider for this module instance.
pub fn install() {
    // A second install (a re-run start function) keeps the first, which is this same provider.
    let _ = PROVIDER.install_default();
}

fn name(alg: Algorithm) -> String {
    format!("{alg:?}")
}

fn key_error(alg: Algorithm, thrown: &JsValue) -> Error {
    let why = thrown
        .dyn_ref::<js_sys::Error>()
        .map_or_else(|| String::from("unusable key"), |e| String::from(e.message()));
    match alg.family() {
        AlgorithmFamily::Ec => ErrorKind::InvalidEcdsaKey.into(),
        AlgorithmFamily::Ed => ErrorKind::InvalidEddsaKey.into(),
        AlgorithmFamily::Rsa => ErrorKind::InvalidRsaKey(why).into(),
        AlgorithmFamily::Hmac => ErrorKind::InvalidKeyFormat.into(),
    }
}

/// Checks a signature with node:crypto.
struct NodeVerifier {
    alg: Algorithm,
    a: Vec<u8>,
    b: Vec<u8>,
}

impl Verifier<Vec<u8>> for NodeVerifier {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        if verify(&name(self.alg), &self.a, &self.b, msg, sig) {
            Ok(())
        } else {
            Err(signature::Error::new())
        }
    }
}

impl JwtVerifier for NodeVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    let alg = *alg;
    if key.family() != alg.family() {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let (a, b) = match key.kind() {
        DecodingKeyKind::SecretOrDer(bytes) => (bytes.clone(), Vec::new()),
        DecodingKeyKind::RsaModulusExponent { n, e } => (n.clone(), e.clone()),
    };
    // EC and Ed25519 keys are parsed when the verifier is made (as RustCrypto does), so a
    // malformed one is a key error; an RSA key is only parsed when it verifies.
    if matches!(alg.family(), AlgorithmFamily::Ec | AlgorithmFamily::Ed) {
        check_public_key(&name(alg), &a, &b).map_err(|e| key_error(alg, &e))?;
    }
    Ok(Box::new(NodeVerifier { alg, a, b }))
}

/// Signs with node:crypto.
struct NodeSigner {
    alg: Algorithm,
    der: Vec<u8>,
}

impl Signer<Vec<u8>> for NodeSigner {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        sign(&name(self.alg), &self.der, msg).map_err(|_| signature::Error::new())
    }
}

impl JwtSigner for NodeSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    let alg = *alg;
    if key.family() != alg.family() {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let der = key.as_bytes().to_vec();
    if alg.family() != AlgorithmFamily::Hmac {
        check_private_key(&name(alg), &der).map_err(|e| key_error(alg, &e))?;
    }
    Ok(Box::new(NodeSigner { alg, der }))
}

/// One base64url member of the public JWK of a private key.
fn jwk_member(jwk: &JsValue, member: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    let text = js_sys::Reflect::get(jwk, &JsValue::from_str(member))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(ErrorKind::InvalidKeyFormat)?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

fn private_key_jwk(alg: Algorithm, der: &[u8]) -> Result<JsValue> {
    public_jwk(&name(alg), der).map_err(|e| key_error(alg, &e))
}

fn rsa_pub_components_from_private_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let jwk = private_key_jwk(Algorithm::RS256, der)?;
    Ok((jwk_member(&jwk, "n")?, jwk_member(&jwk, "e")?))
}

fn rsa_pub_components_from_public_key(_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    // Only reached from `Jwk::from_decoding_key` on a DER RSA key, which core never builds.
    Err(ErrorKind::InvalidKeyFormat.into())
}

fn ec_pub_components_from_private_key(
    der: &[u8],
    alg: Algorithm,
) -> Result<(EllipticCurve, Vec<u8>, Vec<u8>)> {
    let curve = match alg {
        Algorithm::ES256 => EllipticCurve::P256,
        Algorithm::ES384 => EllipticCurve::P384,
        _ => return Err(ErrorKind::InvalidAlgorithm.into()),
    };
    let jwk = private_key_jwk(alg, der)?;
    Ok((curve, jwk_member(&jwk, "x")?, jwk_member(&jwk, "y")?))
}

fn ed_pub_components_from_private_key(der: &[u8], curve: &EllipticCurve) -> Result<Vec<u8>> {
    if *curve != EllipticCurve::Ed25519 {
        return Err(ErrorKind::InvalidEddsaKey.into());
    }
    jwk_member(&private_key_jwk(Algorithm::EdDSA, der)?, "x")
}

fn compute_digest(data: &[u8], hash: ThumbprintHash) -> Result<Vec<u8>> {
    let hash = match hash {
        ThumbprintHash::SHA256 => "sha256",
        ThumbprintHash::SHA384 => "sha384",
        ThumbprintHash::SHA512 => "sha512",
        _ => return Err(ErrorKind::InvalidAlgorithm.into()),
    };
    Ok(digest(hash, data))
}
