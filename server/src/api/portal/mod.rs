//! `/portal`: the admin portal, where a customer's IT admin, holding a link the operator made
//! (`POST /manage/v1/{tenant}/organizations/{orgId}/portal-links`), sets up one org: SSO,
//! domains, SCIM, members, or reads its audit log. Opening the link gives a session cookie
//! (HttpOnly, one hour) for that org and that task only; every form carries the session's CSRF
//! token; pages are minijinja templates under a strict CSP, branded with the org's effective
//! settings. The pages decide nothing: each form calls the same service the APIs call, as a
//! delegate of the link's intent (core's `Actor::Delegate`).

mod pages;

use crate::error::ApiError;
use crate::service::portal::{self, PortalSession};
use crate::state::AppState;
use crate::templates;
use orgkit_core::portal::{PORTAL_SESSION_TTL_SECS, PortalIntent};
use poem::http::{HeaderValue, StatusCode};
use poem::web::{Data, Html, Path, Redirect};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler, post};

/// The session cookie's name.
const COOKIE: &str = "orgkit_portal";

/// Only this origin's script and styles, images over https, forms to this origin, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src https: data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The portal's routes, under `/portal`.
pub fn routes(state: AppState) -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/open/:token", get(open))
        .at("/assets/portal.css", get(stylesheet))
        .at("/assets/portal.js", get(script))
        .at("/assets/brand.css", get(pages::brand))
        .at("/domains", get(pages::show_domains).post(pages::add_domain))
        .at("/domains/:id/verify", post(pages::verify_domain))
        .at("/sso", get(pages::show_sso).post(pages::configure_sso))
        .at("/sso/metadata.xml", get(pages::sp_metadata))
        .at("/scim", get(pages::show_scim))
        .at("/scim/tokens", post(pages::create_scim_token))
        .at("/scim/tokens/:id/delete", post(pages::delete_scim_token))
        .at("/members", get(pages::show_members))
        .at("/members/:id/role", post(pages::change_role))
        .at("/members/:id/remove", post(pages::remove_member))
        .at("/members/invitations", post(pages::invite))
        .at("/members/invitations/:id/resend", post(pages::resend_invitation))
        .at("/members/invitations/:id/revoke", post(pages::revoke_invitation))
        .at("/audit_log", get(pages::show_audit_log))
        .data(state)
        .map_to_response()
        .after(|result| async move { result.map(secure) })
}

/// `GET /portal/open/{token}`: opens a link once and sends the browser to its page with the
/// session cookie; a forged, used or expired link shows no org (4xx).
#[handler]
async fn open(state: Data<&AppState>, token: Path<String>) -> Response {
    match portal::open(&state, &token).await {
        Ok(opened) => {
            let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
            let cookie = format!("{COOKIE}={}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={PORTAL_SESSION_TTL_SECS}{secure}", opened.session);
            let mut response = Redirect::see_other(format!("/portal/{}", opened.intent.as_str())).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert("set-cookie", value);
            }
            response
        }
        Err(e) => refused(&e),
    }
}

/// The caller's portal session for page `page`: none (or another task's) is refused.
async fn session(state: &AppState, req: &Request, page: PortalIntent) -> Result<PortalSession, Response> {
    let token = req
        .header("cookie")
        .and_then(|cookies| cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(name, _)| *name == COOKIE).map(|(_, v)| v.to_owned()));
    let session = match token {
        Some(token) => portal::session(state, &token).await.map_err(|e| refused(&e))?,
        None => None,
    };
    match session {
        Some(s) if s.grant.intent == page => Ok(s),
        Some(_) => Err(refused(&ApiError::not_found("page"))),
        None => Err(refused(&ApiError::new(orgkit_core::ErrorCode::Unauthenticated, "your portal session has ended or never began: ask for a new link"))),
    }
}

/// A refusal that names no org.
fn refused(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let html = templates::render("portal/refused.html", minijinja::context! { message => &e.inner.message })
        .unwrap_or_else(|_| "This link cannot be used.".to_owned());
    Html(html).with_status(status).into_response()
}

#[handler]
fn stylesheet() -> Response {
    templates::PORTAL_CSS.with_content_type("text/css; charset=utf-8").into_response()
}

#[handler]
fn script() -> Response {
    templates::PORTAL_JS.with_content_type("text/javascript; charset=utf-8").into_response()
}

fn secure(response: Response) -> Response {
    super::page_headers(response, CSP)
}
