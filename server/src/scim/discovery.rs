//! The discovery endpoints (RFC 7644 §4): what this service provider supports, its resource
//! types and the schemas of the attributes orgkit keeps (and only those: a client filling
//! every published attribute gets each of them back).

use super::{ScimError, answer, base_url, open, scim_json};
use super::resource::{GROUP_SCHEMA, USER_SCHEMA};
use poem::http::StatusCode;
use poem::web::Path;
use poem::{Request, Response, handler};
use serde_json::{Value, json};

const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Most resources one list answers.
pub const MAX_RESULTS: usize = 200;

/// An attribute definition (RFC 7643 §7).
fn attribute(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": description, "required": false,
        "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none",
    })
}

fn with(mut attr: Value, changes: Value) -> Value {
    if let (Some(a), Some(c)) = (attr.as_object_mut(), changes.as_object()) {
        a.extend(c.clone());
    }
    attr
}

fn user_schema() -> Value {
    let name = with(attribute("name", "complex", "The user's name."), json!({"subAttributes": [
        attribute("formatted", "string", "The full name."),
        attribute("familyName", "string", "The family name."),
        attribute("givenName", "string", "The given name."),
    ]}));
    let emails = with(attribute("emails", "complex", "Email addresses; the primary one (else the first) is the account's, \
        which must be in a domain the organization verified."), json!({"multiValued": true, "required": true, "subAttributes": [
        with(attribute("value", "string", "The address."), json!({"required": true})),
        with(attribute("type", "string", "A label: work, home or other."), json!({"canonicalValues": ["work", "home", "other"]})),
        attribute("primary", "boolean", "Whether it is the primary address."),
    ]}));
    json!({
        "id": USER_SCHEMA, "name": "User", "description": "A member of the organization.",
        "attributes": [
            with(attribute("userName", "string", "The directory's unique name for the user."), json!({"required": true, "uniqueness": "server"})),
            name,
            attribute("displayName", "string", "The name shown for the user."),
            emails,
            attribute("active", "boolean", "false suspends the membership and ends the user's sessions."),
        ],
    })
}

fn group_schema() -> Value {
    let members = with(attribute("members", "complex", "The group's users; the org's group_role_mappings give them roles."), json!({
        "multiValued": true,
        "subAttributes": [
            with(attribute("value", "string", "The member's id."), json!({"mutability": "immutable", "caseExact": true})),
            with(attribute("$ref", "reference", "The member's URI."), json!({"mutability": "immutable", "referenceTypes": ["User"], "caseExact": true})),
        ],
    }));
    json!({
        "id": GROUP_SCHEMA, "name": "Group", "description": "A group of the organization's directory.",
        "attributes": [
            with(attribute("displayName", "string", "The group's name, unique in the directory."), json!({"required": true, "uniqueness": "server"})),
            members,
        ],
    })
}

fn schema_resource(schema: Value, base: &str) -> Value {
    let id = schema.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    with(schema, json!({"schemas": [SCHEMA_SCHEMA], "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}}))
}

fn resource_type(name: &str, endpoint: &str, schema: &str, base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA], "id": name, "name": name, "endpoint": endpoint, "schema": schema,
        "description": format!("The organization's {name} resources."), "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")},
    })
}

fn list(resources: Vec<Value>) -> Value {
    json!({"schemas": [LIST_SCHEMA], "totalResults": resources.len(), "itemsPerPage": resources.len(), "startIndex": 1, "Resources": resources})
}

fn resource_types_of(base: &str) -> Vec<Value> {
    vec![resource_type("User", "/Users", USER_SCHEMA, base), resource_type("Group", "/Groups", GROUP_SCHEMA, base)]
}

fn schemas_of(base: &str) -> Vec<Value> {
    vec![schema_resource(user_schema(), base), schema_resource(group_schema(), base)]
}

/// `GET /ServiceProviderConfig`.
#[handler]
pub async fn service_provider_config(req: &Request, org_id: Path<String>) -> Response {
    answer(async {
        let (state, _) = open(req, &org_id).await?;
        let base = base_url(&state.config.public_url, &org_id);
        Ok(scim_json(StatusCode::OK, &json!({
            "schemas": [SPC_SCHEMA],
            "documentationUri": "https://github.com/orgkit/orgkit#scim",
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": true},
            "authenticationSchemes": [{
                "type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
                "description": "A SCIM token an owner or the operator created for this organization.",
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
        })))
    }.await)
}

/// `GET /ResourceTypes`.
#[handler]
pub async fn resource_types(req: &Request, org_id: Path<String>) -> Response {
    answer(async {
        let (state, _) = open(req, &org_id).await?;
        Ok(scim_json(StatusCode::OK, &list(resource_types_of(&base_url(&state.config.public_url, &org_id)))))
    }.await)
}

/// `GET /ResourceTypes/{name}`.
#[handler]
pub async fn one_resource_type(req: &Request, Path((org_id, name)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, _) = open(req, &org_id).await?;
        let found = resource_types_of(&base_url(&state.config.public_url, &org_id)).into_iter().find(|t| t["id"] == name.as_str());
        found.map(|t| scim_json(StatusCode::OK, &t)).ok_or_else(|| ScimError::not_found("resource type"))
    }.await)
}

/// `GET /Schemas`.
#[handler]
pub async fn schemas(req: &Request, org_id: Path<String>) -> Response {
    answer(async {
        let (state, _) = open(req, &org_id).await?;
        Ok(scim_json(StatusCode::OK, &list(schemas_of(&base_url(&state.config.public_url, &org_id)))))
    }.await)
}

/// `GET /Schemas/{urn}`.
#[handler]
pub async fn one_schema(req: &Request, Path((org_id, urn)): Path<(String, String)>) -> Response {
    answer(async {
        let (state, _) = open(req, &org_id).await?;
        let found = schemas_of(&base_url(&state.config.public_url, &org_id)).into_iter().find(|s| s["id"] == urn.as_str());
        found.map(|s| scim_json(StatusCode::OK, &s)).ok_or_else(|| ScimError::not_found("schema"))
    }.await)
}
