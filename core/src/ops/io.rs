//! The input and output of every operation in [`super::call`]: plain serde records, read with
//! `deny_unknown_fields`. With the `ts` feature each one also derives its TypeScript declaration
//! (tsify), so the npm package's types are these, not a copy of them.
//!
//! Fields marked `#[serde(default)]` may be absent (TypeScript: optional). Fields holding a
//! document that core parses itself (a JWKS, a settings or organization merge-patch) are
//! `serde_json::Value` here and carry the TypeScript name of their shape.

use crate::directory::DirectoryUser;
use crate::event::EventType;
use crate::domain::{DomainProof, DomainStatus};
use crate::email::EmailVerificationRecord;
use crate::error::ErrorCode;
use crate::login::{Connection, LockoutPolicy, LockoutState, PasswordRules, PasswordViolation};
use crate::membership::{Actor, Target};
pub use crate::organization::OrganizationState;
use crate::rate_limit::ActionQuotas;
use crate::role::{Permission, Role};
use crate::settings::{EffectiveSettings, SettingsLayer, TenantSettings};
use crate::token::{
    InvitationClaims, InvitationRecord, InvitationRequest, InvitationStatus, JwksFetchState,
    JwksNeed, JwksRefreshPolicy, OrgClaims, ProfileConfig, Requirement, SigningKeySpec,
    VerifyOptions,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Declares records: `pub` fields, `Deserialize` + `Serialize`, unknown fields refused.
macro_rules! records {
    ($( $(#[$meta:meta])* $name:ident { $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)? } )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Serialize, Deserialize)]
            #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
            #[serde(deny_unknown_fields)]
            pub struct $name { $( $(#[$field_meta])* pub $field: $ty, )* }
        )*
    };
}

/// The input of an operation that reads none: anything (`undefined`, `null`, `{}`) is accepted
/// and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(
    feature = "ts",
    tsify(type = "Record<string, never> | null | undefined")
)]
pub struct NoInput {}

impl<'de> Deserialize<'de> for NoInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoInput {})
    }
}

/// A public JSON Web Key (RFC 7517), as a JWKS lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(type = "Jwk"))]
#[serde(transparent)]
pub struct PublicJwk(pub Value);

