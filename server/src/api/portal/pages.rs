//! The portal's pages and forms: each page shows what the services answer (as the APIs' views)
//! and each form calls a service as the link's delegate, then shows the page again with the
//! outcome (a service's refusal keeps its status and message).

use super::{refused, session};
use crate::api::views::directory::{NewScimToken, ScimToken};
use crate::api::views::people::{AuditEntry, Invitation, ManagedMember};
use crate::api::views::sso::{Domain, SsoConfiguration};
use crate::error::{ApiError, ApiResult};
use crate::service::portal::{PortalSession, Scope};
use crate::service::{domains, invitations, members, orgs, scim_tokens, sso};
use crate::state::AppState;
use crate::store::PageQuery;
use crate::store::orgs::OrgRow;
use minijinja::{Value, context};
use orgkit_core::portal::PortalIntent;
use orgkit_core::settings::EffectiveSettings;
use orgkit_core::{ErrorCode, Permission, Role};
use poem::http::StatusCode;
use poem::web::{Data, Form, Html, Path, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// The pages a signed-in owner or admin moves between: (path, title).
const NAV: &[(&str, &str)] = &[
    ("/portal/members", "Members"),
    ("/portal/domains", "Domains"),
    ("/portal/sso", "Single sign-on"),
    ("/portal/scim", "Directory sync"),
    ("/portal/audit_log", "Audit log"),
];

/// Most rows a portal table shows.
const ROWS: u64 = 100;

/// A page being served: the session, its org and the org's effective settings.
struct Page<'a> {
    state: &'a AppState,
    session: PortalSession,
    org: OrgRow,
    settings: EffectiveSettings,
}

/// How the page comes: plainly, after a form that worked, or after one a service refused.
enum Outcome {
    Shown,
    Done(&'static str),
    Failed(ApiError),
}

impl From<ApiResult<&'static str>> for Outcome {
    fn from(result: ApiResult<&'static str>) -> Outcome {
        match result {
            Ok(notice) => Outcome::Done(notice),
            Err(e) => Outcome::Failed(e),
        }
    }
}

/// The page `intent` for this request's session.
async fn open<'a>(state: &'a AppState, req: &Request, intent: PortalIntent) -> Result<Page<'a>, Response> {
    let session = session(state, req, intent).await?;
    let (org, _) = orgs::get(&state.store, &session.tenant, &session.caller, &session.org_id, Permission::OrgRead).await.map_err(|e| refused(&e))?;
    let settings = orgs::effective(&session.tenant, &org).map_err(|e| refused(&e))?;
    Ok(Page { state, session, org, settings })
}

/// The page `intent` for a form, whose `csrf` field must be the session's token.
async fn submitted<'a>(state: &'a AppState, req: &Request, intent: PortalIntent, form: &HashMap<String, String>) -> Result<Page<'a>, Response> {
    let page = open(state, req, intent).await?;
    let sent = form.get("csrf").map(String::as_bytes).unwrap_or_default();
    if !constant_time_eq(sent, page.session.csrf_token.as_bytes()) {
        return Err(refused(&ApiError::new(ErrorCode::InvalidRequest, "this form is stale or not from this portal: reload the page")));
    }
    Ok(page)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn field<'f>(form: &'f HashMap<String, String>, name: &str) -> &'f str {
    form.get(name).map_or("", |v| v.trim())
}

fn first_page() -> ApiResult<PageQuery> {
    PageQuery::parse(Some(ROWS), None)
}

/// Renders `template` with the page's frame (org, branding, CSRF token, outcome) and `extra`.
fn render(page: &Page<'_>, template: &str, extra: Value, outcome: Outcome) -> Response {
    let (notice, error, status) = match &outcome {
        Outcome::Shown => (None, None, StatusCode::OK),
        Outcome::Done(notice) => (Some(*notice), None, StatusCode::OK),
        Outcome::Failed(e) => (None, Some(e.inner.message.as_str()), StatusCode::from_u16(e.code().http_status()).unwrap_or(StatusCode::BAD_REQUEST)),
    };
    let nav = match page.session.scope {
        Scope::Member => NAV,
        Scope::Link(_) => &[],
    };
    let frame = context! {
        nav,
        org => context! { name => &page.org.name },
        tenant_name => &page.session.tenant.name,
        logo_url => &page.settings.logo_url.value,
        csrf => &page.session.csrf_token,
        notice,
        error,
        ..extra
    };
    match crate::templates::render(template, frame) {
        Ok(html) => Html(html).with_status(status).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "a portal page did not render");
            refused(&ApiError::internal("the page could not be shown"))
        }
    }
}

/// Renders a page whose data could not be read as the refusal it is.
fn or_refused(result: ApiResult<Response>) -> Response {
    result.unwrap_or_else(|e| refused(&e))
}

