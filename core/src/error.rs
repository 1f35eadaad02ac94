//! One error vocabulary for every runtime.
//!
//! Every failure in orgkit carries an [`ErrorCode`]: a stable snake_case string that JS errors,
//! Python exceptions and HTTP error bodies all expose unchanged. The table below is the single
//! place where a code, its HTTP status and its family are defined (the meilisearch habit).

use serde::{Deserialize, Serialize};

/// Which layer raises a code.
///
/// `Core` codes are decided by a pure function of this crate and each has at least one shared
/// test vector. `Host` codes come from what only a host can know (a database uniqueness
/// constraint, a request body size, a storage failure); they are part of the same vocabulary so
/// that every runtime spells them the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Decided by `orgkit-core`.
    Core,
    /// Raised by a host (server, binding) from state core does not see.
    Host,
}

/// The family a code belongs to; bindings map each family to an exception/error subclass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Malformed or out-of-range input.
    Request,
    /// Token parsing, signature, time and audience checks.
    Token,
    /// Roles, permissions and membership relations.
    Permission,
    /// Invitation lifecycle.
    Invitation,
    /// Settings validation and tenant floors.
    Settings,
    /// Login policy: credentials, lockout, MFA, connections.
    Login,
    /// Storage conflicts, missing records and host failures.
    Resource,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:literal, $family:ident, $origin:ident; )*) => {
        /// A stable, machine-readable error code. Serialises as its snake_case string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The snake_case string of this code.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// The HTTP status a host answers with for this code.
            pub const fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// The family of this code.
            pub const fn family(self) -> Family {
                match self { $( ErrorCode::$variant => Family::$family, )* }
            }

            /// Which layer raises this code.
            pub const fn origin(self) -> Origin {
                match self { $( ErrorCode::$variant => Origin::$origin, )* }
            }

            /// Parses a code from its snake_case string.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    /// Malformed input: not JSON, wrong type, missing field.
    InvalidRequest = "invalid_request", 400, Request, Core;
    /// A field the operation does not know.
    UnknownField = "unknown_field", 400, Request, Core;
    /// A string longer, a list or object larger or deeper than its documented limit.
    InputTooLarge = "input_too_large", 400, Request, Core;
    /// A slug that is not lowercase letters, digits and single hyphens of the allowed length.
    InvalidSlug = "invalid_slug", 422, Request, Core;
    /// A malformed email address.
    InvalidEmail = "invalid_email", 422, Request, Core;
    /// An unknown role name.
    InvalidRole = "invalid_role", 422, Request, Core;
    /// An unknown permission name.
    InvalidPermission = "invalid_permission", 422, Request, Core;
    /// An org name or metadata value out of bounds.
    InvalidOrganization = "invalid_organization", 422, Request, Core;
    /// A setting value out of its range or format.
    InvalidSetting = "invalid_setting", 422, Settings, Core;
    /// An override that would make an org weaker than a tenant floor.
    BelowTenantFloor = "below_tenant_floor", 422, Settings, Core;
    /// A key or key set that cannot be used (bad JWK, bad PEM, HMAC in a public key set).
    InvalidKey = "invalid_key", 400, Token, Core;
    /// No credentials, or an `Authorization` header that is not a bearer token.
    Unauthenticated = "unauthenticated", 401, Token, Core;
    /// A token that is not a well-formed, acceptable JWT.
    InvalidToken = "invalid_token", 401, Token, Core;
    /// A token whose signature does not verify.
    InvalidSignature = "invalid_signature", 401, Token, Core;
    /// A token whose `alg` is not the one its key is pinned to.
    AlgorithmNotAllowed = "algorithm_not_allowed", 401, Token, Core;
    /// A token whose `kid` names no key of the key set.
    UnknownKey = "unknown_key", 401, Token, Core;
    /// A token of another type (an invitation used as an access token, or the reverse).
    WrongTokenType = "wrong_token_type", 401, Token, Core;
    /// A token past its `exp` (plus leeway).
    TokenExpired = "token_expired", 401, Token, Core;
    /// A token before its `nbf`/`iat` (minus leeway).
    TokenNotYetValid = "token_not_yet_valid", 401, Token, Core;
    /// A token issued before its subject's tokens were revoked (a password change).
    TokenRevoked = "token_revoked", 401, Token, Core;
    /// A session older than an org's `session_ttl_hours` allows, acting in it or exchanging its
    /// token for one of it: the user logs in again.
    SessionExpired = "session_expired", 401, Token, Core;
    /// A token from another issuer.
    InvalidIssuer = "invalid_issuer", 401, Token, Core;
    /// A token for another audience.
    InvalidAudience = "invalid_audience", 401, Token, Core;
    /// An ID token whose `nonce` is not the one its login sent: replayed, or injected into
    /// another login.
    InvalidNonce = "invalid_nonce", 401, Token, Core;
    /// A portal link that was already opened (a link opens once).
    PortalLinkUsed = "portal_link_used", 409, Token, Core;
    /// A portal link past its time to be opened.
    PortalLinkExpired = "portal_link_expired", 410, Token, Core;
    /// A provider's org claim is present but malformed, or its role has no orgkit mapping.
    InvalidOrgClaim = "invalid_org_claim", 401, Token, Core;
    /// An org was required but the token carries no org context.
    OrgRequired = "org_required", 403, Permission, Core;
    /// The token's org is not the org the request is about.
    OrgMismatch = "org_mismatch", 403, Permission, Core;
    /// The caller's role does not carry the permission.
    InsufficientRole = "insufficient_role", 403, Permission, Core;
    /// Granting or setting a role above the actor's own.
    RoleCeiling = "role_ceiling", 403, Permission, Core;
    /// Only an owner may grant, change or remove the owner role.
    OwnerRequired = "owner_required", 403, Permission, Core;
    /// The operation would leave the org without an owner.
    LastOwner = "last_owner", 409, Permission, Core;
    /// The org, member, invitation or user does not exist for this caller.
    NotFound = "not_found", 404, Resource, Core;
    /// Invitation revoked by an admin.
    InvitationRevoked = "invitation_revoked", 409, Invitation, Core;
    /// Invitation already accepted.
    InvitationUsed = "invitation_used", 409, Invitation, Core;
    /// Invitation past its expiry.
    InvitationExpired = "invitation_expired", 410, Invitation, Core;
    /// The accepting user's email is not the invited email.
    InvitationEmailMismatch = "invitation_email_mismatch", 403, Invitation, Core;
    /// The address already has a pending invitation to the org: resend it instead of inviting
    /// again (which would mail it again).
    InvitationPending = "invitation_pending", 409, Invitation, Core;
    /// The invitation was already sent again the most times allowed.
    InvitationResendLimit = "invitation_resend_limit", 409, Invitation, Core;
    /// Wrong email or password.
    InvalidCredentials = "invalid_credentials", 401, Login, Core;
    /// The password breaks the org's password rules.
    WeakPassword = "weak_password", 422, Login, Core;
    /// The stored password no longer meets the org's rules: change it before logging in.
    PasswordChangeRequired = "password_change_required", 403, Login, Core;
    /// The org requires MFA and this login did not perform it.
    MfaRequired = "mfa_required", 401, Login, Core;
    /// The org requires MFA and the user has no factor enrolled.
    MfaEnrollmentRequired = "mfa_enrollment_required", 401, Login, Core;
    /// A wrong or already-used one-time code.
    InvalidMfaCode = "invalid_mfa_code", 401, Login, Core;
    /// Too many failed logins: locked until a time.
    AccountLocked = "account_locked", 423, Login, Core;
    /// The connection is not enabled for the org.
    ConnectionNotAllowed = "connection_not_allowed", 403, Login, Core;
    /// A SAML response that cannot be used: malformed, unsigned, not successful, from another
    /// issuer, or without an email for the user.
    SamlInvalidResponse = "saml_invalid_response", 400, Login, Host;
    /// A SAML response or assertion whose XML signature does not verify against the
    /// connection's certificate, uses a refused algorithm, or wraps unsigned content.
    SamlInvalidSignature = "saml_invalid_signature", 401, Login, Host;
    /// A SAML assertion outside its validity window (`NotBefore`/`NotOnOrAfter`, issue instant).
    SamlExpired = "saml_expired", 401, Login, Host;
    /// A SAML response meant for another service provider: audience, recipient or destination.
    SamlAudienceMismatch = "saml_audience_mismatch", 401, Login, Host;
    /// `InResponseTo` names no authentication request this server issued (or one already used).
    SamlUnknownRequest = "saml_unknown_request", 401, Login, Host;
    /// A SAML assertion that was already consumed.
    SamlReplay = "saml_replay", 409, Login, Host;
    /// An SSO assertion for an email whose domain the org has not verified, for an account not
    /// linked to the connection (or not a member): the org's IdP may not sign it in.
    EmailDomainNotVerified = "email_domain_not_verified", 403, Login, Core;
    /// An OpenID Connect login that cannot complete: the provider refused, its answer is
    /// malformed, or the login's `state` is unknown, used or expired.
    OidcInvalidResponse = "oidc_invalid_response", 400, Login, Host;
    /// An IdP login whose email the provider does not say it verified (OIDC `email_verified`).
    EmailNotVerified = "email_not_verified", 403, Login, Core;
    /// A redirect target (RelayState) outside the server's origin and the allowed list.
    RedirectNotAllowed = "redirect_not_allowed", 400, Request, Core;
    /// A domain no organization may claim: a public suffix or a free email provider's domain.
    DomainNotAllowed = "domain_not_allowed", 422, Request, Core;
    /// A custom domain that is the server's own public host or a name above it.
    DomainReserved = "domain_reserved", 422, Request, Core;
    /// A slug already used in the tenant.
    SlugTaken = "slug_taken", 409, Resource, Host;
    /// A custom domain already used by another org.
    CustomDomainTaken = "custom_domain_taken", 409, Resource, Host;
    /// An email already registered in the tenant.
    EmailTaken = "email_taken", 409, Resource, Host;
    /// The user is already a member of the org.
    AlreadyMember = "already_member", 409, Resource, Host;
    /// A SCIM `userName` or group `displayName` the org's directory already uses, or an account
    /// it already provisioned.
    DirectoryConflict = "directory_conflict", 409, Resource, Host;
    /// A domain another organization of the tenant has verified.
    DomainTaken = "domain_taken", 409, Resource, Core;
    /// A domain whose challenge record was not found (the message says what was), or a name
    /// no verified domain of the org covers.
    DomainNotVerified = "domain_not_verified", 422, Resource, Core;
    /// A request body over the host's size limit.
    PayloadTooLarge = "payload_too_large", 413, Request, Host;
    /// Too many requests of this kind from this client address or for this account: retry
    /// after the time `Retry-After` gives.
    RateLimited = "rate_limited", 429, Request, Host;
    /// A feature that is not there yet.
    NotImplemented = "not_implemented", 501, Resource, Host;
    /// A failure of the host itself (storage down); never caused by input.
    InternalError = "internal_error", 500, Resource, Host;
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An orgkit error: a stable [`ErrorCode`], a readable message and, where one input is to
/// blame, the name of that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    /// The stable code.
    pub code: ErrorCode,
    /// A sentence for humans; not stable, never parse it.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Error {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Names the input field at fault.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The stable code string, e.g. `"token_expired"`.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }
}

/// `Result` with an orgkit [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error code string, in table order (for bindings and documentation).
pub fn all_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!((400..=599).contains(&code.http_status()));
        }
    }
}
