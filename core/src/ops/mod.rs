//! Every core operation as `name + JSON input → JSON output | Error`.
//!
//! This is the one FFI surface (Cedar's habit): the WASM and Python bindings call
//! [`call`] or [`call_json`], and the shared vectors in `tests/vectors` are run through them in
//! every runtime, so the three cannot disagree. Inputs and outputs are the records of [`io`],
//! read with `deny_unknown_fields`; the table below names each operation's pair, and with the
//! `ts` feature the same table becomes the TypeScript `Operations` interface.

pub mod io;

use crate::connection::{OidcConnection, SamlConnection};
use crate::directory;
use crate::domain::{self, DomainChallenge, VerificationFacts};
use crate::event::{self, AfterFailure};
use crate::error::{Error, ErrorCode, Result};
use crate::login::{
    self, LockoutPolicy, LockoutState, LoginPlan, LoginQuery, PasswordLoginFacts, SsoLoginFacts,
    SsoLoginPlan, StepUpFacts, TotpEnrolment,
};
use crate::membership;
use crate::portal;
use crate::organization::{create_organization, patch_organization};
use crate::role::Role;
use crate::settings::{
    EffectiveSettings, SettingsLayer, SettingsPatch, check_default_connection, resolve,
};
use crate::token::{
    self, ClaimsRequest, IdTokenIdentity, InvitationClaims, KeySet, OrgClaims, ProfiledClaims, SigningKey,
};
use io::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Declares the operation table: `name(Input) -> Output = function;`.
macro_rules! operations {
    ($( $name:ident ( $input:ty ) -> $output:ty = $run:expr; )*) => {
        /// Every operation name [`call`] accepts.
        pub const OPERATIONS: &[&str] = &[$( stringify!($name) ),*];

        /// Runs operation `name` on a JSON value.
        ///
        /// ```
        /// let out = orgkit_core::ops::call("normalize_slug", serde_json::json!({"name": "Acme Corp"})).unwrap();
        /// assert_eq!(out, serde_json::json!({"slug": "acme-corp"}));
        /// ```
        pub fn call(name: &str, input: Value) -> Result<Value> {
            match name {
                $( stringify!($name) => to_value(&run::<$input, $output>(parse_input(input)?, $run)?), )*
                _ => Err(unknown_operation(name)),
            }
        }

        /// Runs operation `name` on JSON text and answers JSON text: the same operation as
        /// [`call`], read straight from the text (no intermediate `Value`), which is what keeps
        /// the WASM module small.
        ///
        /// ```
        /// let out = orgkit_core::ops::call_json("normalize_slug", r#"{"name": "Acme Corp"}"#).unwrap();
        /// assert_eq!(out, r#"{"slug":"acme-corp"}"#);
        /// ```
        pub fn call_json(name: &str, input: &str) -> Result<String> {
            match name {
                $( stringify!($name) => to_text(&run::<$input, $output>(parse_input_text(input)?, $run)?), )*
                _ => Err(unknown_operation(name)),
            }
        }

        /// The TypeScript `Operations` interface: each operation's input and output type, by
        /// name (the types themselves are declared by their `tsify` derives).
        #[cfg(feature = "ts")]
        pub const OPERATIONS_TS: &str = concat!(
            "/** Input and output of every core operation, by its snake_case name. */\n",
            "export interface Operations {\n",
            $( "  ", stringify!($name), ": { input: ", stringify!($input), "; output: ", stringify!($output), " };\n", )*
            "}\n",
        );
    };
}

