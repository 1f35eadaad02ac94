//! Property tests for the laws the core promises.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: a panic is a failure report

use orgkit_core::settings::{SettingsLayer, SettingsPatch, TenantSettings, resolve};
use orgkit_core::token::{
    Authentication, ClaimsRequest, KeySet, OrgContext, OrgPolicy, Requirement, SigningKey,
    SigningKeySpec, VerifyOptions, build_org_claims, sign_org_claims, verify_org_token,
};
use orgkit_core::{Actor, Permission, Role, Target, can_change_role, can_grant, can_remove_member};
use proptest::prelude::*;
use serde_json::json;

fn layer() -> impl Strategy<Value = SettingsLayer> {
    (
        proptest::option::of(prop_oneof![
            Just("#0066cc".to_owned()),
            Just("#ffffff".to_owned())
        ]),
        proptest::option::of(8u32..=128),
        proptest::option::of(any::<bool>()),
        proptest::option::of(1u32..=720),
        proptest::option::of(1u32..=100),
    )
        .prop_map(
            |(
                primary_color,
                password_min_length,
                require_mfa,
                session_ttl_hours,
                max_login_attempts,
            )| SettingsLayer {
                primary_color,
                password_min_length,
                require_mfa,
                session_ttl_hours,
                max_login_attempts,
                ..SettingsLayer::default()
            },
        )
}

fn patch_json() -> impl Strategy<Value = serde_json::Value> {
    (
        prop_oneof![
            Just(None),
            Just(Some(json!(null))),
            (8u32..=128).prop_map(|n| Some(json!(n)))
        ],
        prop_oneof![
            Just(None),
            Just(Some(json!(null))),
            any::<bool>().prop_map(|b| Some(json!(b)))
        ],
        prop_oneof![
            Just(None),
            Just(Some(json!(null))),
            Just(Some(json!("#abcdef")))
        ],
    )
        .prop_map(|(len, mfa, color)| {
            let mut m = serde_json::Map::new();
            if let Some(v) = len {
                m.insert("password_min_length".into(), v);
            }
            if let Some(v) = mfa {
                m.insert("require_mfa".into(), v);
            }
            if let Some(v) = color {
                m.insert("primary_color".into(), v);
            }
            serde_json::Value::Object(m)
        })
}

proptest! {
    #[test]
    fn an_org_override_wins(tenant in layer(), org in layer()) {
        let t = TenantSettings { defaults: tenant, ..TenantSettings::default() };
        let eff = resolve(&t, &org);
        if let Some(v) = org.session_ttl_hours { prop_assert_eq!(eff.session_ttl_hours.value, v); }
        if let Some(v) = org.password_min_length { prop_assert_eq!(eff.password_min_length.value, v); }
        if let Some(v) = &org.primary_color { prop_assert_eq!(&eff.primary_color.value, v); }
    }

    #[test]
    fn null_restores_the_tenant_value(tenant in layer(), org in layer()) {
        let t = TenantSettings { defaults: tenant.clone(), ..TenantSettings::default() };
        let patch = SettingsPatch::from_json(&json!({"session_ttl_hours": null, "require_mfa": null})).unwrap();
        let eff = resolve(&t, &patch.apply(&org));
        prop_assert_eq!(eff.session_ttl_hours.value, tenant.session_ttl_hours.unwrap_or(24));
        prop_assert_eq!(eff.require_mfa.value, tenant.require_mfa.unwrap_or(false));
    }

    #[test]
    fn a_patch_applied_twice_equals_once(org in layer(), p in patch_json()) {
        let patch = SettingsPatch::from_json(&p).unwrap();
        let once = patch.apply(&org);
        prop_assert_eq!(patch.apply(&once), once);
    }
}

#[derive(Debug, Clone)]
enum RoleOp {
    Add {
        actor: usize,
        role: Role,
    },
    Change {
        actor: usize,
        target: usize,
        role: Role,
    },
    Remove {
        actor: usize,
        target: usize,
    },
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Viewer),
        Just(Role::Member),
        Just(Role::Admin),
        Just(Role::Owner)
    ]
}

fn role_op() -> impl Strategy<Value = RoleOp> {
    prop_oneof![
        (0usize..8, role()).prop_map(|(actor, role)| RoleOp::Add { actor, role }),
        (0usize..8, 0usize..8, role()).prop_map(|(actor, target, role)| RoleOp::Change {
            actor,
            target,
            role
        }),
        (0usize..8, 0usize..8).prop_map(|(actor, target)| RoleOp::Remove { actor, target }),
    ]
}

