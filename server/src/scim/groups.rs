//! `/Groups` and `/Groups/{id}`.

use super::resource::{GROUP_SCHEMA, GroupDocument, group_resource, project};
use super::{ListQuery, ScimError, answer, base_url, check_if_match, filter, json_body, open, patch, resource_response};
use crate::service::scim;
use crate::store::scim::Lookup;
use poem::http::StatusCode;
use poem::web::Path;
use poem::{Body, Request, Response, handler};

/// The attributes a Group PATCH may reach.
const PATCHABLE: [&str; 3] = ["displayName", "externalId", "members"];

/// `GET /Groups`: `filter` (`displayName eq "…"` and `externalId eq "…"` are looked up
/// directly), `startIndex`, `count`, `attributes`, `excludedAttributes`.
#[handler]
pub async fn list(req: &Request, org_id: Path<String>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let query = ListQuery::of(req)?;
        let filter = query.filter()?;
        let base = base_url(&state.config.public_url, &org_id);
        let groups = scim::groups(&state.store, &dir, filter::lookup(filter.as_ref(), "displayName")).await?;
        let resources = groups.iter().map(|(g, m)| group_resource(g, m, &base)).collect();
        query.answer(resources, filter.as_ref())
    }.await)
}

/// `POST /Groups`: 201 with `Location` and `ETag`; its members' roles follow the mappings.
#[handler]
pub async fn create(req: &Request, org_id: Path<String>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let doc = GroupDocument::read(&json_body(body).await?)?;
        let (row, members) = scim::create_group(&state.store, &dir, &doc).await?;
        Ok(resource_response(StatusCode::CREATED, &group_resource(&row, &members, &base_url(&state.config.public_url, &org_id))))
    }.await)
}

/// `GET /Groups/{id}`.
#[handler]
pub async fn read(req: &Request, Path((org_id, id)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let (row, members) = scim::groups(&state.store, &dir, Lookup::Id(&id)).await?.into_iter().next().ok_or_else(|| ScimError::not_found("group"))?;
        let mut resource = group_resource(&row, &members, &base_url(&state.config.public_url, &org_id));
        let query = ListQuery::of(req)?;
        project(&mut resource, query.attributes.as_deref(), query.excluded_attributes.as_deref());
        Ok(resource_response(StatusCode::OK, &resource))
    }.await)
}

/// `PUT /Groups/{id}`: the whole group (`If-Match` honoured).
#[handler]
pub async fn replace(req: &Request, Path((org_id, id)): Path<(String, String)>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let doc = GroupDocument::read(&json_body(body).await?)?;
        let (row, members) = scim::change_group(&state.store, &dir, &id, |current: &scim::GroupWithMembers| {
            check_if_match(req, current.0.version)?;
            Ok::<_, ScimError>(doc)
        })
        .await?;
        Ok(resource_response(StatusCode::OK, &group_resource(&row, &members, &base_url(&state.config.public_url, &org_id))))
    }.await)
}

/// `PATCH /Groups/{id}`: members added, removed or replaced, the group renamed (`If-Match`
/// honoured).
#[handler]
pub async fn modify(req: &Request, Path((org_id, id)): Path<(String, String)>, body: Body) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        let ops = json_body(body).await?;
        let (row, members) = scim::change_group(&state.store, &dir, &id, |current: &scim::GroupWithMembers| {
            let (row, members) = current;
            check_if_match(req, row.version)?;
            let current = GroupDocument { display_name: row.display_name.clone(), external_id: row.external_id.clone(), members: members.clone() };
            let mut doc = current.document();
            patch::apply(&mut doc, &ops, &PATCHABLE, GROUP_SCHEMA)?;
            GroupDocument::read(&doc)
        })
        .await?;
        Ok(resource_response(StatusCode::OK, &group_resource(&row, &members, &base_url(&state.config.public_url, &org_id))))
    }.await)
}

/// `DELETE /Groups/{id}`: 204; its former members' roles follow the mappings.
#[handler]
pub async fn remove(req: &Request, Path((org_id, id)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, dir) = open(req, &org_id).await?;
        scim::delete_group(&state.store, &dir, &id, |row| check_if_match(req, row.version)).await?;
        Ok(Response::builder().status(StatusCode::NO_CONTENT).finish())
    }.await)
}
