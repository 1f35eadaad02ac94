//! Each view's schema (what `/openapi.json` documents) names exactly the fields its
//! serialisation writes, when every optional field is present.

use super::auth::{AcceptedInvitation, AccessToken, Discovery, Me, TokenOrganization};
use super::orgs::{ManagedOrg, TenantSettingsView, UserOrg};
use super::people::{AuditEntry, Invitation, InvitationCamel, ManagedMember, ManagedUser, UserMember};
use super::sso::{Connection, Domain, DomainCamel, OidcConfiguration, SsoConfiguration};
use crate::service::accept::Accepted;
use crate::service::tokens::IssuedToken;
use crate::store::audit::AuditRow;
use crate::store::connections::ConnectionRow;
use crate::store::domains::DomainRow;
use crate::store::invitations::InvitationRow;
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::users::UserRow;
use orgkit_core::Role;
use orgkit_core::login::{LoginMethod, LoginPlan};
use orgkit_core::settings::{Floors, SettingsLayer, TenantSettings};
use poem_openapi::registry::Registry;
use poem_openapi::types::Type;
use serde::Serialize;
use std::collections::BTreeSet;

/// The property names `T`'s schema documents, flattened fields included.
pub(crate) fn documented<T: Type>() -> BTreeSet<String> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let schema = registry.schemas.get(&*T::name()).unwrap_or_else(|| panic!("{} is not registered", T::name()));
    schema.properties.iter().map(|(name, _)| (*name).to_owned()).collect()
}

