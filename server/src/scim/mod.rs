//! SCIM 2.0 (RFC 7643/7644) per org, at `{ORGKIT_PUBLIC_URL}/scim/v2/{orgId}`: the protocol
//! side. Bodies follow SCIM's rules, not the rest of the API's: `application/scim+json`, RFC 7644
//! error bodies, attributes orgkit does not keep accepted and ignored. What a change means for
//! the org (membership, suspension, roles from groups, audit) is `service::scim`'s, decided by
//! core's directory rules.

mod discovery;
mod filter;
mod groups;
mod patch;
pub mod resource;
mod users;

use crate::clock;
use crate::error::ApiError;
use crate::service::scim::Directory;
use crate::state::AppState;
use orgkit_core::ErrorCode;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use serde_json::{Value, json};

/// The media type of SCIM bodies.
pub const SCIM_JSON: &str = "application/scim+json";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A SCIM error (RFC 7644 §3.12): a status, a `scimType` where the RFC names one, a detail.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

/// Result of a SCIM handler.
pub type ScimResult<T = Response> = Result<T, ScimError>;

impl ScimError {
    /// An error with a status, a `scimType` and a detail.
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type, detail: detail.into() }
    }

    /// 400 `invalidSyntax`.
    pub fn syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    /// 400 `invalidValue`.
    pub fn value(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    /// 400 `invalidFilter`.
    pub fn filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }

    /// 400 `invalidPath`.
    pub fn path(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidPath"), detail)
    }

    /// 404 for a resource of this directory.
    pub fn not_found(what: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("{what} not found"))
    }

    fn respond(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("schemas".into(), json!([ERROR_SCHEMA]));
        body.insert("status".into(), json!(self.status.as_str()));
        body.insert("detail".into(), json!(self.detail));
        if let Some(t) = self.scim_type {
            body.insert("scimType".into(), json!(t));
        }
        scim_json(self.status, &Value::Object(body))
    }
}

/// orgkit's coded errors in SCIM's terms: conflicts are `uniqueness`, input errors
/// `invalidValue`, the rest keep their status with the code in the detail.
impl From<ApiError> for ScimError {
    fn from(e: ApiError) -> ScimError {
        let code = e.code();
        let detail = format!("{code}: {}", e.inner.message);
        let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match code {
            ErrorCode::DirectoryConflict => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), detail),
            ErrorCode::EmailDomainNotVerified => ScimError::new(StatusCode::FORBIDDEN, None, detail),
            _ if status.is_client_error() && status != StatusCode::CONFLICT && status != StatusCode::NOT_FOUND
                && status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS
                && status != StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
            }
            _ => ScimError::new(status, None, detail),
        }
    }
}

impl From<orgkit_core::Error> for ScimError {
    fn from(e: orgkit_core::Error) -> ScimError {
        ScimError::from(ApiError::from(e))
    }
}

impl From<crate::store::StoreError> for ScimError {
    fn from(e: crate::store::StoreError) -> ScimError {
        ScimError::from(ApiError::from(e))
    }
}

/// A SCIM JSON answer.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    Response::builder().status(status).content_type(SCIM_JSON).body(Body::from_vec(serde_json::to_vec(body).unwrap_or_default()))
}

/// A resource answer with its `ETag` (and `Location` when created).
fn resource_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = scim_json(status, body);
    if let Some(version) = body.pointer("/meta/version").and_then(Value::as_str).and_then(|v| HeaderValue::from_str(v).ok()) {
        resp.headers_mut().insert(header::ETAG, version);
    }
    if status == StatusCode::CREATED
        && let Some(location) = body.pointer("/meta/location").and_then(Value::as_str).and_then(|v| HeaderValue::from_str(v).ok())
    {
        resp.headers_mut().insert(header::LOCATION, location);
    }
    resp
}

/// The weak `ETag` of a version.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// `If-Match`: a change to a resource whose version another change moved on is refused (412).
fn check_if_match(req: &Request, version: i64) -> ScimResult<()> {
    match req.header("if-match") {
        None => Ok(()),
        Some(tags) if tags.split(',').map(str::trim).any(|t| t == "*" || t == etag(version) || t == format!("\"{version}\"")) => Ok(()),
        Some(_) => Err(ScimError::new(StatusCode::PRECONDITION_FAILED, None, "the resource changed since the version If-Match names")),
    }
}