records! {
    /// Every error code, in table order.
    ErrorCodes {
        /// Core's codes.
        codes: Vec<ErrorCode>,
    }
    /// An org slug.
    Slug {
        /// The slug.
        slug: String,
    }
    /// An org display name.
    OrgName {
        /// The name to derive a slug from.
        name: String,
    }
    /// An email address.
    EmailAddress {
        /// The address.
        email: String,
    }
    /// A role, by name (an unknown name is `invalid_role`).
    RoleName {
        /// `owner`, `admin`, `member` or `viewer`.
        #[cfg_attr(feature = "ts", tsify(type = "Role"))]
        role: String,
    }
    /// The permissions a role grants.
    Permissions {
        /// In table order.
        permissions: Vec<Permission>,
    }
    /// The answer of a check that passed (a refusal is an error).
    Allowed {
        /// Always `true`.
        #[cfg_attr(feature = "ts", tsify(type = "true"))]
        allowed: bool,
    }
    /// May `actor` exercise `permission`?
    AuthorizeInput {
        /// Who acts.
        actor: Actor,
        /// What they want to do.
        permission: Permission,
    }
    /// May `actor` grant `role` (through `permission`: invite or change a role)?
    GrantInput {
        /// Who acts.
        actor: Actor,
        /// `invitations:create` or `members:update_role`.
        permission: Permission,
        /// The role granted.
        role: Role,
    }
    /// May `actor` give `target` the role `new_role`?
    ChangeRoleInput {
        /// Who acts.
        actor: Actor,
        /// The member changed.
        target: Target,
        /// The role asked for.
        new_role: Role,
        /// Owners the org has now.
        owner_count: u64,
    }
    /// May `actor` remove `target` from the org?
    RemoveMemberInput {
        /// Who acts.
        actor: Actor,
        /// The member removed.
        target: Target,
        /// Owners the org has now.
        owner_count: u64,
    }
    /// The settings layers to resolve.
    ResolveInput {
        /// The tenant's defaults and floors.
        #[serde(default)]
        tenant: TenantSettings,
        /// The org's overrides.
        #[serde(default)]
        org: SettingsLayer,
    }
    /// A settings merge-patch applied to an org's overrides.
    SettingsPatchInput {
        /// The tenant's defaults and floors.
        #[serde(default)]
        tenant: TenantSettings,
        /// The org's overrides now.
        #[serde(default)]
        org: SettingsLayer,
        /// The merge-patch: absent = unchanged, `null` = inherit again.
        #[cfg_attr(feature = "ts", tsify(type = "SettingsPatch"))]
        patch: Value,
        /// The org's connection ids, when `default_connection_id` must name one of them.
        #[serde(default)]
        org_connections: Option<Vec<String>>,
    }
    /// An org's overrides after a patch, and what applies.
    SettingsUpdate {
        /// The org's overrides to store.
        settings: SettingsLayer,
        /// Every setting with the layer it comes from.
        effective: EffectiveSettings,
    }
    /// A tenant settings patch.
    TenantPatchInput {
        /// The tenant's settings now.
        #[serde(default)]
        tenant: TenantSettings,
        /// Setting fields flat, plus a `floors` merge-patch.
        #[cfg_attr(feature = "ts", tsify(type = "TenantSettingsPatch"))]
        patch: Value,
    }
    /// A tenant's settings after a patch, and what an org without overrides gets.
    TenantUpdate {
        /// The tenant's settings to store.
        tenant: TenantSettings,
        /// What applies to an org that overrides nothing.
        effective: EffectiveSettings,
    }
    /// An organization creation body, as the API takes it.
    NewOrganizationInput {
        /// The tenant's defaults and floors (the new org's overrides must respect the floors).
        #[serde(default)]
        tenant: TenantSettings,
        /// Name, slug, metadata and setting overrides.
        #[cfg_attr(feature = "ts", tsify(type = "OrganizationBody"))]
        body: Value,
    }
    /// An organization merge-patch.
    OrganizationPatchInput {
        /// The tenant's defaults and floors.
        #[serde(default)]
        tenant: TenantSettings,
        /// The organization now.
        org: OrganizationState,
        /// Name, slug, metadata and setting changes.
        #[cfg_attr(feature = "ts", tsify(type = "OrganizationBody"))]
        patch: Value,
        /// The org's connection ids, when `default_connection_id` must name one of them.
        #[serde(default)]
        org_connections: Option<Vec<String>>,
    }
    /// An organization after a patch, and what applies to it.
    OrganizationUpdate {
        /// Display name.
        name: String,
        /// Unique-per-tenant slug.
        slug: String,
        /// Free-form metadata.
        #[cfg_attr(feature = "ts", tsify(type = "Record<string, unknown>"))]
        metadata: Map<String, Value>,
        /// Setting overrides.
        settings: SettingsLayer,
        /// Every setting with the layer it comes from.
        effective: EffectiveSettings,
        /// The permission the change needs (`scim:manage` when it changes the group mappings).
        permission: Permission,
    }
    /// A password to check against the rules.
    PasswordInput {
        /// The candidate password.
        password: String,
        /// The rules that apply.
        rules: PasswordRules,
        /// The account's email (a password equal to it is refused).
        #[serde(default)]
        email: Option<String>,
    }
    /// Every rule a password breaks.
    Violations {
        /// Empty when the password is acceptable.
        violations: Vec<PasswordViolation>,
    }
    /// Is the account locked now?
    LockoutCheckInput {
        /// The stored lockout state.
        #[serde(default)]
        state: LockoutState,
        /// Now, unix seconds.
        now: i64,
    }
    /// The answer of a lockout check that passed.
    Unlocked {
        /// Always `false`.
        #[cfg_attr(feature = "ts", tsify(type = "false"))]
        locked: bool,
    }
    /// One more failed attempt.
    LockoutFailureInput {
        /// The stored lockout state.
        #[serde(default)]
        state: LockoutState,
        /// How many failures lock, and for how long.
        policy: LockoutPolicy,
        /// Now, unix seconds.
        now: i64,
    }
    /// The account's lockout limits and an org's.
    LockoutPoliciesInput {
        /// The account's limits: the tenant's effective ones.
        tenant: LockoutPolicy,
        /// The org's effective limits, when the login names an org the user belongs to.
        #[serde(default)]
        org: Option<LockoutPolicy>,
    }
    /// A login (or an org switch) that passed.
    LoginGranted {
        /// RFC 8176 methods performed: `pwd`, and `otp` after a second factor.
        amr: Vec<String>,
        /// The lockout state to store.
        lockout: LockoutState,
    }
    /// A TOTP secret to enrol.
    TotpEnrolmentInput {
        /// Base32 secret.
        secret: String,
        /// Shown by authenticator apps.
        issuer: String,
        /// The account label (usually the email).
        account: String,
    }
    /// A TOTP code to check.
    TotpVerifyInput {
        /// Base32 secret.
        secret: String,
        /// The six digits entered.
        code: String,
        /// Now, unix seconds.
        now: i64,
        /// The time step last accepted (a code is good once).
        #[serde(default)]
        last_used_step: Option<u64>,
    }
    /// The time step of an accepted TOTP code (store it as `last_used_step`).
    TotpStep {
        /// The step.
        step: u64,
    }
    /// Which connection signs this email in?
    RouteEmailInput {
        /// The email entered.
        email: String,
        /// The candidate connections with their domains.
        connections: Vec<Connection>,
        /// A connection the caller prefers, when it matches.
        #[serde(default)]
        preferred: Option<String>,
    }
    /// The connection an email routes to.
    RoutedConnection {
        /// `null`: no SSO connection; sign in with a password.
        connection_id: Option<String>,
    }
    /// May this connection sign in to the org?
    ConnectionCheckInput {
        /// The org's connection ids.
        org_connections: Vec<String>,
        /// The connection used.
        connection_id: String,
    }
    /// May this session act in the org? (Checked on every request about an org.)
    SessionInput {
        /// What the session performed (its token's `amr`).
        amr: Vec<String>,
        /// The SSO connection it logged in through (its token's `cid`).
        #[serde(default)]
        connection_id: Option<String>,
        /// Whether the org requires MFA (effective settings).
        require_mfa: bool,
        /// The connections the org allows.
        #[serde(default)]
        connections: Vec<String>,
    }
    /// An invitation's stored timestamps, and now.
    InvitationAt {
        /// The stored invitation.
        record: InvitationRecord,
        /// Now, unix seconds.
        now: i64,
    }
    /// An invitation's stored timestamps, now, and whether the presented link is its latest.
    InvitationLinkAt {
        /// The stored invitation.
        record: InvitationRecord,
        /// Now, unix seconds.
        now: i64,
        /// Whether the link presented is the invitation's latest (a resend replaces the link).
        latest_link: bool,
    }
    /// How the accepting session authenticated, if a session accepts.
    AcceptanceInput {
        /// The accepting session's `amr`; absent when the invitation creates the account.
        #[serde(default)]
        session_amr: Option<Vec<String>>,
    }
    /// The `amr` a token carries.
    AmrAnswer {
        /// Authentication methods (RFC 8176).
        amr: Vec<String>,
    }
    /// An org's earlier invitations to one address, and now.
    InvitationsAt {
        /// The stored invitations of that address to that org.
        records: Vec<InvitationRecord>,
        /// Now, unix seconds.
        now: i64,
    }
    /// Where an invitation stands.
    InvitationState {
        /// `pending`, `accepted`, `revoked` or `expired`.
        status: InvitationStatus,
    }
    /// An invitation to sign.
    IssueInvitationInput {
        /// The signing key.
        key: SigningKeySpec,
        /// What the token carries.
        invitation: InvitationRequest,
    }
    /// A signed invitation.
    IssuedInvitation {
        /// The compact JWS.
        token: String,
        /// Its claims.
        claims: InvitationClaims,
    }
    /// An invitation token to verify.
    VerifyInvitationInput {
        /// The compact JWS.
        token: String,
        /// The issuer's public keys.
        #[cfg_attr(feature = "ts", tsify(type = "Jwks"))]
        jwks: Value,
        /// Issuer, audience, leeway and now.
        options: VerifyOptions,
        /// The signed-in user's email, when it must match the invitation's.
        #[serde(default)]
        email: Option<String>,
    }
    /// Claims to sign.
    SignClaimsInput {
        /// The signing key.
        key: SigningKeySpec,
        /// The claims.
        claims: OrgClaims,
    }
    /// A token.
    Token {
        /// The compact JWS.
        token: String,
    }
    /// An orgkit access token to verify.
    VerifyTokenInput {
        /// The compact JWS.
        token: String,
        /// The issuer's public keys.
        #[cfg_attr(feature = "ts", tsify(type = "Jwks"))]
        jwks: Value,
        /// Issuer, audience, leeway and now.
        options: VerifyOptions,
        /// The org, role or permission the request needs.
        #[serde(default)]
        require: Requirement,
    }
    /// Another provider's token to verify through a claim profile.
    VerifyProfiledInput {
        /// The compact JWS.
        token: String,
        /// The issuer's public keys.
        #[cfg_attr(feature = "ts", tsify(type = "Jwks"))]
        jwks: Value,
        /// Issuer, audience, leeway and now.
        options: VerifyOptions,
        /// Whose claim layout the token carries, and role mappings.
        profile: ProfileConfig,
        /// The org, role or permission the request needs.
        #[serde(default)]
        require: Requirement,
    }
    /// Was this token issued before the user's tokens were revoked?
    RevocationInput {
        /// The token's `iat`.
        iat: i64,
        /// The token's `auth_time`, when it has one (a token minted by an org switch carries
        /// its session's): revocation applies to the authentication.
        #[serde(default)]
        auth_time: Option<i64>,
        /// The user's `tokens_valid_after`, if ever set.
        #[serde(default)]
        valid_after: Option<i64>,
    }
    /// Should a host that fetches its JWKS fetch it now?
    JwksFetchInput {
        /// How often the keys are refreshed (defaults when absent).
        #[serde(default)]
        policy: JwksRefreshPolicy,
        /// What the host remembers of its fetches.
        #[serde(default)]
        state: JwksFetchState,
        /// Why it asks.
        need: JwksNeed,
        /// Now, unix milliseconds.
        now: i64,
    }
    /// Whether to fetch the JWKS now.
    JwksFetchDecision {
        /// `true`: fetch (and record the attempt first).
        fetch: bool,
    }
    /// An `Authorization` header value.
    AuthorizationHeader {
        /// `Bearer <token>`.
        authorization: String,
    }
    /// A signing key.
    KeyInput {
        /// The private key (PEM) or HS256 secret.
        key: SigningKeySpec,
    }
    /// Where may the browser go after an SSO login?
    RedirectInput {
        /// The requested target (a RelayState): a path or an absolute URL.
        target: String,
        /// The server's public URL (its origin is always allowed).
        public_url: String,
        /// The tenant's allowed redirect URLs.
        #[serde(default)]
        allowed: Vec<String>,
    }
    /// An allowed redirect.
    Redirect {
        /// The absolute URL to send the browser to.
        url: String,
    }
    /// Which role does a user logging in through a connection get when not a member yet?
    JitInput {
        /// The email the IdP asserted.
        email: String,
        /// The connection used, with its routed domains.
        connection: Connection,
    }
    /// A member's IdP groups under the org's mappings.
    GroupRolesInput {
        /// The org's effective `group_role_mappings` (group name → role).
        #[cfg_attr(feature = "ts", tsify(type = "Record<string, Role>"))]
        mappings: Value,
        /// The display names of the member's groups.
        groups: Vec<String>,
    }
    /// A member's role after their directory speaks.
    SyncedRoleInput {
        /// The member's role now; `null` for someone not a member yet.
        current: Option<Role>,
        /// What `role_from_groups` answered.
        from_groups: Option<Role>,
        /// The org's owners, this member included.
        owner_count: u64,
    }
    /// The role a member ends with.
    SyncedRole {
        /// That role.
        role: Role,
    }
    /// A user an org's directory provisions.
    DirectoryUserInput {
        /// The user as the directory sends it.
        user: DirectoryUser,
        /// The org's verified domains.
        verified_domains: Vec<String>,
        /// Whether the operator allowed this directory any domain.
        #[serde(default)]
        any_domain: bool,
    }
    /// The role a member's IdP groups give.
    GroupRole {
        /// The highest mapped role, `member` when no group is mapped; `null` when the org maps
        /// no group (the directory does not decide roles).
        role: Option<Role>,
    }
    /// The just-in-time role.
    JitRole {
        /// `member` for a routed domain; `null`: no just-in-time membership.
        role: Option<Role>,
    }
    /// A SAML connection configuration, as the management API takes it.
    SamlConnectionInput {
        /// `{ name, entity_id, sso_url, certificate, email_domains? }`, snake_case or camelCase.
        #[cfg_attr(feature = "ts", tsify(type = "SamlConnectionBody"))]
        body: Value,
    }
    /// An org's OIDC configuration, as the user API takes it.
    OidcConnectionInput {
        /// `{ issuer, clientId, clientSecret, emailDomain, groupsClaim? }`.
        #[cfg_attr(feature = "ts", tsify(type = "OidcConnectionBody"))]
        body: Value,
        /// Whether an `http` issuer is allowed (a provider on this machine, for tests).
        #[serde(default)]
        allow_http: bool,
    }
    /// An ID token from an org's OIDC provider.
    VerifyIdTokenInput {
        /// The compact JWS.
        token: String,
        /// The provider's public keys.
        #[cfg_attr(feature = "ts", tsify(type = "Jwks"))]
        jwks: Value,
        /// The provider's issuer, the client id as audience, leeway and now.
        options: VerifyOptions,
        /// The nonce the login sent.
        nonce: String,
        /// The claim carrying the user's groups.
        #[serde(default)]
        groups_claim: Option<String>,
    }
    /// A `Host` header value.
    HostInput {
        /// `host[:port]`.
        host: String,
    }
    /// The custom domain a `Host` header names.
    CustomDomain {
        /// Lowercase, without the port; `null` for an IP address or a non-hostname.
        custom_domain: Option<String>,
    }
    /// A requested page size.
    PageSizeInput {
        /// The `limit` query parameter, if given.
        #[serde(default)]
        limit: Option<u64>,
    }
    /// The page size to use.
    PageSize {
        /// Between 1 and the maximum.
        limit: u32,
    }
    /// Who is the client of a request, behind reverse proxies?
    ClientAddressInput {
        /// The socket peer's IP address.
        peer: String,
        /// The `Forwarded` header lines, in order.
        #[serde(default)]
        forwarded: Vec<String>,
        /// The `X-Forwarded-For` header lines, in order.
        #[serde(default)]
        x_forwarded_for: Vec<String>,
        /// The trusted proxies: IP addresses and CIDR networks.
        #[serde(default)]
        trusted_proxies: Vec<String>,
    }
    /// The client's address.
    ClientAddress {
        /// An IP address.
        address: String,
    }
    /// The default abuse limits.
    RateLimits {
        /// One entry per limited action.
        limits: Vec<ActionQuotas>,
    }
    /// A domain an org wants to claim.
    DomainClaimInput {
        /// The domain.
        domain: String,
        /// Another org of the tenant has verified it.
        #[serde(default)]
        verified_by_another_org: bool,
    }
    /// A domain, normalised.
    Domain {
        /// Lowercase, without a trailing dot.
        domain: String,
    }
    /// The challenge of a claim.
    ChallengeInput {
        /// The claimed domain.
        domain: String,
        /// The claim's random token (base64url, drawn by the host).
        token: String,
    }
    /// A verification that passed: what to store.
    DomainVerification {
        /// `verified`.
        status: DomainStatus,
        /// What proves it.
        proof: Option<DomainProof>,
        /// The holder's claim lost its proof: set it back to pending.
        release_holder: bool,
    }
    /// A custom domain an org admin sets.
    CustomDomainInput {
        /// The custom domain.
        custom_domain: String,
        /// The server's public URL (its host and the names above it are reserved).
        public_url: String,
        /// The org's verified domains.
        #[serde(default)]
        verified_domains: Vec<String>,
    }
    /// Does an org's custom domain serve its login page?
    CustomDomainServingInput {
        /// The custom domain.
        custom_domain: String,
        /// The tenant's operator set it.
        #[serde(default)]
        set_by_operator: bool,
        /// The org's verified domains.
        #[serde(default)]
        verified_domains: Vec<String>,
    }
    /// Whether a custom domain serves the login page.
    Served {
        /// `false`: the host gets the tenant's page.
        served: bool,
    }
    /// An email verification link, and now.
    EmailVerificationAt {
        /// The stored link.
        record: EmailVerificationRecord,
        /// Now, unix seconds.
        now: i64,
    }
    /// A portal link about to be opened.
    PortalLinkInput {
        /// When it was made (unix seconds).
        created_at: i64,
        /// When it was opened, if it was.
        #[serde(default)]
        used_at: Option<i64>,
        /// Now (unix seconds).
        now: i64,
    }
    /// A webhook endpoint as the operator declares it.
    WebhookEndpointInput {
        /// Where deliveries go.
        url: String,
        /// The event types wanted; absent for every type.
        #[serde(default)]
        events: Option<Vec<String>>,
    }
    /// A valid webhook endpoint.
    WebhookEndpoint {
        /// The URL, normalised.
        url: String,
        /// The event types wanted, sorted; `null` for every type.
        events: Option<Vec<EventType>>,
    }
    /// The `types` filter of an event listing.
    EventTypeFilterInput {
        /// Comma-separated event types.
        types: String,
    }
    /// Event types.
    EventTypes {
        /// Sorted, without repeats.
        types: Vec<EventType>,
    }
    /// A failed delivery attempt.
    DeliveryFailureInput {
        /// Attempts made so far, this one included.
        attempts: u32,
        /// When the endpoint began failing (unix seconds).
        failing_since: i64,
        /// Now (unix seconds).
        now: i64,
        /// A random number from 0 to 1000 that spreads retries.
        jitter_permille: u16,
    }
}
