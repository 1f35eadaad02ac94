//! Request bodies: handlers receive the JSON value and the service (or core) parses it, so
//! unknown fields and bad values get core's coded errors; `Body<T>` documents it by `T`.
//!
//! A body the service parses is documented by the service's own type (it derives `Object`
//! beside `Deserialize`, re-exported below); the bodies core parses (merge-patches of an org or
//! the tenant's settings, SAML connections) are documented by the schema types here, the settings
//! ones generated from core's setting table.

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

/// A JSON body documented as `T` that may be left out (no body at all): `None`.
pub struct OptionalBody<T>(pub Option<Value>, PhantomData<fn() -> T>);

impl<'a, T: Type> poem_openapi::ApiExtractor<'a> for OptionalBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] = &[poem_openapi::ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType { content_type: "application/json", schema: T::schema_ref() }],
            required: false,
        })
    }

    async fn from_request(request: &'a Request, body: &mut RequestBody, _: poem_openapi::ExtractParamOptions<()>) -> poem::Result<Self> {
        let bytes = body.take()?.into_bytes().await?;
        if bytes.is_empty() {
            return Ok(OptionalBody(None, PhantomData));
        }
        match request.content_type() {
            Some(content_type) if <Json<Value> as Payload>::check_content_type(content_type) => {
                let value = serde_json::from_slice(&bytes).map_err(|e| poem_openapi::error::ParseRequestPayloadError { reason: e.to_string() })?;
                Ok(OptionalBody(Some(value), PhantomData))
            }
            Some(content_type) => Err(poem_openapi::error::ContentTypeError::NotSupported { content_type: content_type.to_owned() }.into()),
            None => Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}

pub use crate::service::accept::Accept;
pub use crate::service::connections::EnableConnection;
pub use crate::service::discovery::Discover;
pub use crate::service::domains::{OperatorClaim as NewManagedDomain, OwnerClaim as NewDomain};
pub use crate::service::email_verification::Verify as EmailVerification;
pub use crate::service::scim_tokens::OperatorTokenRequest as ScimTokenRequest;
pub use crate::service::invitations::NewInvitation;
pub use crate::service::login::{Login, Signup, Switch};
pub use crate::service::members::{AddMember as NewMember, RoleChange};
pub use crate::service::mfa::VerifyCode as TotpCode;
pub use crate::service::password_change::PasswordChange;
pub use crate::service::portal::LinkRequest as PortalLinkRequest;
pub use crate::service::users::NewUser;
pub use crate::service::webhooks::{EndpointPatch as WebhookEndpointPatch, NewEndpoint as NewWebhookEndpoint};

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
    /// The SAML attribute carrying the user's IdP groups: roles then follow the orgs'
    /// `group_role_mappings` at each login.
    pub groups_attribute: Option<String>,
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
    /// The SAML attribute carrying the user's IdP groups: roles then follow the org's
    /// `groupRoleMappings` at each login.
    pub groups_attribute: Option<String>,
}

/// An org's OpenID Connect configuration.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct OidcConfig {
    /// The provider's issuer URL (https), exactly as its discovery document and ID tokens name it.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (stored encrypted, never answered).
    pub client_secret: String,
    /// Email domain routed to the org (a pending domain claim until verified).
    pub email_domain: String,
    /// The ID token claim carrying the user's groups: roles then follow the org's
    /// `groupRoleMappings` at each login.
    pub groups_claim: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::views::tests::documented;
    use serde::de::DeserializeOwned;
    use std::collections::BTreeSet;

    /// The fields `T`'s parser accepts, as serde names them when it refuses an unknown one.
    fn parsed<T: DeserializeOwned>() -> BTreeSet<String> {
        let refusal = serde_json::from_value::<T>(serde_json::json!({ "__probe__": 0 })).err().expect("unknown fields are refused").to_string();
        let expected = refusal.split_once("expected").map(|(_, list)| list).unwrap_or_default();
        expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
    }

    fn same_fields<T: Type + DeserializeOwned>() {
        assert_eq!(documented::<T>(), parsed::<T>(), "{}", T::name());
    }

    /// Each body a service parses is documented by the type it parses with: the schema names
    /// exactly the fields the parser accepts.
    #[test]
    fn documented_bodies_are_the_parsed_ones() {
        same_fields::<NewUser>();
        same_fields::<NewMember>();
        same_fields::<RoleChange>();
        same_fields::<NewInvitation>();
        same_fields::<EnableConnection>();
        same_fields::<Accept>();
        same_fields::<Signup>();
        same_fields::<Login>();
        same_fields::<Switch>();
        same_fields::<TotpCode>();
        same_fields::<PasswordChange>();
        same_fields::<Discover>();
        same_fields::<NewDomain>();
        same_fields::<NewManagedDomain>();
        same_fields::<EmailVerification>();
        same_fields::<ScimTokenRequest>();
    }
}
