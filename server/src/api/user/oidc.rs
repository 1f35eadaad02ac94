//! `/api/v1/organizations/{id}/oidc`: the org's own OpenID Connect connection.

use super::context;
use crate::api::BearerAuth;
use crate::api::answer::{Envelope, Null, Ok200, Upserted, deleted, enveloped, ok};
use crate::api::body::*;
use crate::api::views::sso::OidcConfiguration;
use crate::error::ApiResult;
use crate::service::oidc::{self, Configured};
use crate::state::AppState;
use poem_openapi::param::Path;
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: OpenID Connect SSO.
    Oidc,
}

/// OIDC configuration handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Oidc")]
impl Api {
    /// Configure OpenID Connect SSO `{issuer, clientId, clientSecret, emailDomain, groupsClaim?}`
    /// (owner): the provider is discovered first (400 `oidc_invalid_response` when it does not
    /// answer); creates or replaces the org's OIDC connection and enables it. Register
    /// `redirectUri` at the provider.
    #[oai(path = "/api/v1/organizations/:id/oidc", method = "post")]
    async fn configure(&self, auth: BearerAuth, id: Path<String>, body: Body<OidcConfig>) -> ApiResult<Upserted<Envelope<OidcConfiguration>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (conn, client, outcome) = oidc::configure(&self.0, &tenant, &caller, &id, &body.0).await?;
        let data = enveloped(OidcConfiguration::new(&self.0.config.public_url, &id, client.client_id, conn)?);
        Ok(match outcome {
            Configured::Created => Upserted::Created(data),
            Configured::Replaced => Upserted::Ok(data),
        })
    }

    /// The org's OIDC configuration (owner or admin); the secret is never answered.
    #[oai(path = "/api/v1/organizations/:id/oidc", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Ok200<Envelope<OidcConfiguration>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (conn, client) = oidc::get(&self.0, &tenant, &caller, &id).await?;
        Ok(ok(OidcConfiguration::new(&self.0.config.public_url, &id, client.client_id, conn)?))
    }

    /// Disable OIDC SSO (owner); answers like the user API's other deletes.
    #[oai(path = "/api/v1/organizations/:id/oidc", method = "delete")]
    async fn disable(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        oidc::disable(&self.0, &tenant, &caller, &id).await?;
        Ok(deleted())
    }
}
