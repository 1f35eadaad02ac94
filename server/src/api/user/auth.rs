//! `/api/v1/auth/{signup,login,token}` and `/api/v1/me`.

use super::context;
use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::{BearerAuth, Reply, envelope};
use crate::clock;
use crate::service::login;
use crate::state::AppState;
use poem_openapi::{OpenApi, Tags};
use serde_json::json;

#[derive(Tags)]
enum Tag {
    /// User API: authentication.
    Auth,
}

/// Authentication handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Auth")]
impl Api {
    /// Create an account `{tenant?, email, password, name?}`; answers a token.
    #[oai(path = "/api/v1/auth/signup", method = "post")]
    async fn signup(&self, body: Body<Signup>) -> ApiResult<Reply> {
        Ok(Reply::Created(envelope(login::signup(&self.0, body.0).await?)))
    }

    /// Log in `{tenant?, email, password, organization?}`.
    #[oai(path = "/api/v1/auth/login", method = "post")]
    async fn login(&self, body: Body<Login>) -> ApiResult<Reply> {
        Ok(Reply::Ok(envelope(login::login(&self.0, body.0).await?)))
    }

    /// Switch the session into an organization `{organization}`.
    #[oai(path = "/api/v1/auth/token", method = "post")]
    async fn token(&self, auth: BearerAuth, body: Body<Switch>) -> ApiResult<Reply> {
        let (auth, _, _) = context(&self.0, &auth.0.token).await?;
        Ok(Reply::Ok(envelope(login::switch(&self.0, &auth, body.0).await?)))
    }

    /// The caller and the org context of their token.
    #[oai(path = "/api/v1/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> ApiResult<Reply> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        let c = &auth.claims;
        let organization = c.org_id.as_ref().map(|id| json!({ "id": id, "slug": c.org_slug, "role": c.org_role }));
        Ok(Reply::Ok(envelope(json!({
            "id": auth.user.id,
            "email": auth.user.email,
            "name": auth.user.name,
            "tenant": tenant.slug,
            "organization": organization,
            "amr": c.amr,
            "createdAt": clock::rfc3339(auth.user.created_at),
        }))))
    }
}
