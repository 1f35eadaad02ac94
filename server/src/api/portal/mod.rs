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
use orgkit_core::portal::PortalIntent;
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
        .at("/", get(index))
        .at("/open/:token", get(open))
        .at("/session", post(sign_in))
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
            with_cookie(&state, Redirect::see_other(format!("/portal/{}", opened.first_page.as_str())).into_response(), &opened)
        }
        Err(e) => refused(&e),
    }
}

/// `POST /portal/session` with `Authorization: Bearer <org access token>`: an owner or admin
/// signed in through the normal login gets a portal session of the org their token names;
/// answers `{location}`, the page to open. (A bearer header is never sent by a cross-site form,
/// so this needs no CSRF token.)
#[handler]
async fn sign_in(state: Data<&AppState>, req: &Request) -> Response {
    let token = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or_default();
    let opened = async {
        let (auth, tenant, caller) = crate::api::user::context(&state, token).await?;
        portal::sign_in(&state, &auth, tenant, caller).await
    };
    match opened.await {
        Ok(opened) => {
            let body = serde_json::json!({ "location": format!("/portal/{}", opened.first_page.as_str()) });
            with_cookie(&state, poem::web::Json(body).into_response(), &opened)
        }
        Err(e) => e.to_response(),
    }
}

/// `GET /portal`: a session's first page, or how to get one.
#[handler]
async fn index(state: Data<&AppState>, req: &Request) -> Response {
    match current(&state, req).await {
        Ok(Some(s)) => {
            let first = match s.scope {
                portal::Scope::Link(intent) => intent,
                portal::Scope::Member => PortalIntent::Members,
            };
            Redirect::see_other(format!("/portal/{}", first.as_str())).into_response()
        }
        Ok(None) => refused(&ApiError::new(
            orgkit_core::ErrorCode::Unauthenticated,
            "open the link you were sent, or sign in to your organization with ?next=portal on its login page",
        )),
        Err(response) => response,
    }
}

fn with_cookie(state: &AppState, mut response: Response, opened: &portal::Opened) -> Response {
    let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={}{secure}", opened.session, opened.lifetime);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert("set-cookie", value);
    }
    response
}

/// The caller's portal session for page `page`: none (or another task's) is refused.
async fn session(state: &AppState, req: &Request, page: PortalIntent) -> Result<PortalSession, Response> {
    match current(state, req).await? {
        Some(s) if s.scope.shows(page) => Ok(s),
        Some(_) => Err(refused(&ApiError::not_found("page"))),
        None => Err(refused(&ApiError::new(orgkit_core::ErrorCode::Unauthenticated, "your portal session has ended or never began: ask for a new link"))),
    }
}

/// The caller's portal session, if its cookie names a live one.
pub(super) async fn current(state: &AppState, req: &Request) -> Result<Option<PortalSession>, Response> {
    let token = req
        .header("cookie")
        .and_then(|cookies| cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(name, _)| *name == COOKIE).map(|(_, v)| v.to_owned()));
    match token {
        Some(token) => portal::session(state, &token).await.map_err(|e| refused(&e)),
        None => Ok(None),
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