/// The body as JSON (`invalidSyntax` when it is not).
async fn json_body(body: Body) -> ScimResult<Value> {
    let bytes = body.into_bytes().await.map_err(|e| ScimError::syntax(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| ScimError::syntax(format!("the body is not JSON: {e}")))
}

/// The directory a request's bearer token opens: the token must be one of the org's in the path
/// (any other token, or none, is 401, so an org's SCIM URL tells a stranger nothing).
async fn directory(state: &AppState, req: &Request, org_id: &str) -> ScimResult<Directory> {
    let unauthorized = || ScimError::new(StatusCode::UNAUTHORIZED, None, "a valid SCIM bearer token of this organization is required");
    let token = req
        .header("authorization")
        .and_then(|h| orgkit_core::token::parse_bearer(h).ok())
        .ok_or_else(unauthorized)?;
    crate::service::scim::open(state, org_id, &clock::sha256_hex(token)).await?.ok_or_else(unauthorized)
}

/// The base URL of an org's directory.
pub fn base_url(public_url: &str, org_id: &str) -> String {
    format!("{public_url}/scim/v2/{org_id}")
}

/// Every SCIM route, to nest at `/scim/v2`.
pub fn routes(state: AppState) -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/:org_id/ServiceProviderConfig", read_only(get(discovery::service_provider_config)))
        .at("/:org_id/ResourceTypes", read_only(get(discovery::resource_types)))
        .at("/:org_id/ResourceTypes/:name", read_only(get(discovery::one_resource_type)))
        .at("/:org_id/Schemas", read_only(get(discovery::schemas)))
        .at("/:org_id/Schemas/:urn", read_only(get(discovery::one_schema)))
        .at("/:org_id/Users", get(users::list).post(users::create).put(method_not_allowed).patch(method_not_allowed).delete(method_not_allowed))
        .at("/:org_id/Users/:id", get(users::read).put(users::replace).patch(users::modify).delete(users::remove).post(method_not_allowed))
        .at("/:org_id/Groups", get(groups::list).post(groups::create).put(method_not_allowed).patch(method_not_allowed).delete(method_not_allowed))
        .at("/:org_id/Groups/:id", get(groups::read).put(groups::replace).patch(groups::modify).delete(groups::remove).post(method_not_allowed))
        .at("/:org_id/.search", poem::post(not_implemented))
        .at("/:org_id/*rest", not_found)
        .data(state)
        .map_to_response()
}

/// A discovery endpoint: GET only, every other method 405 as RFC 7644 §4 says.
fn read_only(route: poem::RouteMethod) -> poem::RouteMethod {
    route.post(method_not_allowed).put(method_not_allowed).patch(method_not_allowed).delete(method_not_allowed)
}

#[handler]
fn method_not_allowed() -> Response {
    ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, "this endpoint does not support the method").respond()
}

#[handler]
fn not_implemented() -> Response {
    ScimError::new(StatusCode::NOT_IMPLEMENTED, None, "searching several resource types at once is not supported; use /Users or /Groups").respond()
}

#[handler]
fn not_found() -> Response {
    ScimError::not_found("endpoint").respond()
}

/// Answers a handler's result, an error as RFC 7644 says.
fn answer(result: ScimResult) -> Response {
    result.unwrap_or_else(ScimError::respond)
}

/// The org id of the path, and the directory its token opens.
async fn open(req: &Request, org_id: &str) -> ScimResult<(AppState, Directory)> {
    let state = req.data::<AppState>().cloned().ok_or_else(|| ScimError::from(ApiError::internal("no state")))?;
    let dir = directory(&state, req, org_id).await?;
    Ok((state, dir))
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        self.respond()
    }
}

/// The query of a list (RFC 7644 §3.4.2): `filter`, `startIndex` (1-based), `count`,
/// `attributes`, `excludedAttributes`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl ListQuery {
    /// The query of a request (`invalidValue` for a malformed one).
    fn of(req: &Request) -> ScimResult<ListQuery> {
        req.params::<ListQuery>().map_err(|e| ScimError::value(format!("the query does not parse: {e}")))
    }

    fn number(raw: Option<&str>, name: &str) -> ScimResult<Option<i64>> {
        raw.map(|r| r.trim().parse::<i64>().map_err(|_| ScimError::value(format!("{name} must be a whole number")))).transpose()
    }

    /// The parsed filter, when one was given.
    fn filter(&self) -> ScimResult<Option<scim_v2::filter::Filter>> {
        self.filter.as_deref().filter(|f| !f.trim().is_empty()).map(filter::parse).transpose()
    }

    /// The list response of the resources matching the filter, paged and projected.
    fn answer(&self, resources: Vec<Value>, filter: Option<&scim_v2::filter::Filter>) -> ScimResult {
        let start = Self::number(self.start_index.as_deref(), "startIndex")?.unwrap_or(1).max(1);
        let count = Self::number(self.count.as_deref(), "count")?.unwrap_or(discovery::MAX_RESULTS as i64).clamp(0, discovery::MAX_RESULTS as i64);
        let matching: Vec<Value> = resources.into_iter().filter(|r| filter.is_none_or(|f| filter::matches(f, r))).collect();
        let total = matching.len();
        let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
        let page: Vec<Value> = matching
            .into_iter()
            .skip(skip)
            .take(usize::try_from(count).unwrap_or(0))
            .map(|mut r| {
                resource::project(&mut r, self.attributes.as_deref(), self.excluded_attributes.as_deref());
                r
            })
            .collect();
        Ok(scim_json(StatusCode::OK, &json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total, "startIndex": start, "itemsPerPage": page.len(), "Resources": page,
        })))
    }
}
