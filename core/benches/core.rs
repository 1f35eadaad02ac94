//! Verify + authorize against raw `jsonwebtoken::decode` of the same token (the floor), and
//! settings resolution. Run: `cargo bench -p orgkit-core --features aws_lc_rs --bench core`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)] // benchmark harness

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use orgkit_core::settings::{Floors, SettingsLayer, TenantSettings, resolve};
use orgkit_core::token::{
    Authentication, ClaimsRequest, KeySet, OrgClaims, OrgContext, OrgPolicy, Requirement,
    SigningKey, SigningKeySpec, VerifyOptions, build_org_claims, sign_org_claims, verify_org_token,
};
use orgkit_core::{Permission, Role};
use serde_json::Value;
use std::hint::black_box;

const NOW: i64 = 1_800_000_000;
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys");

fn token(alg: &str, kid: &str) -> String {
    let pem = std::fs::read_to_string(format!("{KEYS}/{kid}.private.pem")).unwrap();
    let key = SigningKey::from_spec(&SigningKeySpec {
        kid: kid.into(),
        alg: alg.into(),
        pem: Some(pem),
        secret: None,
    })
    .unwrap();
    let claims = build_org_claims(&ClaimsRequest {
        issuer: "https://auth.test.orgkit.dev".into(),
        audience: "orgkit".into(),
        user_id: "0190a5c4-0000-7000-8000-000000000001".into(),
        email: Some("bob@hospital.com".into()),
        tenant_id: Some("0190a5c4-aaaa-7000-8000-00000000000a".into()),
        org: Some(OrgContext {
            id: "0190a5c4-7e1f-7d2a-9b3c-4d5e6f708192".into(),
            slug: "cardiology".into(),
            role: Role::Admin,
        }),
        policy: OrgPolicy {
            require_mfa: false,
            session_ttl_hours: 8,
            connections: vec![],
        },
        authentication: Authentication {
            amr: vec!["pwd".into()],
            connection_id: None,
            auth_time: None,
        },
        jti: Some("bench".into()),
        now: NOW,
    })
    .unwrap();
    sign_org_claims(&claims, &key).unwrap()
}

fn verify(c: &mut Criterion) {
    let jwks_text = std::fs::read_to_string(format!("{KEYS}/test-jwks.json")).unwrap();
    let jwks: Value = serde_json::from_str(&jwks_text).unwrap();
    let keys = KeySet::from_jwks(&jwks).unwrap();
    let opts = VerifyOptions {
        issuer: "https://auth.test.orgkit.dev".into(),
        audience: "orgkit".into(),
        leeway: 30,
        now: NOW,
    };
    let req = Requirement {
        org: Some("cardiology".into()),
        role: Some(Role::Member),
        permission: Some(Permission::MembersRead),
    };
    for (alg, kid, index, algorithm) in [
        ("EdDSA", "test-eddsa", 2, Algorithm::EdDSA),
        ("ES256", "test-es256", 1, Algorithm::ES256),
        ("RS256", "test-rs256", 0, Algorithm::RS256),
    ] {
        let token = token(alg, kid);
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(jwks["keys"][index].clone()).unwrap();
        let raw_key = DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let mut group = c.benchmark_group(format!("verify/{alg}"));
        group.bench_function("floor: jsonwebtoken::decode", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<OrgClaims>(black_box(&token), &raw_key, &validation).unwrap()
            })
        });
        group.bench_function("orgkit: verify_org_token + require", |b| {
            b.iter(|| verify_org_token(black_box(&token), &keys, &opts, &req).unwrap())
        });
        group.finish();
    }
}

fn settings(c: &mut Criterion) {
    let tenant = TenantSettings {
        defaults: SettingsLayer {
            logo_url: Some("https://cdn.acme.com/logo.png".into()),
            primary_color: Some("#111111".into()),
            session_ttl_hours: Some(12),
            password_min_length: Some(10),
            ..SettingsLayer::default()
        },
        floors: Floors {
            password_min_length: Some(10),
            require_mfa: Some(true),
            max_login_attempts: Some(5),
            ..Floors::default()
        },
        ..TenantSettings::default()
    };
    let org = SettingsLayer {
        primary_color: Some("#0066cc".into()),
        welcome_text: Some("Cardiology Portal".into()),
        custom_domain: Some("auth.cardiology.hospital.com".into()),
        password_min_length: Some(12),
        session_ttl_hours: Some(8),
        max_login_attempts: Some(3),
        ..SettingsLayer::default()
    };
    c.bench_function("settings/resolve (tenant + org + floors)", |b| {
        b.iter(|| resolve(black_box(&tenant), black_box(&org)))
    });
}

criterion_group!(benches, verify, settings);
criterion_main!(benches);
