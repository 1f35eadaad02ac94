//! Request bodies: documented in the OpenAPI document by a schema type, parsed by core.
//!
//! Core's parsers decide what a body means (merge-patch `null` vs absent, unknown fields,
//! coded validation errors), so handlers receive the JSON value; the schema types below only
//! describe it for `/openapi.json` and `/docs`.

use poem::{Request, RequestBody};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{Object, impl_apirequest_for_payload};
use serde_json::Value;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A JSON body documented as `T`.
pub struct Body<T>(pub Value, PhantomData<fn() -> T>);

impl<T: Type> Payload for Body<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        <Json<Value> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type> ParsePayload for Body<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let json = <Json<Value> as ParsePayload>::from_request(request, body).await?;
        Ok(Body(json.0, PhantomData))
    }
}

impl_apirequest_for_payload!(Body<T>, T: Type);

/// The request schemas that carry settings, each setting's field and doc from core's table
/// ([`orgkit_core::for_each_setting`]).
macro_rules! settings_bodies {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $camel:literal, $parse:expr, $kind:ident($($arg:tt)*); )*) => {
        /// Seed 000's org fields: each setting `null` clears the override (inherit again).
        #[derive(Object)]
        #[oai(rename_all = "snake_case")]
        pub struct OrganizationFields {
            /// Display name, 1-100 characters.
            pub name: Option<String>,
            /// Lowercase letters, digits and single hyphens, unique per tenant.
            pub slug: Option<String>,
            /// Free-form object (merge-patched; bounded size and depth).
            pub metadata: Option<BTreeMap<String, Value>>,
            $( $(#[$doc])* pub $name: Option<$ty>, )*
        }

        /// Seed 004's org fields (camelCase; settings may also be spelled snake_case).
        #[derive(Object)]
        #[oai(rename_all = "camelCase")]
        pub struct OrganizationFieldsCamel {
            /// Display name, 1-100 characters.
            pub name: Option<String>,
            /// Lowercase letters, digits and single hyphens, unique per tenant.
            pub slug: Option<String>,
            /// Free-form object (merge-patched; bounded size and depth).
            pub metadata: Option<BTreeMap<String, Value>>,
            $( $(#[$doc])* pub $name: Option<$ty>, )*
        }

        /// Tenant defaults (the org fields' settings) plus `floors` and `allowed_redirect_urls`.
        #[derive(Object)]
        #[oai(rename_all = "snake_case")]
        pub struct TenantSettingsFields {
            $( $(#[$doc])* pub $name: Option<$ty>, )*
            /// Least strict values an org may set (`password_min_length`, `require_mfa`,
            /// `max_login_attempts`, `session_ttl_hours`, `lockout_duration_minutes`).
            pub floors: Option<BTreeMap<String, Value>>,
            /// Where a browser may go after an SSO login besides this server's origin: absolute
            /// https URLs (http on localhost), matched exactly, at most 50; `null` empties the list.
            pub allowed_redirect_urls: Option<Vec<String>>,
        }
    };
}
orgkit_core::for_each_setting!(settings_bodies);

/// `{email, name?, password?}`.
#[derive(Object)]
#[oai(rename_all = "snake_case")]
pub struct NewUser {
    /// Email, unique per tenant.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Checked against the tenant's password rules.
    pub password: Option<String>,
}

/// `{user_id, role}`.
#[derive(Object)]
#[oai(rename_all = "snake_case")]
pub struct NewMember {
    /// A user of the tenant.
    pub user_id: String,
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
}

/// `{role}`.
#[derive(Object)]
pub struct RoleChange {
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
}

/// `{email, role}`.
#[derive(Object)]
pub struct NewInvitation {
    /// Invited email.
    pub email: String,
    /// Role granted on acceptance.
    pub role: String,
}

/// A SAML connection.
#[derive(Object)]
#[oai(rename_all = "snake_case")]
pub struct NewConnection {
    /// Display name.
    pub name: String,
    /// The IdP's entity id.
    pub entity_id: String,
    /// The IdP's SSO URL (https).
    pub sso_url: String,
    /// The IdP's signing certificate, PEM.
    pub certificate: String,
    /// Email domains routed to this connection.
    pub email_domains: Option<Vec<String>>,
}

/// `{connection_id}`.
#[derive(Object)]
#[oai(rename_all = "snake_case")]
pub struct EnableConnection {
    /// A connection of the tenant.
    pub connection_id: String,
}

/// `{}` with a bearer token, or `{password, name?}` to create the account.
#[derive(Object)]
pub struct Accept {
    /// Password of the new account (checked against the org's rules).
    pub password: Option<String>,
    /// Display name of the new account.
    pub name: Option<String>,
}

/// `{tenant?, email, password, name?}`.
#[derive(Object)]
pub struct Signup {
    /// Tenant slug (default `default`).
    pub tenant: Option<String>,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Display name.
    pub name: Option<String>,
}

/// `{tenant?, email, password, organization?, totp?}`.
#[derive(Object)]
pub struct Login {
    /// Tenant slug (default `default`).
    pub tenant: Option<String>,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Org id or slug: the token then carries org claims and the org's policy applies.
    pub organization: Option<String>,
    /// Code of the user's TOTP factor: needed when the org requires MFA or the user enrolled
    /// one (else 401 `mfa_required`). Without a confirmed factor, a code of the enrolment
    /// that `mfa_enrollment_required` answered confirms it. Each code is accepted once; a
    /// wrong code counts as a failed login.
    pub totp: Option<String>,
}

/// `{organization, totp?}`.
#[derive(Object)]
pub struct Switch {
    /// Org id or slug.
    pub organization: String,
    /// Step-up: a TOTP code, when the org requires MFA and the session did not perform it.
    pub totp: Option<String>,
}

/// `{code}`.
#[derive(Object)]
pub struct TotpCode {
    /// The 6-digit code the authenticator app shows for the pending enrolment.
    pub code: String,
}

/// `{currentPassword, newPassword}`.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct PasswordChange {
    /// The password now in force.
    pub current_password: String,
    /// Its replacement: checked against the effective rules of the org in the token (the
    /// tenant's without one).
    pub new_password: String,
}

/// `{tenant?, email, organization?}`.
#[derive(Object)]
pub struct Discover {
    /// Tenant slug (default `default`).
    pub tenant: Option<String>,
    /// The email typed.
    pub email: String,
    /// Org id or slug, when logging into one.
    pub organization: Option<String>,
}

/// Seed 004's SAML configuration.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct SsoConfig {
    /// The IdP's entity id.
    pub entity_id: String,
    /// The IdP's SSO URL.
    pub sso_url: String,
    /// The IdP's signing certificate, PEM.
    pub certificate: String,
    /// Email domain routed to the org.
    pub email_domain: String,
}

/// `{domain}`: a domain the org claims.
#[derive(Object)]
pub struct NewDomain {
    /// The domain, e.g. `acme.com` (not a public suffix nor a free-mail provider).
    pub domain: String,
}

/// `{domain, verified?}`: a domain the operator claims for an org, verified outright if it says so.
#[derive(Object)]
pub struct NewManagedDomain {
    /// The domain.
    pub domain: String,
    /// `true`: the operator vouches for it, no DNS record needed.
    pub verified: Option<bool>,
}

/// `{token}`: the token of an email verification link.
#[derive(Object)]
pub struct EmailVerification {
    /// The token the verification email carried.
    pub token: String,
}