proptest! {
    /// No sequence of allowed operations leaves the org without an owner or lets anyone give
    /// a role above their own.
    #[test]
    fn role_operations_keep_an_owner_and_the_ceiling(ops in proptest::collection::vec(role_op(), 1..60), tenant_mix in any::<bool>()) {
        let mut members: Vec<(String, Role)> = vec![("u0".into(), Role::Owner)];
        let mut next = 1;
        for (i, op) in ops.into_iter().enumerate() {
            let owners = members.iter().filter(|(_, r)| *r == Role::Owner).count() as u64;
            let pick = |idx: usize| members.get(idx % members.len()).cloned();
            let as_actor = |m: &(String, Role)| if tenant_mix && i % 5 == 0 { Actor::Tenant } else { Actor::Member { user_id: m.0.clone(), role: m.1 } };
            match op {
                RoleOp::Add { actor, role } => {
                    let a = pick(actor).unwrap();
                    let actor = as_actor(&a);
                    if can_grant(&actor, Permission::MembersAdd, role).is_ok() {
                        if let Actor::Member { role: own, .. } = actor { prop_assert!(role <= own); }
                        members.push((format!("u{next}"), role));
                        next += 1;
                    }
                }
                RoleOp::Change { actor, target, role } => {
                    let (a, t) = (pick(actor).unwrap(), pick(target).unwrap());
                    let actor = as_actor(&a);
                    let tgt = Target { user_id: t.0.clone(), role: t.1 };
                    if can_change_role(&actor, &tgt, role, owners).is_ok() {
                        if let Actor::Member { role: own, .. } = actor { prop_assert!(role <= own); }
                        if let Some(m) = members.iter_mut().find(|m| m.0 == t.0) { m.1 = role; }
                    }
                }
                RoleOp::Remove { actor, target } => {
                    let (a, t) = (pick(actor).unwrap(), pick(target).unwrap());
                    let actor = as_actor(&a);
                    let tgt = Target { user_id: t.0.clone(), role: t.1 };
                    if can_remove_member(&actor, &tgt, owners).is_ok() {
                        members.retain(|m| m.0 != t.0);
                    }
                }
            }
            prop_assert!(members.iter().any(|(_, r)| *r == Role::Owner), "no owner left");
        }
    }
}

fn test_key() -> (SigningKey, KeySet) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys");
    let pem = std::fs::read_to_string(format!("{dir}/test-eddsa.private.pem")).unwrap();
    let key = SigningKey::from_spec(&SigningKeySpec {
        kid: "test-eddsa".into(),
        alg: "EdDSA".into(),
        pem: Some(pem),
        secret: None,
    })
    .unwrap();
    let jwks = std::fs::read_to_string(format!("{dir}/test-jwks.json")).unwrap();
    (key, KeySet::from_jwks_json(&jwks).unwrap())
}

fn claims_request(user: String, slug: String, role: Role, ttl: u32, now: i64) -> ClaimsRequest {
    ClaimsRequest {
        issuer: "https://auth.test.orgkit.dev".into(),
        audience: "orgkit".into(),
        user_id: user,
        email: Some("bob@hospital.com".into()),
        tenant_id: Some("t1".into()),
        org: Some(OrgContext {
            id: format!("org-{slug}"),
            slug,
            role,
        }),
        policy: OrgPolicy {
            require_mfa: false,
            session_ttl_hours: ttl,
            connections: vec![],
        },
        authentication: Authentication {
            amr: vec!["pwd".into()],
            ..Default::default()
        },
        jti: None,
        now,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn build_then_verify_returns_the_same_claims(user in "[a-z0-9-]{1,36}", slug in "[a-z0-9]{2,20}", role in role(), ttl in 1u32..=720, now in 1_600_000_000i64..2_000_000_000) {
        let (key, keys) = test_key();
        let claims = build_org_claims(&claims_request(user, slug, role, ttl, now)).unwrap();
        let token = sign_org_claims(&claims, &key).unwrap();
        let opts = VerifyOptions { issuer: claims.iss.clone(), audience: "orgkit".into(), leeway: 0, now };
        let verified = verify_org_token(&token, &keys, &opts, &Requirement::default()).unwrap();
        prop_assert_eq!(verified, claims);
    }

    #[test]
    fn changing_any_byte_of_a_token_makes_it_fail(pos in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let (key, keys) = test_key();
        let now = 1_800_000_000;
        let claims = build_org_claims(&claims_request("u1".into(), "acme".into(), Role::Admin, 8, now)).unwrap();
        let token = sign_org_claims(&claims, &key).unwrap();
        let mut bytes = token.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let opts = VerifyOptions { issuer: claims.iss.clone(), audience: "orgkit".into(), leeway: 0, now };
        if let Ok(tampered) = String::from_utf8(bytes) {
            let result = verify_org_token(&tampered, &keys, &opts, &Requirement::default());
            // A change that decodes to the same bytes (base64 padding bits of the last char) is
            // the same token; every other change must fail.
            if let Ok(v) = &result { prop_assert_eq!(v, &claims); prop_assert!(same_decoded(&token, &tampered)); }
        }
    }
}

fn same_decoded(a: &str, b: &str) -> bool {
    use base64::Engine;
    let dec = |t: &str| {
        t.split('.')
            .map(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .collect::<Vec<_>>()
    };
    dec(a) == dec(b)
}
