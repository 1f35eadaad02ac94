//! SSO connections and domain claims.

use super::{both_cases, time};
use crate::error::{ApiError, ApiResult};
use crate::saml::SpUrls;
use crate::store::connections::ConnectionRow;
use crate::store::domains::DomainRow;
use orgkit_core::domain::{DomainChallenge, DomainStatus, domain_challenge};
use poem_openapi::Object;
use serde::Serialize;

/// A SAML connection (management API); the certificate is not echoed.
#[derive(Object, Serialize)]
pub struct Connection {
    /// Id.
    pub id: String,
    /// `saml`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Display name.
    pub name: String,
    /// The IdP's entity id.
    pub entity_id: String,
    /// The IdP's SSO URL.
    pub sso_url: String,
    /// Email domains routed to this connection.
    pub email_domains: Vec<String>,
    /// The SAML attribute carrying the user's IdP groups, `null` when roles do not follow them.
    #[oai(nullable)]
    pub groups_attribute: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
}

impl Connection {
    /// The view of `c`.
    pub fn new(c: ConnectionRow) -> ApiResult<Connection> {
        Ok(Connection {
            email_domains: c.email_domains()?,
            created_at: time(c.created_at),
            id: c.id,
            kind: c.kind,
            name: c.name,
            entity_id: c.entity_id,
            sso_url: c.sso_url,
            groups_attribute: c.groups_attribute,
        })
    }
}

/// An org's own SAML configuration (user API, seed 004), with the URLs to give the IdP; the
/// certificate is not echoed.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct SsoConfiguration {
    /// The connection's id.
    pub id: String,
    /// The org.
    pub organization_id: String,
    /// `saml`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The IdP's entity id.
    pub entity_id: String,
    /// The IdP's SSO URL.
    pub sso_url: String,
    /// The email domain routed to the org.
    #[oai(nullable)]
    pub email_domain: Option<String>,
    /// The SAML attribute carrying the user's IdP groups, `null` when roles do not follow them.
    #[oai(nullable)]
    pub groups_attribute: Option<String>,
    /// Always `true`: configuring enables it.
    pub enabled: bool,
    /// This server's entity id for the connection.
    pub sp_entity_id: String,
    /// Where the IdP posts its responses.
    pub acs_url: String,
    /// Where a login through this connection starts.
    pub login_url: String,
    /// Created (RFC 3339).
    pub created_at: String,
}

impl SsoConfiguration {
    /// The view of connection `c` of org `org_id`, served at `public_url`.
    pub fn new(public_url: &str, org_id: &str, c: ConnectionRow) -> ApiResult<SsoConfiguration> {
        let urls = SpUrls::new(public_url, &c.id);
        Ok(SsoConfiguration {
            organization_id: org_id.to_owned(),
            email_domain: c.email_domains()?.into_iter().next(),
            enabled: true,
            sp_entity_id: urls.entity_id,
            acs_url: urls.acs_url,
            login_url: urls.login_url,
            created_at: time(c.created_at),
            id: c.id,
            kind: c.kind,
            entity_id: c.entity_id,
            sso_url: c.sso_url,
            groups_attribute: c.groups_attribute,
        })
    }
}

/// The DNS record that proves a claim.
#[derive(Object, Serialize)]
pub struct DomainVerification {
    /// Always `dns_txt`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The record's name, `_orgkit-challenge.{domain}`.
    pub name: String,
    /// The TXT value to publish.
    pub value: String,
}

impl From<DomainChallenge> for DomainVerification {
    fn from(c: DomainChallenge) -> DomainVerification {
        DomainVerification { kind: c.kind, name: c.name, value: c.value }
    }
}

both_cases! {
    /// A domain an org claims; `verification` while it is pending.
    Domain / DomainCamel {
        /// Id.
        pub id: String,
        /// The domain.
        pub domain: String,
        /// `pending` or `verified`.
        pub status: String,
        /// What proved it (`dns` or `operator`), `null` while pending.
        #[oai(nullable)]
        pub verified_by: Option<String>,
        /// When it was last verified (RFC 3339).
        #[oai(nullable)]
        pub verified_at: Option<String>,
        /// Created (RFC 3339).
        pub created_at: String,
        /// The record to publish, while pending.
        #[oai(skip_serializing_if_is_none)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub verification: Option<DomainVerification>,
    }
}

macro_rules! domain_from {
    ($view:ident) => {
        impl $view {
            /// The view of `row`.
            pub fn new(row: DomainRow) -> ApiResult<$view> {
                let verification = match row.status()? {
                    DomainStatus::Pending => Some(domain_challenge(&row.domain, &row.token).map_err(ApiError::from)?.into()),
                    DomainStatus::Verified => None,
                };
                Ok($view {
                    status: row.status,
                    verified_at: row.verified_at.map(time),
                    created_at: time(row.created_at),
                    verification,
                    verified_by: row.proof,
                    id: row.id,
                    domain: row.domain,
                })
            }
        }
    };
}
domain_from!(Domain);
domain_from!(DomainCamel);

/// An org's own OpenID Connect configuration (user API), with the URLs to give the provider;
/// the client secret is never echoed.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct OidcConfiguration {
    /// The connection's id.
    pub id: String,
    /// The org.
    pub organization_id: String,
    /// `oidc`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The provider's issuer.
    pub issuer: String,
    /// The client id at the provider.
    pub client_id: String,
    /// The email domain routed to the org.
    #[oai(nullable)]
    pub email_domain: Option<String>,
    /// The ID token claim carrying the user's groups, `null` when roles do not follow them.
    #[oai(nullable)]
    pub groups_claim: Option<String>,
    /// Always `true`: configuring enables it.
    pub enabled: bool,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// Where a login through this connection starts.
    pub login_url: String,
    /// Created (RFC 3339).
    pub created_at: String,
}

impl OidcConfiguration {
    /// The view of OIDC connection `c` of org `org_id` with client id `client_id`, served at
    /// `public_url`.
    pub fn new(public_url: &str, org_id: &str, client_id: String, c: ConnectionRow) -> ApiResult<OidcConfiguration> {
        Ok(OidcConfiguration {
            organization_id: org_id.to_owned(),
            email_domain: c.email_domains()?.into_iter().next(),
            enabled: true,
            redirect_uri: crate::service::oidc::callback_url(public_url, &c.id),
            login_url: crate::service::oidc::login_url(public_url, &c.id),
            created_at: time(c.created_at),
            client_id,
            groups_claim: c.groups_attribute,
            issuer: c.entity_id,
            id: c.id,
            kind: c.kind,
        })
    }
}