macro_rules! page_or_return {
    ($opened:expr) => {
        match $opened.await {
            Ok(page) => page,
            Err(response) => return response,
        }
    };
}

/// `GET /portal/assets/brand.css`: the session's org's primary colour (core validated it as a
/// colour); nothing without a session.
#[handler]
pub(super) async fn brand(state: Data<&AppState>, req: &Request) -> Response {
    let colour = match super::current(&state, req).await {
        Ok(Some(s)) => match orgs::get(&state.store, &s.tenant, &s.caller, &s.org_id, Permission::OrgRead).await {
            Ok((org, _)) => orgs::effective(&s.tenant, &org).ok().map(|e| e.primary_color.value),
            Err(_) => None,
        },
        _ => None,
    };
    let css = colour.map_or_else(String::new, |c| format!(":root {{ --brand: {c}; }}\n"));
    css.with_content_type("text/css; charset=utf-8").into_response()
}

// ---------------------------------------------------------------- domains

async fn domains_page(page: &Page<'_>, outcome: Outcome) -> ApiResult<Response> {
    let s = &page.session;
    let rows = domains::list(page.state, &s.tenant, &s.caller, &page.org.id, &first_page()?).await?;
    let views = rows.items.into_iter().map(Domain::new).collect::<ApiResult<Vec<_>>>()?;
    Ok(render(page, "portal/domains.html", context! { domains => views }, outcome))
}

#[handler]
pub(super) async fn show_domains(state: Data<&AppState>, req: &Request) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::Domains));
    or_refused(domains_page(&page, Outcome::Shown).await)
}

#[handler]
pub(super) async fn add_domain(state: Data<&AppState>, req: &Request, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Domains, &form));
    let s = &page.session;
    let body = json!({ "domain": field(&form, "domain") });
    let result = domains::create(&state, &s.tenant, &s.caller, &page.org.id, body).await.map(|_| "Domain added: publish its TXT record, then verify it.");
    or_refused(domains_page(&page, result.into()).await)
}

#[handler]
pub(super) async fn verify_domain(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Domains, &form));
    let s = &page.session;
    let result = domains::verify(&state, &s.tenant, &s.caller, &page.org.id, &id).await.map(|_| "Domain verified.");
    or_refused(domains_page(&page, result.into()).await)
}

// ---------------------------------------------------------------- SSO

async fn sso_page(page: &Page<'_>, outcome: Outcome) -> ApiResult<Response> {
    let s = &page.session;
    let current = sso::current(page.state, &s.tenant, &s.caller, &page.org.id).await?;
    let (connection, enabled) = match current {
        Some((conn, enabled)) => {
            let mut view = SsoConfiguration::new(&page.state.config.public_url, &page.org.id, conn)?;
            // The test login comes back to this page.
            view.login_url = format!("{}?RelayState={}", view.login_url, percent_encode(&format!("{}/portal/sso", page.state.config.public_url)));
            (Some(view), enabled)
        }
        None => (None, false),
    };
    Ok(render(page, "portal/sso.html", context! { connection, enabled }, outcome))
}

fn percent_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[handler]
pub(super) async fn show_sso(state: Data<&AppState>, req: &Request) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::Sso));
    or_refused(sso_page(&page, Outcome::Shown).await)
}

#[handler]
pub(super) async fn configure_sso(state: Data<&AppState>, req: &Request, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Sso, &form));
    let s = &page.session;
    let body = json!({
        "entityId": field(&form, "entity_id"),
        "ssoUrl": field(&form, "sso_url"),
        "certificate": field(&form, "certificate"),
        "emailDomain": field(&form, "email_domain"),
    });
    let result = sso::configure(&state, &s.tenant, &s.caller, &page.org.id, &body).await.map(|_| "Saved and enabled: give your identity provider our details below.");
    or_refused(sso_page(&page, result.into()).await)
}

/// `GET /portal/sso/metadata.xml`: the SP metadata, as a download.
#[handler]
pub(super) async fn sp_metadata(state: Data<&AppState>, req: &Request) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::Sso));
    let s = &page.session;
    match sso::metadata(&state, &s.tenant, &s.caller, &page.org.id).await {
        Ok(xml) => xml
            .with_content_type("application/samlmetadata+xml")
            .with_header("content-disposition", "attachment; filename=\"sp-metadata.xml\"")
            .into_response(),
        Err(e) => refused(&e),
    }
}

// ---------------------------------------------------------------- SCIM

async fn scim_page(page: &Page<'_>, issued: Option<NewScimToken>, outcome: Outcome) -> ApiResult<Response> {
    let s = &page.session;
    let rows = scim_tokens::list(page.state, &s.tenant, &s.caller, &page.org.id, &first_page()?).await?;
    let tokens: Vec<ScimToken> = rows.items.into_iter().map(ScimToken::from).collect();
    Ok(render(page, "portal/scim.html", context! { tokens, issued }, outcome))
}

