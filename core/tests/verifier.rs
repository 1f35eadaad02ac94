//! A long-lived verifier's view of tokens: verify once with a profile, answer each request.
#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failure report

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use orgkit_core::Role;
use orgkit_core::token::{
    Answer, ClaimProfile, KeySet, Lookup, ProfileConfig, Requirement, VerifiedToken, Verifier,
    VerifierConfig, VerifyOptions, verify_token,
};
use serde_json::{Value, json};

const SECRET: &[u8] = b"orgkit-test-hs256-secret-0123456789abcdef";
const NOW: i64 = 1_800_000_000;

fn sign(claims: &Value) -> String {
    // Core selects jsonwebtoken's crypto provider on first use; this signs through jsonwebtoken
    // directly, so let core choose first (a workspace build links both backends).
    keys();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-hs".into());
    encode(&header, claims, &EncodingKey::from_secret(SECRET)).unwrap()
}

fn opts() -> VerifyOptions {
    VerifyOptions {
        issuer: "https://idp.test".into(),
        audience: "api".into(),
        leeway: 0,
        now: NOW,
    }
}

fn keys() -> KeySet {
    KeySet::shared_secret(Some("test-hs".into()), SECRET).unwrap()
}

fn config(profile: ClaimProfile) -> ProfileConfig {
    ProfileConfig {
        profile,
        role_map: Default::default(),
    }
}

fn org(org: &str) -> Requirement {
    Requirement {
        org: Some(org.into()),
        ..Requirement::default()
    }
}

#[test]
fn a_keycloak_token_answers_for_the_org_each_request_names() {
    let token = sign(&json!({
        "iss": "https://idp.test", "aud": "api", "sub": "u1", "exp": NOW + 60,
        "organization": { "acme": { "id": "a-1" }, "globex": { "id": "g-2" } },
    }));
    let config = config(ClaimProfile::Keycloak {});
    let verified = verify_token(&token, &keys(), &opts(), &config).unwrap();
    assert!(matches!(verified, VerifiedToken::PerRequest(_)));
    assert_eq!(verified.exp(), NOW + 60);
    for (wanted, id) in [("acme", "a-1"), ("g-2", "g-2")] {
        let Answer::ForRequest(claims) = verified.authorize(&config, &org(wanted)).unwrap() else {
            panic!("a Keycloak answer is per request");
        };
        assert_eq!(claims.org_id.as_deref(), Some(id));
    }
    let err = verified.authorize(&config, &org("initech")).unwrap_err();
    assert_eq!(err.code(), "org_mismatch");
}

#[test]
fn a_provider_token_is_mapped_once_and_required_per_request() {
    let token = sign(&json!({
        "iss": "https://idp.test", "aud": "api", "sub": "u1", "exp": NOW + 60,
        "org_id": "org_01", "role": "member", "permissions": ["widgets:read"],
    }));
    let config = config(ClaimProfile::Workos {});
    let verified = verify_token(&token, &keys(), &opts(), &config).unwrap();
    let answer = verified.authorize(&config, &org("org_01")).unwrap();
    assert!(answer.is_per_token());
    let Answer::Profiled(claims) = answer else {
        panic!("a WorkOS answer is per token");
    };
    assert_eq!(claims.org_role, Some(Role::Member));
    let admin = Requirement {
        role: Some(Role::Admin),
        ..Requirement::default()
    };
    assert_eq!(
        verified.authorize(&config, &admin).unwrap_err().code(),
        "insufficient_role"
    );
}

#[test]
fn the_orgkit_profile_answers_orgkit_claims() {
    let token = sign(&json!({
        "iss": "https://idp.test", "aud": "api", "sub": "u1", "iat": NOW, "exp": NOW + 60,
        "org_id": "o1", "org_slug": "acme", "org_role": "admin",
    }));
    let config = config(ClaimProfile::Orgkit {});
    let verified = verify_token(&token, &keys(), &opts(), &config).unwrap();
    let Answer::Orgkit(claims) = verified.authorize(&config, &org("acme")).unwrap() else {
        panic!("orgkit tokens answer orgkit claims");
    };
    assert_eq!(claims.org_role, Some(Role::Admin));
}

#[test]
fn a_custom_pointer_without_a_slash_is_refused_not_read_as_no_org() {
    let token = sign(&json!({ "iss": "https://idp.test", "aud": "api", "exp": NOW + 60 }));
    let config = config(ClaimProfile::Custom {
        org_id: "org".into(),
        org_slug: None,
        role: None,
        permissions: None,
    });
    let err = verify_token(&token, &keys(), &opts(), &config).unwrap_err();
    assert_eq!(err.code(), "invalid_request");
}

fn verifier_config(profile: &str) -> VerifierConfig {
    VerifierConfig::from_json(
        json!({"issuer": "https://idp.test", "audience": "api", "profile": profile}),
    )
    .unwrap()
}

#[test]
fn a_verification_begun_under_replaced_keys_is_answered_but_not_remembered() {
    let token = sign(&json!({
        "iss": "https://idp.test", "aud": "api", "sub": "u1", "iat": NOW, "exp": NOW + 60,
        "org_id": "o1", "org_slug": "acme", "org_role": "admin",
    }));
    let mut verifier: Verifier = Verifier::new(verifier_config("orgkit"), keys()).unwrap();
    let Lookup::Miss(pending) = verifier.lookup(&token, NOW) else {
        panic!("nothing is remembered yet");
    };
    let checked = pending.run().unwrap();
    // Another thread replaced the keys while this one checked the signature.
    verifier.replace_keys(keys());
    let remembered = verifier.remember(&pending, checked, ());
    assert!(remembered.authorize(&org("acme")).is_ok());
    assert_eq!(verifier.cached_tokens(), 0);
    // The next verification runs under the new keys and is remembered.
    verifier.verify(&token, NOW).unwrap();
    assert_eq!(verifier.cached_tokens(), 1);
    assert!(matches!(verifier.lookup(&token, NOW + 1), Lookup::Hit(_)));
}

#[test]
fn each_remembered_token_carries_the_hosts_memo() {
    let token = sign(&json!({
        "iss": "https://idp.test", "aud": "api", "sub": "u1", "exp": NOW + 60,
        "org_id": "org_01", "role": "member",
    }));
    let mut verifier: Verifier<std::cell::OnceCell<String>> =
        Verifier::new(verifier_config("workos"), keys()).unwrap();
    let first = verifier.verify(&token, NOW).unwrap();
    first.memo().set("converted once".to_owned()).unwrap();
    let again = verifier.verify(&token, NOW + 1).unwrap();
    assert_eq!(
        again.memo().get().map(String::as_str),
        Some("converted once")
    );
    assert!(again.authorize(&org("org_01")).unwrap().is_per_token());
}
