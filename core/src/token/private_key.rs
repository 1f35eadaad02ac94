//! Private keys from PEM: a PKCS#8 `PRIVATE KEY` (RSA, P-256 or Ed25519) or a PKCS#1
//! `RSA PRIVATE KEY`, checked against the algorithm it is to sign with before any signature is
//! made. Parsed with the `pem` and `pkcs8` crates, so that jsonwebtoken's own PEM support (and
//! the ASN.1 and date crates it brings into every build, wasm included) is not needed.

use crate::error::{Error, ErrorCode, Result};
use jsonwebtoken::{Algorithm, EncodingKey};
use pkcs8::ObjectIdentifier;

/// PKCS#1 `rsaEncryption`.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// RFC 5480 `id-ecPublicKey`.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// RFC 5480 `secp256r1` (P-256).
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// RFC 8410 `id-Ed25519`.
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

fn unusable(message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::InvalidKey,
        format!("unusable private key: {message}"),
    )
}

/// The signing key a PEM document holds for `alg` (RS256, ES256 or EdDSA); `invalid_key` when
/// the document is not PEM, not a private key, or a key of another type or curve.
pub(crate) fn from_pem(alg: Algorithm, text: &str) -> Result<EncodingKey> {
    let doc = pem::parse(text).map_err(unusable)?;
    let der = doc.contents();
    match (doc.tag(), alg) {
        // PKCS#1 holds an RSA key and nothing else.
        ("RSA PRIVATE KEY", Algorithm::RS256) => Ok(EncodingKey::from_rsa_der(der)),
        ("PRIVATE KEY", _) => {
            let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(unusable)?;
            let oid = info.algorithm.oid;
            let curve = info.algorithm.parameters_oid().ok();
            match alg {
                // jsonwebtoken signs RSA from the PKCS#1 key inside the PKCS#8 wrapper, EC and
                // Ed25519 from the whole PKCS#8 document.
                Algorithm::RS256 if oid == RSA_ENCRYPTION => {
                    Ok(EncodingKey::from_rsa_der(info.private_key))
                }
                Algorithm::ES256 if oid == EC_PUBLIC_KEY && curve == Some(P256) => {
                    Ok(EncodingKey::from_ec_der(der))
                }
                Algorithm::EdDSA if oid == ED25519 => Ok(EncodingKey::from_ed_der(der)),
                _ => Err(unusable(format!("not a {alg:?} private key"))),
            }
        }
        (tag, _) => Err(unusable(format!(
            "a {:?} PEM block is not a {alg:?} private key (expected PRIVATE KEY)",
            crate::role::truncate(tag)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC: &str = include_str!("../../../tests/vectors/keys/test-es256.private.pem");
    const ED: &str = include_str!("../../../tests/vectors/keys/test-eddsa.private.pem");
    const RSA: &str = include_str!("../../../tests/vectors/keys/test-rs256.private.pem");

    #[test]
    fn each_test_key_loads_for_its_algorithm_only() {
        let keys = [
            (EC, Algorithm::ES256),
            (ED, Algorithm::EdDSA),
            (RSA, Algorithm::RS256),
        ];
        for (pem, alg) in keys {
            for (_, other) in keys {
                assert_eq!(
                    from_pem(other, pem).is_ok(),
                    other == alg,
                    "{alg:?} key for {other:?}"
                );
            }
        }
    }

    #[test]
    fn other_documents_are_invalid_key() {
        let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
        let truncated = &EC[..EC.len() / 2];
        for (text, alg) in [
            ("", Algorithm::ES256),
            ("not pem", Algorithm::ES256),
            (public, Algorithm::EdDSA),
            (truncated, Algorithm::ES256),
            (RSA, Algorithm::HS256),
        ] {
            let err = from_pem(alg, text).err().map(|e| e.code);
            assert_eq!(err, Some(ErrorCode::InvalidKey), "{text:?}");
        }
    }
}
