//! HTTP: one poem-openapi service of per-resource modules, plus the middleware that bounds
//! request bodies, turns every error into a coded answer, counts responses and gives each
//! request its id (`X-Request-Id`) and client address.

pub mod answer;
pub mod body;
pub mod login;
pub mod manage;
pub mod oidc;
pub mod ops;
pub mod portal;
pub mod saml;
pub mod user;
pub mod views;

use crate::error::ApiError;
use crate::request::{REQUEST_ID_HEADER, RequestContext};
use crate::state::AppState;
use orgkit_core::ErrorCode;
use poem::http::{HeaderValue, StatusCode};
use poem::PathPattern;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route};
use poem_openapi::auth::Bearer;
use poem_openapi::{OpenApiService, SecurityScheme};
use tracing::Instrument;

/// `Authorization: Bearer …`: a management key (management API) or an access token (user API).
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct BearerAuth(pub Bearer);

/// The OpenAPI service of both APIs and the operational endpoints.
pub fn openapi(state: &AppState) -> OpenApiService<impl poem_openapi::OpenApi + use<>, ()> {
    let s = || state.clone();
    OpenApiService::new(
        (
            // The management API (seed 000).
            (
                manage::orgs::Api(s()),
                manage::settings::Api(s()),
                manage::users::Api(s()),
                manage::members::Api(s()),
                manage::invitations::Api(s()),
                manage::connections::Api(s()),
                manage::domains::Api(s()),
                manage::audit::Api(s()),
                manage::scim::Api(s()),
                manage::events::Api(s()),
                manage::webhooks::Api(s()),
                manage::portal::Api(s()),
            ),
            // The user API (seed 004).
            (
                user::orgs::Api(s()),
                user::members::Api(s()),
                user::invitations::Api(s()),
                user::auth::Api(s()),
                user::audit::Api(s()),
                user::sso::Api(s()),
                user::domains::Api(s()),
                user::scim::Api(s()),
                user::oidc::Api(s()),
            ),
            saml::Api(s()),
            oidc::Api(s()),
            ops::Api(s()),
        ),
        "orgkit",
        env!("CARGO_PKG_VERSION"),
    )
    .server(state.config.public_url.clone())
}

/// The whole application, ready to serve or to drive with poem's test client.
pub fn build_app(state: AppState) -> impl Endpoint<Output = Response> {
    let service = openapi(&state);
    let spec = service.spec_endpoint();
    let docs = service.swagger_ui();
    let max_body = state.config.max_body_bytes;
    let metrics = state.metrics.clone();
    let config = state.config.clone();
    Route::new()
        .nest("/", service)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/invitations/:token", ops::invitation_page(state.clone()))
        .at("/verify-email/:token", ops::verify_email_page())
        .at("/login", login::page(state.clone()))
        .at("/login/login.js", login::script())
        .nest("/scim/v2", crate::scim::routes(state.clone()))
        .nest("/portal", portal::routes(state.clone()))
        .around(move |ep, mut req| {
            let metrics = metrics.clone();
            // Who the client is and the request's id, once per request, for the abuse limits,
            // the log and the audit log.
            let context = RequestContext::of(&req, &config.trusted_proxies);
            req.extensions_mut().insert(context.client);
            let client = context.client_text().unwrap_or_default();
            let span = tracing::info_span!("request", request_id = %context.id, %client);
            let request_id = context.id.clone();
            context.scope(
                async move {
                    let (method, path) = (req.method().clone(), redacted_path(req.uri().path()));
                    let started = std::time::Instant::now();
                    let (mut resp, route) = guard(ep, req, max_body).await;
                    metrics.record_request(method.as_str(), route.as_ref().map(|r| &*r.0), resp.status().as_u16(), started.elapsed());
                    if let Ok(value) = HeaderValue::from_str(&request_id) {
                        resp.headers_mut().insert(REQUEST_ID_HEADER, value);
                    }
                    tracing::info!(%method, %path, status = resp.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
                    Ok(resp)
                }
                .instrument(span),
            )
        })
}

/// The headers of every HTML page: its content security policy `csp`, no framing, no referrer,
/// no caching, no content sniffing.
pub(crate) fn page_headers(mut response: Response, csp: &'static str) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", csp),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The path for logs: segments long enough to be tokens (invitation links) are elided.
fn redacted_path(path: &str) -> String {
    path.split('/').map(|seg| if seg.len() > 64 { "…" } else { seg }).collect::<Vec<_>>().join("/")
}

/// Bounds the body (413 `payload_too_large`), then answers every error with its code; also
/// answers the route template that matched, for the metrics.
async fn guard<E: Endpoint>(ep: std::sync::Arc<E>, mut req: Request, max_body: usize) -> (Response, Option<PathPattern>) {
    let too_large = || ApiError::new(ErrorCode::PayloadTooLarge, format!("request body is larger than {max_body} bytes")).to_response();
    let declared = req.header("content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_body) {
        return (too_large(), None);
    }
    match req.take_body().into_bytes_limit(max_body).await {
        Ok(bytes) => req.set_body(bytes),
        Err(_) => return (too_large(), None),
    }
    match ep.call(req).await {
        Ok(resp) => {
            let resp = resp.into_response();
            let route = resp.data::<PathPattern>().cloned();
            (if is_uncoded_error(&resp) { coded_by_status(resp.status()) } else { resp }, route)
        }
        Err(err) => (ApiError::from_poem(&err).to_response(), err.data::<PathPattern>().cloned()),
    }
}

/// An error response some layer produced without our JSON body.
fn is_uncoded_error(resp: &Response) -> bool {
    // JSON bodies are ours; HTML pages carry their own message.
    let ours = resp.content_type().is_some_and(|c| c.starts_with("application/json") || c.starts_with(crate::scim::SCIM_JSON) || c.starts_with("text/html"));
    (resp.status().is_client_error() || resp.status().is_server_error()) && !ours
}

fn coded_by_status(status: StatusCode) -> Response {
    let err = poem::Error::from_status(status);
    ApiError::from_poem(&err).to_response()
}
