//! `/Users` and `/Users/{id}`.

use super::resource::{USER_SCHEMA, UserDocument, project, user_resource};
use super::{ListQuery, ScimError, ScimResult, answer, base_url, check_if_match, filter, json_body, open, patch, resource_response};
use crate::service::scim;
use poem::http::StatusCode;
use poem::web::Path;
use poem::{Body, Request, Response, handler};

/// The attributes a User PATCH may reach.
const PATCHABLE: [&str; 6] = ["userName", "externalId", "active", "name", "displayName", "emails"];

/// `GET /Users`: `filter` (`userName eq "…"` and `externalId eq "…"` are looked up directly),
/// `startIndex`, `count`, `attributes`, `excludedAttributes`.
#[handler]
pub async fn list(req: &Request, org_id: Path<String>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let query = ListQuery::of(req)?;
        let filter = query.filter()?;
        let base = base_url(&state.config.public_url, &org_id);
        let rows = scim::users(&state.store, &dir, filter::lookup(filter.as_ref(), "userName")).await?;
        let resources = rows.iter().map(|r| user_resource(r, &base)).collect::<ScimResult<Vec<_>>>()?;
        query.answer(resources, filter.as_ref())
    }.await)
}

/// `POST /Users`: 201 with `Location` and `ETag`.
#[handler]
pub async fn create(req: &Request, org_id: Path<String>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let doc = UserDocument::read(&json_body(body).await?)?;
        let row = scim::create_user(&state.store, &dir, &doc).await?;
        Ok(resource_response(StatusCode::CREATED, &user_resource(&row, &base_url(&state.config.public_url, &org_id))?))
    }.await)
}

/// `GET /Users/{id}`.
#[handler]
pub async fn read(req: &Request, Path((org_id, id)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let row = scim::users(&state.store, &dir, crate::store::scim::Lookup::Id(&id)).await?.into_iter().next().ok_or_else(|| ScimError::not_found("user"))?;
        let mut resource = user_resource(&row, &base_url(&state.config.public_url, &org_id))?;
        let query = ListQuery::of(req)?;
        project(&mut resource, query.attributes.as_deref(), query.excluded_attributes.as_deref());
        Ok(resource_response(StatusCode::OK, &resource))
    }.await)
}

/// `PUT /Users/{id}`: the whole resource (`If-Match` honoured).
#[handler]
pub async fn replace(req: &Request, Path((org_id, id)): Path<(String, String)>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let doc = UserDocument::read(&json_body(body).await?)?;
        let row = scim::change_user(&state.store, &dir, &id, |row| {
            check_if_match(req, row.version)?;
            Ok::<_, ScimError>(doc)
        })
        .await?;
        Ok(resource_response(StatusCode::OK, &user_resource(&row, &base_url(&state.config.public_url, &org_id))?))
    }.await)
}

/// `PATCH /Users/{id}`: RFC 7644 §3.5.2 operations (`If-Match` honoured).
#[handler]
pub async fn modify(req: &Request, Path((org_id, id)): Path<(String, String)>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let ops = json_body(body).await?;
        let row = scim::change_user(&state.store, &dir, &id, |row| {
            check_if_match(req, row.version)?;
            let mut doc = UserDocument::of_row(row)?.document();
            patch::apply(&mut doc, &ops, &PATCHABLE, USER_SCHEMA)?;
            UserDocument::read(&doc)
        })
        .await?;
        Ok(resource_response(StatusCode::OK, &user_resource(&row, &base_url(&state.config.public_url, &org_id))?))
    }.await)
}

/// `DELETE /Users/{id}`: 204; the membership ends (never the org's last owner).
#[handler]
pub async fn remove(req: &Request, Path((org_id, id)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        scim::delete_user(&state.store, &dir, &id, |row| check_if_match(req, row.version)).await?;
        Ok(Response::builder().status(StatusCode::NO_CONTENT).finish())
    }.await)
}
