//! `GET /login`: the sign-in page, branded with the org's effective settings (the tenant's
//! where the org sets none). The org is the one `?organization=` names in `?tenant=` (default
//! `default`), else the one whose custom domain is the request's `Host` (port ignored) while
//! that domain is trusted (set by the operator, or under a verified domain of the org), else
//! none: the tenant's own page. The page's script follows the server's answers (discovery,
//! then password + TOTP or the SSO redirect); it decides nothing.

use crate::error::{ApiError, ApiResult};
use crate::service::tenants::DEFAULT_TENANT;
use crate::state::AppState;
use crate::templates;
use crate::store::orgs::OrgRow;
use crate::store::tenants::TenantRow;
use orgkit_core::domain::custom_domain_served;
use orgkit_core::hostname::custom_domain_of_host;
use orgkit_core::settings::{EffectiveSettings, SettingsLayer, resolve};
use poem::http::StatusCode;
use poem::web::Html;
use poem::{Endpoint, IntoResponse, Request, Response};
use serde::Deserialize;
use serde_json::json;

const SCRIPT: &str = include_str!("login.js");

/// Scripts only from this origin, requests only to it, images over https; no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; img-src https: data:; \
                   style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(Deserialize, Default)]
struct LoginQuery {
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    tenant: Option<String>,
}

/// What the page shows.
struct Branding<'a> {
    tenant: &'a TenantRow,
    org: Option<&'a OrgRow>,
    settings: EffectiveSettings,
}

/// `GET /login`.
pub fn page(state: AppState) -> impl Endpoint<Output = Response> {
    poem::endpoint::make(move |req: Request| {
        let state = state.clone();
        async move {
            let response = match render(&state, &req).await {
                Ok(html) => Html(html).into_response(),
                Err(e) => {
                    let status = StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::NOT_FOUND);
                    Html(message_page("Sign in", &e.inner.message)).with_status(status).into_response()
                }
            };
            Ok::<Response, poem::Error>(secure(response))
        }
    })
}

/// `GET /login/login.js`: the page's script (a file, so the page's CSP allows no inline script).
pub fn script() -> impl Endpoint<Output = Response> {
    poem::endpoint::make_sync(|_req: Request| {
        let mut response = SCRIPT.with_content_type("text/javascript; charset=utf-8").into_response();
        response.headers_mut().insert("cache-control", poem::http::HeaderValue::from_static("no-cache"));
        response
    })
}

fn secure(response: Response) -> Response {
    super::page_headers(response, CSP)
}

async fn render(state: &AppState, req: &Request) -> ApiResult<String> {
    let query: LoginQuery = req.params().unwrap_or_default();
    let store = &state.store;
    let (tenant, org) = if let Some(key) = query.organization.as_deref() {
        let slug = query.tenant.as_deref().unwrap_or(DEFAULT_TENANT);
        let tenant = store.tenant_by_slug(slug).await?.ok_or_else(|| ApiError::not_found("organization"))?;
        let org = store.org_by_id_or_slug(&tenant.id, key).await?.ok_or_else(|| ApiError::not_found("organization"))?;
        (tenant, Some(org))
    } else if let Some(org) = custom_domain_org(state, req).await? {
        let tenant = store.tenant_by_id(&org.tenant_id).await?.ok_or_else(|| ApiError::not_found("organization"))?;
        (tenant, Some(org))
    } else {
        let slug = query.tenant.as_deref().unwrap_or(DEFAULT_TENANT);
        (store.tenant_by_slug(slug).await?.ok_or_else(|| ApiError::not_found("tenant"))?, None)
    };
    let org_layer = match &org {
        Some(org) => org.settings()?,
        None => SettingsLayer::default(),
    };
    let settings = resolve(&tenant.settings()?, &org_layer);
    html(&Branding { tenant: &tenant, org: org.as_ref(), settings })
}

/// The org whose custom domain the `Host` names, when that domain serves its page (core's
/// `custom_domain_served`: the operator set it, or a verified domain of the org covers it);
/// otherwise the host gets the tenant's page.
async fn custom_domain_org(state: &AppState, req: &Request) -> ApiResult<Option<OrgRow>> {
    let Some(domain) = req.header("host").and_then(custom_domain_of_host) else { return Ok(None) };
    let Some(org) = state.store.org_by_custom_domain(&domain).await? else { return Ok(None) };
    let verified = state.store.verified_domains(&org.id).await?;
    Ok(custom_domain_served(&domain, org.custom_domain_by_operator != 0, &verified).then_some(org))
}

fn html(b: &Branding<'_>) -> ApiResult<String> {
    let name = b.org.map_or(b.tenant.name.as_str(), |o| o.name.as_str());
    let welcome = b.settings.welcome_text.value.clone().unwrap_or_else(|| format!("Sign in to {name}"));
    let config = json!({ "tenant": b.tenant.slug, "organization": b.org.map(|o| &o.slug) });
    let context = minijinja::context! {
        name,
        color => &b.settings.primary_color.value,
        logo_url => &b.settings.logo_url.value,
        welcome,
        config,
    };
    templates::render("pages/login.html", context).map_err(ApiError::internal)
}

/// A page that only says `message` (a refusal), titled `title`.
pub(crate) fn message_page(title: &str, message: &str) -> String {
    templates::render("pages/message.html", minijinja::context! { title, message }).unwrap_or_else(|_| title.to_owned())
}
