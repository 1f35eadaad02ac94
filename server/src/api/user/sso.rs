//! `/api/v1/organizations/{id}/sso[/metadata]`: the org's own SAML connection.

use super::context;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Envelope, Null, Ok200, Upserted, deleted, enveloped};
use crate::api::views::sso::SsoConfiguration;
use crate::service::sso::{self, Configured};
use crate::error::ApiResult;
use crate::state::AppState;
use poem_openapi::param::Path;
use poem_openapi::payload::PlainText;
use poem_openapi::{ApiResponse, OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: SAML SSO.
    Sso,
}

/// The SP metadata document.
#[derive(ApiResponse)]
pub enum MetadataReply {
    /// SAML 2.0 metadata of the service provider (entity id, ACS URL).
    #[oai(status = 200, content_type = "application/samlmetadata+xml")]
    Xml(PlainText<String>),
}

/// SSO handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Sso")]
impl Api {
    /// SAML SP metadata of the organization's connection (owner or admin).
    #[oai(path = "/api/v1/organizations/:id/sso/metadata", method = "get")]
    async fn metadata(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<MetadataReply> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        Ok(MetadataReply::Xml(PlainText(sso::metadata(&self.0, &tenant, &caller, &id).await?)))
    }

    /// Configure SAML SSO `{entityId, ssoUrl, certificate, emailDomain}` (owner): creates or
    /// replaces the org's connection and enables it.
    #[oai(path = "/api/v1/organizations/:id/sso", method = "post")]
    async fn configure(&self, auth: BearerAuth, id: Path<String>, body: Body<SsoConfig>) -> ApiResult<Upserted<Envelope<SsoConfiguration>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let (conn, outcome) = sso::configure(&self.0, &tenant, &caller, &id, &body.0).await?;
        let data = enveloped(SsoConfiguration::new(&self.0.config.public_url, &id, conn)?);
        Ok(match outcome {
            Configured::Created => Upserted::Created(data),
            Configured::Replaced => Upserted::Ok(data),
        })
    }

    /// Disable SSO (owner); answers like the user API's other deletes.
    #[oai(path = "/api/v1/organizations/:id/sso", method = "delete")]
    async fn disable(&self, auth: BearerAuth, id: Path<String>) -> ApiResult<Ok200<Envelope<Null>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        sso::disable(&self.0, &tenant, &caller, &id).await?;
        Ok(deleted())
    }
}