#[handler]
pub(super) async fn show_scim(state: Data<&AppState>, req: &Request) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::Scim));
    or_refused(scim_page(&page, None, Outcome::Shown).await)
}

#[handler]
pub(super) async fn create_scim_token(state: Data<&AppState>, req: &Request, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Scim, &form));
    let s = &page.session;
    match scim_tokens::create(&state, &s.tenant, &s.caller, &page.org.id, None).await {
        Ok(issued) => or_refused(scim_page(&page, Some(NewScimToken::from(issued)), Outcome::Done("Token created.")).await),
        Err(e) => or_refused(scim_page(&page, None, Outcome::Failed(e)).await),
    }
}

#[handler]
pub(super) async fn delete_scim_token(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Scim, &form));
    let s = &page.session;
    let result = scim_tokens::delete(&state, &s.tenant, &s.caller, &page.org.id, &id).await.map(|()| "Token revoked.");
    or_refused(scim_page(&page, None, result.into()).await)
}

// ---------------------------------------------------------------- members and invitations

async fn members_page(page: &Page<'_>, outcome: Outcome) -> ApiResult<Response> {
    let s = &page.session;
    let (org, _) = orgs::get(&page.state.store, &s.tenant, &s.caller, &page.org.id, Permission::MembersRead).await?;
    let members: Vec<ManagedMember> = page.state.store.list_members(&org.id, &first_page()?).await?.items.into_iter().map(ManagedMember::from).collect();
    let now = page.state.store.now();
    let pending = invitations::list(page.state, &s.tenant, &s.caller, &org.id, &first_page()?).await?;
    let invitations: Vec<Invitation> = pending.items.into_iter().map(|row| Invitation::new(row, None, now)).collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    Ok(render(page, "portal/members.html", context! { members, invitations, roles => &roles, invitable => &roles }, outcome))
}

#[handler]
pub(super) async fn show_members(state: Data<&AppState>, req: &Request) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::Members));
    or_refused(members_page(&page, Outcome::Shown).await)
}

#[handler]
pub(super) async fn change_role(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Members, &form));
    let s = &page.session;
    let body = json!({ "role": field(&form, "role") });
    let result = members::change_role(&state.store, &s.tenant, &s.caller, &page.org.id, &id, body).await.map(|_| "Role changed.");
    or_refused(members_page(&page, result.into()).await)
}

#[handler]
pub(super) async fn remove_member(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Members, &form));
    let s = &page.session;
    let result = members::remove(&state.store, &s.tenant, &s.caller, &page.org.id, &id).await.map(|()| "Member removed.");
    or_refused(members_page(&page, result.into()).await)
}

#[handler]
pub(super) async fn invite(state: Data<&AppState>, req: &Request, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Members, &form));
    let s = &page.session;
    let body = json!({ "email": field(&form, "email"), "role": field(&form, "role") });
    let result = invitations::create(&state, &s.tenant, &s.caller, &page.org.id, body).await.map(|_| "Invitation sent.");
    or_refused(members_page(&page, result.into()).await)
}

#[handler]
pub(super) async fn resend_invitation(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Members, &form));
    let s = &page.session;
    let result = invitations::resend(&state, &s.tenant, &s.caller, &page.org.id, &id).await.map(|_| "Invitation sent again.");
    or_refused(members_page(&page, result.into()).await)
}

#[handler]
pub(super) async fn revoke_invitation(state: Data<&AppState>, req: &Request, id: Path<String>, form: Form<HashMap<String, String>>) -> Response {
    let page = page_or_return!(submitted(&state, req, PortalIntent::Members, &form));
    let s = &page.session;
    let result = invitations::revoke(&state, &s.tenant, &s.caller, &page.org.id, &id).await.map(|_| "Invitation revoked.");
    or_refused(members_page(&page, result.into()).await)
}

// ---------------------------------------------------------------- audit log

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    cursor: Option<String>,
}

#[handler]
pub(super) async fn show_audit_log(state: Data<&AppState>, req: &Request, query: Query<AuditQuery>) -> Response {
    let page = page_or_return!(open(&state, req, PortalIntent::AuditLog));
    let s = &page.session;
    let read = async {
        let query = PageQuery::parse(Some(ROWS), query.cursor.as_deref())?;
        let entries = orgs::audit_log(&state.store, &s.tenant, &s.caller, &page.org.id, &query).await?;
        let next_cursor = entries.next_cursor;
        let entries: Vec<AuditEntry> = entries.items.into_iter().map(AuditEntry::from).collect();
        Ok(render(&page, "portal/audit_log.html", context! { entries, next_cursor }, Outcome::Shown))
    };
    or_refused(read.await)
}
