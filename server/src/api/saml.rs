//! `/saml/{connectionId}/login` and `/saml/{connectionId}/acs`: the browser side of SAML SSO.

use crate::api::answer::{Envelope, Json, enveloped};
use crate::api::views::auth::AccessToken;
use crate::service::tokens::IssuedToken;
use crate::error::ApiResult;
use crate::rate_limit::ClientAddress;
use crate::service::saml;
use crate::service::idp::SsoOutcome;
use crate::state::AppState;
use orgkit_core::rate_limit::LimitedAction;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Form;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// SAML service provider endpoints.
    Saml,
}

/// The HTTP-POST binding's form.
#[derive(Debug, Object, serde::Deserialize)]
pub struct AcsForm {
    /// The base64 SAML response.
    #[oai(rename = "SAMLResponse")]
    #[serde(rename = "SAMLResponse")]
    pub saml_response: String,
    /// Where to send the browser afterwards: this server's origin (not its `/saml`, `/login`
    /// or `/docs` routes) or one of the tenant's `allowed_redirect_urls`.
    #[oai(rename = "RelayState")]
    #[serde(rename = "RelayState")]
    pub relay_state: Option<String>,
}

/// An SSO answer (SAML and OIDC): JSON for API clients, a redirect for browsers.
#[derive(ApiResponse)]
pub enum SsoReply {
    /// `{"success": true, "data": {accessToken, …}}` (ACS or callback with `Accept: application/json`).
    #[oai(status = 200)]
    Ok(Json<Envelope<AccessToken>>),
    /// To the IdP with the AuthnRequest or authorization request (login).
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
    /// To the RelayState target, the token in the fragment (ACS, callback).
    #[oai(status = 303)]
    SeeOther(#[oai(header = "Location")] String),
}

/// SAML handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Saml")]
impl Api {
    /// Start an SP-initiated login: redirects to the IdP (HTTP-Redirect binding). Rate limited
    /// per client address (each start stores a request).
    #[oai(path = "/saml/:connection_id/login", method = "get")]
    async fn login(&self, req: &Request, connection_id: Path<String>, #[oai(name = "RelayState")] relay_state: Query<Option<String>>) -> ApiResult<SsoReply> {
        self.0.limits.check(LimitedAction::SamlStart, ClientAddress::of(req), None)?;
        Ok(SsoReply::Found(saml::login(&self.0, &connection_id, relay_state.0.as_deref()).await?))
    }

    /// Assertion consumer service (HTTP-POST binding).
    #[oai(path = "/saml/:connection_id/acs", method = "post")]
    async fn acs(&self, connection_id: Path<String>, #[oai(name = "Accept")] accept: Header<Option<String>>, form: Form<AcsForm>) -> ApiResult<SsoReply> {
        let json = accept.0.as_deref().is_some_and(|a| a.contains("application/json"));
        let out = saml::acs(&self.0, &connection_id, &form.0.saml_response, form.0.relay_state.as_deref(), json).await?;
        Ok(SsoReply::of(out))
    }
}

impl SsoReply {
    /// A completed login: its token as JSON, or the browser sent on with it in the fragment.
    pub(crate) fn of(out: SsoOutcome) -> SsoReply {
        match out.redirect {
            None => SsoReply::Ok(enveloped(AccessToken::from(out.token))),
            Some(target) => SsoReply::SeeOther(with_token_fragment(&target, &out.token)),
        }
    }
}

/// `target#access_token=…&token_type=Bearer&expires_in=…` (the fragment never reaches a server).
pub(crate) fn with_token_fragment(target: &str, token: &IssuedToken) -> String {
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("access_token", &token.token);
    fragment.append_pair("token_type", "Bearer");
    fragment.append_pair("expires_in", &token.lifetime_seconds.to_string());
    format!("{target}#{}", fragment.finish())
}