operations! {
    error_codes(NoInput) -> ErrorCodes = |_| Ok(ErrorCodes { codes: ErrorCode::ALL.to_vec() });
    validate_slug(Slug) -> Slug = |i| crate::slug::validate_slug(&i.slug).map(|()| i);
    normalize_slug(OrgName) -> Slug = |i| crate::slug::normalize_slug(&i.name).map(|slug| Slug { slug });
    normalize_email(EmailAddress) -> EmailAddress =
        |i| crate::email::normalize_email(&i.email).map(|email| EmailAddress { email });
    role_permissions(RoleName) -> Permissions =
        |i| Ok(Permissions { permissions: Role::parse(&i.role)?.permissions() });
    authorize(AuthorizeInput) -> Allowed = |i| membership::authorize(&i.actor, i.permission).map(allowed);
    can_grant(GrantInput) -> Allowed = |i| membership::can_grant(&i.actor, i.permission, i.role).map(allowed);
    can_change_role(ChangeRoleInput) -> Allowed =
        |i| membership::can_change_role(&i.actor, &i.target, i.new_role, i.owner_count).map(allowed);
    can_remove_member(RemoveMemberInput) -> Allowed =
        |i| membership::can_remove_member(&i.actor, &i.target, i.owner_count).map(allowed);
    resolve_settings(ResolveInput) -> EffectiveSettings = |i| Ok(resolve(&i.tenant, &i.org));
    apply_settings_patch(SettingsPatchInput) -> SettingsUpdate = apply_settings_patch;
    apply_tenant_settings_patch(TenantPatchInput) -> TenantUpdate = apply_tenant_settings_patch;
    parse_new_organization(NewOrganizationInput) -> OrganizationState =
        |i| create_organization(&i.body, &i.tenant);
    apply_organization_patch(OrganizationPatchInput) -> OrganizationUpdate = apply_organization_patch;
    check_password(PasswordInput) -> Violations = |i| Ok(Violations {
        violations: login::check_password(&i.password, &i.rules, i.email.as_deref()),
    });
    enforce_password(PasswordInput) -> Allowed =
        |i| login::enforce_password(&i.password, &i.rules, i.email.as_deref()).map(allowed);
    lockout_check(LockoutCheckInput) -> Unlocked = |i| i.state.check(i.now).map(|()| Unlocked { locked: false });
    lockout_after_failure(LockoutFailureInput) -> LockoutState =
        |i| Ok(i.state.after_failure(&i.policy, i.now));
    account_lockout_policy(LockoutPoliciesInput) -> LockoutPolicy = |i| Ok(i.tenant.tightened_by(i.org.as_ref()));
    decide_password_login(PasswordLoginFacts) -> LoginGranted = |i| granted(login::decide_password_login(&i));
    decide_step_up(StepUpFacts) -> LoginGranted = |i| granted(login::decide_step_up(&i));
    totp_enrolment(TotpEnrolmentInput) -> TotpEnrolment =
        |i| login::totp_enrolment(&i.secret, &i.issuer, &i.account);
    verify_totp(TotpVerifyInput) -> TotpStep =
        |i| login::verify_totp(&i.secret, &i.code, i.now, i.last_used_step).map(|step| TotpStep { step });
    route_email(RouteEmailInput) -> RoutedConnection = |i| {
        let routed = login::route_email(&i.email, &i.connections, i.preferred.as_deref())?;
        Ok(RoutedConnection { connection_id: routed.map(|c| c.id.clone()) })
    };
    check_connection_allowed(ConnectionCheckInput) -> Allowed =
        |i| login::check_connection_allowed(&i.org_connections, &i.connection_id).map(allowed);
    check_session(SessionInput) -> Allowed = |i| {
        let session = token::Authentication { amr: i.amr, connection_id: i.connection_id, auth_time: None };
        session.check_org_policy(i.require_mfa, &i.connections).map(allowed)
    };
    redirect_target(RedirectInput) -> Redirect =
        |i| login::check_redirect_target(&i.target, &i.public_url, &i.allowed).map(|url| Redirect { url });
    role_from_groups(GroupRolesInput) -> GroupRole =
        |i| Ok(GroupRole { role: directory::role_from_groups(&directory::roles::parse_mappings("mappings", &i.mappings)?, &i.groups) });
    synced_role(SyncedRoleInput) -> SyncedRole =
        |i| Ok(SyncedRole { role: directory::synced_role(i.current, i.from_groups, i.owner_count) });
    admit_directory_user(DirectoryUserInput) -> EmailAddress =
        |i| directory::admit_directory_user(&i.user, &i.verified_domains, i.any_domain).map(|email| EmailAddress { email });
    check_portal_link(PortalLinkInput) -> Allowed = |i| portal::check_portal_link(i.created_at, i.used_at, i.now).map(allowed);
    webhook_endpoint(WebhookEndpointInput) -> WebhookEndpoint = |i| Ok(WebhookEndpoint {
        url: event::parse_webhook_url(&i.url)?,
        events: event::parse_subscription(i.events.as_deref())?,
    });
    event_type_filter(EventTypeFilterInput) -> EventTypes = |i| event::parse_type_filter(&i.types).map(|types| EventTypes { types });
    delivery_failure(DeliveryFailureInput) -> AfterFailure = |i| Ok(event::after_failure(i.attempts, i.failing_since, i.now, i.jitter_permille));
    jit_role(JitInput) -> JitRole = |i| Ok(JitRole { role: login::jit_role(&i.email, &i.connection) });
    parse_saml_connection(SamlConnectionInput) -> SamlConnection = |i| SamlConnection::from_json(&i.body);
    parse_oidc_connection(OidcConnectionInput) -> OidcConnection = |i| OidcConnection::from_config(&i.body, i.allow_http);
    verify_id_token(VerifyIdTokenInput) -> IdTokenIdentity = |i| {
        let keys = KeySet::from_jwks(&i.jwks)?;
        token::verify_id_token(&i.token, &keys, &i.options, &i.nonce, i.groups_claim.as_deref())
    };
    id_token_email(IdTokenIdentity) -> EmailAddress = |i| i.login_email().map(|email| EmailAddress { email });
    custom_domain_of_host(HostInput) -> CustomDomain =
        |i| Ok(CustomDomain { custom_domain: crate::hostname::custom_domain_of_host(&i.host) });
    page_size(PageSizeInput) -> PageSize = |i| crate::page::page_size(i.limit).map(|limit| PageSize { limit });
    client_address(ClientAddressInput) -> ClientAddress = client_address;
    rate_limits(NoInput) -> RateLimits = |_| Ok(RateLimits { limits: crate::rate_limit::rate_limits() });
    explain_login(LoginQuery) -> LoginPlan = |i| login::explain_login(&i);
    invitation_status(InvitationAt) -> InvitationState = |i| Ok(InvitationState { status: i.record.status(i.now) });
    check_invitation_acceptable(InvitationAt) -> Allowed = |i| i.record.check_acceptable(i.now).map(allowed);
    check_invitation_resendable(InvitationAt) -> Allowed = |i| i.record.check_resendable(i.now).map(allowed);
    check_invitation_link(InvitationLinkAt) -> Allowed = |i| i.record.check_link_acceptable(i.now, i.latest_link).map(allowed);
    acceptance_amr(AcceptanceInput) -> AmrAnswer = |i| Ok(AmrAnswer { amr: login::acceptance_amr(i.session_amr.as_deref()) });
    check_invitation_creatable(InvitationsAt) -> Allowed = |i| token::check_can_invite(&i.records, i.now).map(allowed);
    issue_invitation(IssueInvitationInput) -> IssuedInvitation = |i| {
        let key = SigningKey::from_spec(&i.key)?;
        let (token, claims) = token::issue_invitation(&i.invitation, &key)?;
        Ok(IssuedInvitation { token, claims })
    };
    verify_invitation(VerifyInvitationInput) -> InvitationClaims = |i| {
        let keys = KeySet::from_jwks(&i.jwks)?;
        token::verify_invitation(&i.token, &keys, &i.options, i.email.as_deref())
    };
    build_org_claims(ClaimsRequest) -> OrgClaims = |i| token::build_org_claims(&i);
    sign_org_claims(SignClaimsInput) -> Token = |i| {
        let key = SigningKey::from_spec(&i.key)?;
        Ok(Token { token: token::sign_org_claims(&i.claims, &key)? })
    };
    verify_org_token(VerifyTokenInput) -> OrgClaims = |i| {
        let keys = KeySet::from_jwks(&i.jwks)?;
        token::verify_org_token(&i.token, &keys, &i.options, &i.require)
    };
    verify_profiled_token(VerifyProfiledInput) -> ProfiledClaims = |i| {
        let keys = KeySet::from_jwks(&i.jwks)?;
        token::verify_profiled_token(&i.token, &keys, &i.options, &i.profile, &i.require)
    };
    check_token_not_revoked(RevocationInput) -> Allowed =
        |i| token::check_not_revoked(token::authenticated_at(i.iat, i.auth_time), i.valid_after).map(allowed);
    should_fetch_jwks(JwksFetchInput) -> JwksFetchDecision = |i| {
        i.policy.validate()?;
        Ok(JwksFetchDecision { fetch: i.policy.should_fetch(&i.state, i.need, i.now) })
    };
    parse_bearer(AuthorizationHeader) -> Token =
        |i| token::parse_bearer(&i.authorization).map(|t| Token { token: t.to_owned() });
    public_jwk(KeyInput) -> PublicJwk = |i| SigningKey::from_spec(&i.key)?.public_jwk().map(PublicJwk);
    check_domain_claim(DomainClaimInput) -> Domain =
        |i| domain::check_domain_claim(&i.domain, i.verified_by_another_org).map(|domain| Domain { domain });
    domain_challenge(ChallengeInput) -> DomainChallenge = |i| domain::domain_challenge(&i.domain, &i.token);
    decide_domain_verification(VerificationFacts) -> DomainVerification = |i| {
        let d = domain::decide_verification(&i);
        d.outcome.map(|()| DomainVerification { status: d.status, proof: d.proof, release_holder: d.release_holder })
    };
    check_custom_domain(CustomDomainInput) -> Allowed =
        |i| domain::check_custom_domain(&i.custom_domain, &i.public_url, &i.verified_domains).map(allowed);
    custom_domain_served(CustomDomainServingInput) -> Served =
        |i| Ok(Served { served: domain::custom_domain_served(&i.custom_domain, i.set_by_operator, &i.verified_domains) });
    decide_sso_login(SsoLoginFacts) -> SsoLoginPlan = |i| login::decide_sso_login(&i);
    check_email_verification(EmailVerificationAt) -> Allowed = |i| i.record.check_usable(i.now).map(allowed);
}

