//! JSON views of stored rows: snake_case for the management API (seed 000), camelCase for the
//! user API (seed 004).

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store::Page;
use crate::store::orgs::OrgRow;
use orgkit_core::settings::{TenantSettings, resolve};
use serde_json::{Map, Value, json};

/// The management API's org: seed 000's fields flat (`null` while inherited), plus
/// `effective` with each value's source (resolved over the tenant's settings, which a list
/// parses once for all its orgs).
pub fn org_manage(tenant: &TenantSettings, org: &OrgRow) -> ApiResult<Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(org.id));
    out.insert("name".into(), json!(org.name));
    out.insert("slug".into(), json!(org.slug));
    out.insert("metadata".into(), Value::Object(org.metadata()?));
    let layer = org.settings()?;
    let effective = resolve(tenant, &layer);
    if let Value::Object(settings) = serde_json::to_value(layer).map_err(ApiError::internal)? {
        out.extend(settings);
    }
    out.insert("created_at".into(), json!(clock::rfc3339(org.created_at)));
    out.insert("updated_at".into(), json!(clock::rfc3339(org.updated_at)));
    out.insert("effective".into(), serde_json::to_value(effective).map_err(ApiError::internal)?);
    Ok(Value::Object(out))
}

/// The user API's org (camelCase), with the caller's role when they are a member.
pub fn org_user(tenant: &TenantSettings, org: &OrgRow, role: Option<&str>) -> ApiResult<Value> {
    let layer = org.settings()?;
    let effective = serde_json::to_value(resolve(tenant, &layer)).map_err(ApiError::internal)?;
    let settings = serde_json::to_value(layer).map_err(ApiError::internal)?;
    Ok(json!({
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "metadata": Value::Object(org.metadata()?),
        "role": role,
        "settings": camel_keys(settings),
        "effectiveSettings": camel_keys(effective),
        "createdAt": clock::rfc3339(org.created_at),
        "updatedAt": clock::rfc3339(org.updated_at),
    }))
}

/// Renames the top-level keys of an object from snake_case to camelCase.
pub fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (camel(&k), v)).collect()),
        other => other,
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A management API list: `{"data": […], "next_cursor": …}`.
pub fn list_manage<T>(page: Page<T>, view: impl Fn(&T) -> ApiResult<Value>) -> ApiResult<Value> {
    let data = page.items.iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(json!({ "data": data, "next_cursor": page.next_cursor }))
}

/// A user API list: `{"success": true, "data": […], "nextCursor": …}`.
pub fn list_user<T>(page: Page<T>, view: impl Fn(&T) -> ApiResult<Value>) -> ApiResult<Value> {
    let data = page.items.iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(json!({ "success": true, "data": data, "nextCursor": page.next_cursor }))
}
