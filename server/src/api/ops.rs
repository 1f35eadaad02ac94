//! Operational endpoints (`/healthz`, `/readyz`, `/metrics`, JWKS) and the invitation page.

use crate::api::answer::{Json, Ok200};
use crate::auth::verify_options;
use crate::error::{ApiError, ApiResult};
use crate::keys;
use crate::templates;
use crate::state::AppState;
use orgkit_core::token::verify_invitation;
use poem::http::StatusCode;
use poem::web::Html;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::payload::PlainText;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Serialize;

#[derive(Tags)]
enum Tag {
    /// Operations.
    Operations,
}

/// A health answer.
#[derive(Object, Serialize)]
pub struct Health {
    /// `ok`, `ready`, or what is wrong.
    pub status: String,
}

impl Health {
    fn of(status: &str) -> Json<Health> {
        Json(Health { status: status.to_owned() })
    }
}

/// A JSON Web Key Set (RFC 7517).
#[derive(Object, Serialize)]
pub struct Jwks {
    /// The public keys that verify this server's tokens, current and retiring.
    pub keys: Vec<serde_json::Value>,
}

/// Readiness answer.
#[derive(ApiResponse)]
pub enum Ready {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database does not answer.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

/// Operational handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Operations")]
impl Api {
    /// Liveness.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Ok200<Health> {
        Ok200::Ok(Health::of("ok"))
    }

    /// Readiness: the database is reachable.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Ready {
        if self.0.store.ping().await {
            Ready::Ready(Health::of("ready"))
        } else {
            Ready::NotReady(Health::of("database unreachable"))
        }
    }

    /// Prometheus metrics (text exposition); `not_found` here when `ORGKIT_METRICS_BIND` serves
    /// them on a listener of their own.
    #[oai(path = "/metrics", method = "get")]
    async fn metrics(&self) -> ApiResult<PlainText<String>> {
        if self.0.config.metrics_bind.is_some() {
            return Err(ApiError::new(orgkit_core::ErrorCode::NotFound, "no such resource"));
        }
        Ok(PlainText(self.0.metrics.render(self.0.store.pool())))
    }

    /// The public keys that verify this server's tokens.
    #[oai(path = "/.well-known/jwks.json", method = "get")]
    async fn jwks(&self) -> ApiResult<Ok200<Jwks>> {
        Ok(Ok200::Ok(Json(Jwks { keys: keys::public_jwks(&self.0.store).await? })))
    }
}

/// The listener of `ORGKIT_METRICS_BIND`: `GET /metrics` and nothing else.
pub fn metrics_app(state: AppState) -> impl Endpoint<Output = Response> {
    let scrape = poem::endpoint::make_sync(move |_| state.metrics.render(state.store.pool()));
    poem::Route::new().at("/metrics", poem::get(scrape))
}

/// `GET /invitations/{token}`: the page a link in an invitation email opens.
pub fn invitation_page(state: AppState) -> impl Endpoint<Output = Response> {
    poem::endpoint::make(move |req: Request| {
        let state = state.clone();
        async move {
            let token = req.path_params::<String>().unwrap_or_default();
            match invitation_html(&state, &token).await {
                Ok(html) => Ok::<Response, poem::Error>(Html(html).into_response()),
                Err(e) => {
                    let status = StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                    Ok(Html(super::login::message_page("Invitation", &e.inner.message)).with_status(status).into_response())
                }
            }
        }
    })
}

async fn invitation_html(state: &AppState, token: &str) -> ApiResult<String> {
    let opts = verify_options(state, state.store.now());
    let claims = keys::with_keys(&state.keys, &state.store, |keys| verify_invitation(token, keys, &opts, None)).await?;
    let org = state.store.org_by_id_any_tenant(&claims.org_id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
    let tenant = state.store.tenant_by_id(&org.tenant_id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
    let eff = crate::service::orgs::effective(&tenant, &org)?;
    let accept_url = format!("/api/v1/organizations/invitations/{token}/accept");
    let context = minijinja::context! {
        name => &org.name,
        color => &eff.primary_color.value,
        email => &claims.email,
        role => claims.role.as_str(),
        accept_url,
    };
    templates::render("pages/invitation.html", context).map_err(ApiError::internal)
}

/// `GET /verify-email/{token}`: the page a verification email's link opens; its button posts
/// the token to `/api/v1/auth/verify-email` (a GET verifies nothing, so a mail scanner that
/// follows links proves nothing). Tokens are base64url: anything else is no link of ours.
pub fn verify_email_page() -> impl Endpoint<Output = Response> {
    poem::endpoint::make_sync(|req: Request| {
        let token = req.path_params::<String>().unwrap_or_default();
        let shaped = (1..=128).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !shaped {
            return Html(super::login::message_page("Confirm your email", "This is not a verification link of this server."))
                .with_status(StatusCode::NOT_FOUND)
                .into_response();
        }
        let page = templates::render("pages/verify_email.html", minijinja::context! { token }).unwrap_or_default();
        Html(page)
        .into_response()
    })
}
