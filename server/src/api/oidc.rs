//! `/oidc/{connectionId}/login` and `/oidc/{connectionId}/callback`: the browser side of an
//! org's OpenID Connect SSO.

use crate::api::saml::SsoReply;
use crate::error::ApiResult;
use crate::rate_limit::ClientAddress;
use crate::service::oidc::{self, Callback};
use crate::state::AppState;
use orgkit_core::rate_limit::LimitedAction;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// OpenID Connect relying party endpoints.
    Oidc,
}

/// OIDC handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Oidc")]
impl Api {
    /// Start a login: redirects to the provider (authorization code flow with PKCE, `state` and
    /// `nonce`). `RelayState`: where the browser goes afterwards (this server's origin or one of
    /// the tenant's allowed redirect URLs). Rate limited per client address, as SAML starts are.
    #[oai(path = "/oidc/:connection_id/login", method = "get")]
    async fn login(&self, req: &Request, connection_id: Path<String>, #[oai(name = "RelayState")] relay_state: Query<Option<String>>) -> ApiResult<SsoReply> {
        self.0.limits.check(LimitedAction::SamlStart, ClientAddress::of(req), None)?;
        Ok(SsoReply::Found(oidc::login(&self.0, &connection_id, relay_state.0.as_deref()).await?))
    }

    /// The provider's redirect back (`code` and `state`, or `error`): the org's token as JSON
    /// (`Accept: application/json`) or a 303 to the login's target with it in the fragment.
    #[oai(path = "/oidc/:connection_id/callback", method = "get")]
    async fn callback(
        &self,
        connection_id: Path<String>,
        code: Query<Option<String>>,
        state: Query<Option<String>>,
        error: Query<Option<String>>,
        #[oai(name = "Accept")] accept: Header<Option<String>>,
    ) -> ApiResult<SsoReply> {
        let json = accept.0.as_deref().is_some_and(|a| a.contains("application/json"));
        let answer = Callback { code: code.0.as_deref(), state: state.0.as_deref(), error: error.0.as_deref() };
        Ok(SsoReply::of(oidc::callback(&self.0, &connection_id, answer, json).await?))
    }
}