/// The keys `value` serialises to.
fn written<T: Serialize>(value: &T) -> BTreeSet<String> {
    match serde_json::to_value(value).expect("serialises") {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

fn same_fields<T: Type + Serialize>(value: T) {
    assert_eq!(documented::<T>(), written(&value), "{}", T::name());
}

fn layer() -> SettingsLayer {
    SettingsLayer {
        logo_url: Some("https://acme.test/logo.png".into()),
        session_ttl_hours: Some(8),
        ..Default::default()
    }
}

fn org() -> OrgRow {
    OrgRow {
        id: "org_1".into(),
        tenant_id: "t_1".into(),
        name: "Acme".into(),
        slug: "acme".into(),
        metadata: r#"{"plan":"pro"}"#.into(),
        settings: serde_json::to_string(&layer()).unwrap(),
        created_at: 1_700_000_000,
        updated_at: 1_700_000_100,
        custom_domain_by_operator: 0,
    }
}

fn tenant() -> TenantSettings {
    TenantSettings { defaults: layer(), floors: Floors::default(), allowed_redirect_urls: vec!["https://app.acme.test/".into()] }
}

fn user() -> UserRow {
    UserRow {
        id: "u_1".into(),
        tenant_id: "t_1".into(),
        email: "ada@acme.test".into(),
        name: Some("Ada".into()),
        password_hash: Some("$argon2id$…".into()),
        created_at: 1_700_000_000,
        tokens_valid_after: None,
        email_verified_at: Some(1_700_000_050),
    }
}

fn member() -> MemberRow {
    MemberRow { user_id: "u_1".into(), org_id: "org_1".into(), role: "admin".into(), email: "ada@acme.test".into(), name: Some("Ada".into()), created_at: 1_700_000_000 }
}

fn invitation() -> InvitationRow {
    InvitationRow {
        id: "inv_1".into(),
        org_id: "org_1".into(),
        email: "bob@acme.test".into(),
        role: "member".into(),
        token_hash: "00".into(),
        expires_at: 4_000_000_000,
        accepted_at: None,
        revoked_at: None,
        created_at: 1_700_000_000,
        resends: 0,
    }
}

fn domain(status: &str) -> DomainRow {
    DomainRow {
        id: "dom_1".into(),
        tenant_id: "t_1".into(),
        org_id: "org_1".into(),
        domain: "acme.test".into(),
        token: "q9Xv2mZ0bW1hY2hpbmUtdG9rZW4".into(),
        status: status.into(),
        proof: Some("dns".into()),
        verified_at: Some(1_700_000_000),
        created_at: 1_700_000_000,
    }
}

fn connection() -> ConnectionRow {
    ConnectionRow {
        id: "conn_1".into(),
        tenant_id: "t_1".into(),
        kind: "saml".into(),
        name: "Okta".into(),
        entity_id: "https://idp.acme.test".into(),
        sso_url: "https://idp.acme.test/sso".into(),
        certificate: String::new(),
        email_domains: r#"["acme.test"]"#.into(),
        created_at: 1_700_000_000,
        owner_org_id: Some("org_1".into()),
        groups_attribute: Some("groups".into()),
    }
}

fn token() -> IssuedToken {
    IssuedToken { token: "eyJ…".into(), expires_at: 1_700_003_600, lifetime_seconds: 3600 }
}

#[test]
fn organizations_and_settings() {
    same_fields(ManagedOrg::new(&tenant(), org()).unwrap());
    same_fields(UserOrg::new(&tenant(), org(), Some("owner")).unwrap());
    same_fields(TenantSettingsView::from(tenant()));
}

#[test]
fn people() {
    same_fields(ManagedUser::from(user()));
    same_fields(ManagedMember::from(member()));
    same_fields(UserMember::from(member()));
    same_fields(Invitation::new(invitation(), Some("https://orgkit.test/invitations/x".into()), 1_700_000_000));
    same_fields(InvitationCamel::new(invitation(), Some("https://orgkit.test/invitations/x".into()), 1_700_000_000));
    let entry = AuditRow {
        id: "a_1".into(),
        org_id: Some("org_1".into()),
        actor: "management_key".into(),
        action: "member.added".into(),
        target: Some("user:u_1".into()),
        created_at: 1_700_000_000,
        client_address: Some("192.0.2.1".into()),
        user_agent: Some("curl/8.5.0".into()),
    };
    same_fields(AuditEntry::from(entry.clone()));
    same_fields(super::people::AuditEntryCamel::from(entry));
}

#[test]
fn sso_and_domains() {
    same_fields(Connection::new(connection()).unwrap());
    same_fields(SsoConfiguration::new("https://orgkit.test", "org_1", connection()).unwrap());
    same_fields(OidcConfiguration::new("https://orgkit.test", "org_1", "client".into(), connection()).unwrap());
    same_fields(Domain::new(domain("pending")).unwrap());
    same_fields(DomainCamel::new(domain("pending")).unwrap());
}

#[test]
fn a_verified_domain_has_no_verification_and_invitations_no_link_unless_issued() {
    let verified = written(&Domain::new(domain("verified")).unwrap());
    assert!(!verified.contains("verification") && verified.contains("verified_by"));
    assert!(!written(&InvitationCamel::new(invitation(), None, 1_700_000_000)).contains("invitationUrl"));
}

#[test]
fn sessions() {
    same_fields(AccessToken::from(token()));
    let plan = LoginPlan { method: LoginMethod::Sso, connection_id: Some("conn_1".into()), mfa_required: true, locked: true, locked_until: Some(1_700_000_000), password_min_length: 12 };
    same_fields(Discovery::from(crate::service::discovery::Discovered { plan, login_url: Some("/saml/conn_1/login".into()) }));
    same_fields(Me {
        id: "u_1".into(),
        email: "ada@acme.test".into(),
        email_verified: true,
        name: None,
        tenant: "default".into(),
        organization: Some(TokenOrganization { id: "org_1".into(), slug: Some("acme".into()), role: Some("owner".into()) }),
        amr: vec!["pwd".into()],
        created_at: "2023-11-14T22:13:20Z".into(),
    });
}

#[test]
fn an_accepted_invitation_carries_a_token_or_why_not() {
    let accepted = |token| Accepted { org: org(), user: user(), role: Role::Member, token };
    let with_token = written(&AcceptedInvitation::new(accepted(Ok(token()))));
    let expected: BTreeSet<String> = ["organization", "userId", "email", "role", "accessToken", "tokenType", "expiresAt", "expiresIn"].map(String::from).into();
    assert_eq!(with_token, expected);
    let refused = AcceptedInvitation::new(accepted(Err(orgkit_core::Error::new(orgkit_core::ErrorCode::MfaRequired, "log in with MFA").into())));
    let without: BTreeSet<String> = ["organization", "userId", "email", "role", "tokenRefused"].map(String::from).into();
    assert_eq!(written(&refused), without);
    let all = documented::<AcceptedInvitation>();
    assert!(with_token.is_subset(&all) && without.is_subset(&all));
    let mut registry = Registry::new();
    AcceptedInvitation::register(&mut registry);
    let required = &registry.schemas["AcceptedInvitation"].required;
    assert_eq!(required, &["organization", "userId", "email", "role"], "the token's fields are there only sometimes");
}