/// Runs one operation (the closure's input type comes from the table).
fn run<I, O>(input: I, f: impl FnOnce(I) -> Result<O>) -> Result<O> {
    f(input)
}

fn unknown_operation(name: &str) -> Error {
    Error::new(
        ErrorCode::InvalidRequest,
        format!("unknown operation {:?}", crate::role::truncate(name)),
    )
}

fn allowed(_: ()) -> Allowed {
    Allowed { allowed: true }
}

/// A login decision as an operation's answer: the `amr` and the lockout state to store, or the
/// refusal.
fn granted(decision: login::LoginDecision) -> Result<LoginGranted> {
    decision.outcome.map(|amr| LoginGranted {
        amr,
        lockout: decision.lockout,
    })
}

/// Parses a JSON value into an input type with a coded error (see `input_error`).
pub fn parse_input<I: DeserializeOwned>(input: Value) -> Result<I> {
    serde_json::from_value(input).map_err(input_error)
}

/// Parses JSON text into an input type with a coded error (see `input_error`).
pub fn parse_input_text<I: DeserializeOwned>(input: &str) -> Result<I> {
    serde_json::from_str(input).map_err(input_error)
}

/// The coded error of an input that does not fit its type: an unknown field is
/// `unknown_field`, a bad role or permission name `invalid_role` / `invalid_permission`, any
/// other shape error `invalid_request`.
fn input_error(e: serde_json::Error) -> Error {
    let message = e.to_string();
    let code = if message.starts_with("unknown field") {
        ErrorCode::UnknownField
    } else if message.contains("variant")
        && (message.contains("`owner`") || message.contains("`viewer`"))
    {
        ErrorCode::InvalidRole
    } else if message.contains("variant") && message.contains("`org:read`") {
        ErrorCode::InvalidPermission
    } else {
        ErrorCode::InvalidRequest
    };
    Error::new(code, format!("invalid input: {message}"))
}

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn to_text<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn client_address(i: ClientAddressInput) -> Result<ClientAddress> {
    let peer: std::net::IpAddr = i.peer.trim().parse().map_err(|_| {
        Error::new(ErrorCode::InvalidRequest, "peer must be an IP address").with_field("peer")
    })?;
    let trusted = crate::client_address::TrustedProxies::parse(&i.trusted_proxies)?;
    let address =
        crate::client_address::client_address(peer, &i.forwarded, &i.x_forwarded_for, &trusted);
    Ok(ClientAddress {
        address: address.to_string(),
    })
}

fn apply_settings_patch(i: SettingsPatchInput) -> Result<SettingsUpdate> {
    let patch = SettingsPatch::from_json(&i.patch)?;
    i.tenant.floors.check_patch(&patch)?;
    let settings = patch.apply(&i.org);
    check_default_connection(&settings, i.org_connections.as_deref())?;
    let effective = resolve(&i.tenant, &settings);
    Ok(SettingsUpdate {
        settings,
        effective,
    })
}

fn apply_tenant_settings_patch(i: TenantPatchInput) -> Result<TenantUpdate> {
    let tenant = i.tenant.patched(&i.patch)?;
    let effective = resolve(&tenant, &SettingsLayer::default());
    Ok(TenantUpdate { tenant, effective })
}

fn apply_organization_patch(i: OrganizationPatchInput) -> Result<OrganizationUpdate> {
    let change =
        patch_organization(&i.org, &i.patch, &i.tenant, i.org_connections.as_deref())?;
    let org = change.org;
    Ok(OrganizationUpdate {
        effective: resolve(&i.tenant, &org.settings),
        permission: change.permission,
        name: org.name,
        slug: org.slug,
        metadata: org.metadata,
        settings: org.settings,
    })
}
