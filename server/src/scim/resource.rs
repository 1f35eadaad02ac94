//! Users and groups as SCIM documents: what orgkit reads from a body (and ignores), and the
//! resources it answers.

use super::{ScimError, ScimResult, etag};
use crate::clock;
use crate::store::scim::{ScimGroupRow, ScimUserRow};
use orgkit_core::directory::{DirectoryEmail, DirectoryUser, GROUP_NAME_MAX_CHARS};
use serde_json::{Map, Value, json};

/// The core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Longest `userName`, `externalId` or other kept string, in characters.
const TEXT_MAX_CHARS: usize = 256;
/// Most email addresses kept for a user.
const EMAILS_MAX: usize = 20;

/// The attributes of a user orgkit keeps beside `userName`, `externalId` and `active`.
const USER_KEPT: [&str; 3] = ["name", "displayName", "emails"];

/// A user's attributes as orgkit keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct UserDocument {
    /// `userName`.
    pub user_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `active` as stated; absent (never sent, or removed) counts as active.
    pub active: Option<bool>,
    /// `name`, `displayName` and `emails`, as sent (checked).
    pub kept: Map<String, Value>,
}

/// A group's attributes as orgkit keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDocument {
    /// `displayName`.
    pub display_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// The members' SCIM ids, without duplicates.
    pub members: Vec<String>,
}

/// An attribute of `body` by name, ignoring case (SCIM attribute names are case-insensitive),
/// also under the core schema's URN.
fn attr<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(k, _)| {
            let k = k.strip_prefix(USER_SCHEMA).or_else(|| k.strip_prefix(GROUP_SCHEMA)).map_or(k.as_str(), |r| r.trim_start_matches(':'));
            k.eq_ignore_ascii_case(name)
        })
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn text(value: &Value, name: &str) -> ScimResult<String> {
    let s = value.as_str().ok_or_else(|| ScimError::value(format!("{name} must be a string")))?;
    let trimmed = s.trim();
    if trimmed.is_empty() || trimmed.chars().count() > TEXT_MAX_CHARS || trimmed.chars().any(char::is_control) {
        return Err(ScimError::value(format!("{name} must be 1-{TEXT_MAX_CHARS} characters without control characters")));
    }
    Ok(trimmed.to_owned())
}

fn optional_text(body: &Map<String, Value>, name: &str) -> ScimResult<Option<String>> {
    attr(body, name).map(|v| text(v, name)).transpose()
}

/// `true`/`false`, or the strings `"True"`/`"False"` Entra ID sends.
fn boolean(value: &Value, name: &str) -> ScimResult<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::value(format!("{name} must be true or false"))),
    }
}

/// `name`: an object of strings (its sub-attributes kept as sent).
fn name_object(value: &Value) -> ScimResult<Value> {
    let object = value.as_object().ok_or_else(|| ScimError::value("name must be an object"))?;
    let mut kept = Map::new();
    for key in ["formatted", "familyName", "givenName"] {
        if let Some(v) = attr(object, key) {
            kept.insert(key.to_owned(), json!(text(v, &format!("name.{key}"))?));
        }
    }
    Ok(Value::Object(kept))
}

/// `emails`: a list of `{value, type?, primary?}` (at most one primary).
fn email_list(value: &Value) -> ScimResult<Value> {
    let list = value.as_array().ok_or_else(|| ScimError::value("emails must be a list"))?;
    if list.len() > EMAILS_MAX {
        return Err(ScimError::value(format!("emails holds at most {EMAILS_MAX} addresses")));
    }
    let mut kept = Vec::with_capacity(list.len());
    for item in list {
        let object = item.as_object().ok_or_else(|| ScimError::value("each email must be an object"))?;
        let mut email = Map::new();
        let address = attr(object, "value").ok_or_else(|| ScimError::value("each email needs a value"))?;
        email.insert("value".into(), json!(text(address, "emails.value")?));
        if let Some(kind) = attr(object, "type") {
            email.insert("type".into(), json!(text(kind, "emails.type")?));
        }
        if let Some(primary) = attr(object, "primary") {
            email.insert("primary".into(), json!(boolean(primary, "emails.primary")?));
        }
        kept.push(Value::Object(email));
    }
    if kept.iter().filter(|e| e["primary"] == json!(true)).count() > 1 {
        return Err(ScimError::value("at most one email may be primary"));
    }
    Ok(Value::Array(kept))
}

fn object(body: &Value) -> ScimResult<&Map<String, Value>> {
    body.as_object().ok_or_else(|| ScimError::syntax("the body must be a JSON object"))
}

impl UserDocument {
    /// Reads a User resource; attributes orgkit does not keep are ignored.
    pub fn read(body: &Value) -> ScimResult<UserDocument> {
        let body = object(body)?;
        let user_name = text(attr(body, "userName").ok_or_else(|| ScimError::value("userName is required"))?, "userName")?;
        let mut kept = Map::new();
        if let Some(name) = attr(body, "name") {
            kept.insert("name".into(), name_object(name)?);
        }
        if let Some(display) = attr(body, "displayName") {
            kept.insert("displayName".into(), json!(text(display, "displayName")?));
        }
        if let Some(emails) = attr(body, "emails") {
            kept.insert("emails".into(), email_list(emails)?);
        }
        Ok(UserDocument {
            user_name,
            external_id: optional_text(body, "externalId")?,
            active: attr(body, "active").map(|v| boolean(v, "active")).transpose()?,
            kept,
        })
    }

    /// The attributes as a document PATCH operations apply to.
    pub fn document(&self) -> Value {
        let mut doc = self.kept.clone();
        doc.insert("userName".into(), json!(self.user_name));
        if let Some(active) = self.active {
            doc.insert("active".into(), json!(active));
        }
        if let Some(id) = &self.external_id {
            doc.insert("externalId".into(), json!(id));
        }
        Value::Object(doc)
    }

    /// Whether the membership is on: `active` unless it says `false`.
    pub fn is_active(&self) -> bool {
        self.active != Some(false)
    }

    /// The user as core's directory rules see it.
    pub fn directory_user(&self) -> DirectoryUser {
        let emails = self.kept.get("emails").and_then(Value::as_array).map(|list| {
            list.iter()
                .filter_map(|e| Some(DirectoryEmail { value: e["value"].as_str()?.to_owned(), primary: e["primary"] == json!(true) }))
                .collect()
        });
        DirectoryUser { user_name: self.user_name.clone(), emails: emails.unwrap_or_default() }
    }

    /// The account's display name: `displayName`, else the given and family names.
    pub fn account_name(&self) -> Option<String> {
        if let Some(display) = self.kept.get("displayName").and_then(Value::as_str) {
            return Some(display.to_owned());
        }
        let name = self.kept.get("name")?;
        let parts: Vec<&str> = ["givenName", "familyName"].iter().filter_map(|k| name[*k].as_str()).collect();
        (!parts.is_empty()).then(|| parts.join(" ")).or_else(|| name["formatted"].as_str().map(str::to_owned))
    }

    /// The kept attributes as stored.
    pub fn kept_text(&self) -> String {
        Value::Object(self.kept.clone()).to_string()
    }

    /// A stored user's document.
    pub fn of_row(row: &ScimUserRow) -> ScimResult<UserDocument> {
        let kept: Map<String, Value> = serde_json::from_str(&row.attributes).map_err(|e| ScimError::from(crate::error::ApiError::internal(e)))?;
        Ok(UserDocument {
            user_name: row.user_name.clone(),
            external_id: row.external_id.clone(),
            active: row.active.map(|a| a != 0),
            kept: kept.into_iter().filter(|(k, _)| USER_KEPT.contains(&k.as_str())).collect(),
        })
    }
}

impl GroupDocument {
    /// Reads a Group resource; attributes orgkit does not keep are ignored.
    pub fn read(body: &Value) -> ScimResult<GroupDocument> {
        let body = object(body)?;
        let display_name = text(attr(body, "displayName").ok_or_else(|| ScimError::value("displayName is required"))?, "displayName")?;
        if display_name.chars().count() > GROUP_NAME_MAX_CHARS {
            return Err(ScimError::value(format!("displayName is longer than {GROUP_NAME_MAX_CHARS} characters")));
        }
        let mut members: Vec<String> = Vec::new();
        if let Some(list) = attr(body, "members") {
            let list = list.as_array().ok_or_else(|| ScimError::value("members must be a list"))?;
            for item in list {
                let id = item.as_object().and_then(|m| attr(m, "value")).and_then(Value::as_str)
                    .ok_or_else(|| ScimError::value("each member needs a value (the member's id)"))?;
                if !members.iter().any(|m| m == id) {
                    members.push(id.to_owned());
                }
            }
        }
        Ok(GroupDocument { display_name, external_id: optional_text(body, "externalId")?, members })
    }

    /// The attributes as a document PATCH operations apply to.
    pub fn document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("displayName".into(), json!(self.display_name));
        if let Some(id) = &self.external_id {
            doc.insert("externalId".into(), json!(id));
        }
        doc.insert("members".into(), Value::Array(self.members.iter().map(|m| json!({"value": m})).collect()));
        Value::Object(doc)
    }
}

fn meta(kind: &str, location: String, created: i64, updated: i64, version: i64) -> Value {
    json!({
        "resourceType": kind, "created": clock::rfc3339(created), "lastModified": clock::rfc3339(updated),
        "location": location, "version": etag(version),
    })
}

/// A stored user as its SCIM resource.
pub fn user_resource(row: &ScimUserRow, base: &str) -> ScimResult<Value> {
    let doc = UserDocument::of_row(row)?;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([USER_SCHEMA]));
    out.insert("id".into(), json!(row.id));
    if let Value::Object(attrs) = doc.document() {
        out.extend(attrs);
    }
    out.insert("meta".into(), meta("User", format!("{base}/Users/{}", row.id), row.created_at, row.updated_at, row.version));
    Ok(Value::Object(out))
}

/// A stored group and its members' ids as its SCIM resource.
pub fn group_resource(row: &ScimGroupRow, members: &[String], base: &str) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!([GROUP_SCHEMA]));
    out.insert("id".into(), json!(row.id));
    out.insert("displayName".into(), json!(row.display_name));
    if let Some(id) = &row.external_id {
        out.insert("externalId".into(), json!(id));
    }
    out.insert("members".into(), Value::Array(members.iter().map(|m| json!({"value": m, "$ref": format!("{base}/Users/{m}")})).collect()));
    out.insert("meta".into(), meta("Group", format!("{base}/Groups/{}", row.id), row.created_at, row.updated_at, row.version));
    Value::Object(out)
}

/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5): `schemas` and `id` are always
/// returned; a dotted name selects a sub-attribute.
pub fn project(resource: &mut Value, attributes: Option<&str>, excluded: Option<&str>) {
    let names = |list: Option<&str>| -> Vec<String> {
        list.unwrap_or_default()
            .split(',')
            .map(|n| {
                let n = n.trim();
                n.strip_prefix(USER_SCHEMA).or_else(|| n.strip_prefix(GROUP_SCHEMA)).map_or(n, |r| r.trim_start_matches(':')).to_owned()
            })
            .filter(|n| !n.is_empty())
            .collect()
    };
    let Some(object) = resource.as_object_mut() else { return };
    let always = |k: &str| k == "schemas" || k == "id";
    let include = names(attributes);
    if !include.is_empty() {
        object.retain(|k, v| {
            if always(k) {
                return true;
            }
            let subs: Vec<&str> = include.iter().filter_map(|n| n.split_once('.').filter(|(p, _)| p.eq_ignore_ascii_case(k)).map(|(_, s)| s)).collect();
            if include.iter().any(|n| n.eq_ignore_ascii_case(k)) {
                return true;
            }
            if subs.is_empty() {
                return false;
            }
            if let Some(inner) = v.as_object_mut() {
                inner.retain(|sk, _| subs.iter().any(|s| s.eq_ignore_ascii_case(sk)));
            }
            true
        });
    }
    for name in names(excluded) {
        match name.split_once('.') {
            None if !always(&name) => object.retain(|k, _| !k.eq_ignore_ascii_case(&name)),
            Some((parent, sub)) => {
                if let Some(inner) = object.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(parent)).and_then(|(_, v)| v.as_object_mut()) {
                    inner.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_attributes_are_ignored_and_entra_booleans_read() {
        let doc = UserDocument::read(&json!({
            "schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": " ann@acme.example ", "active": "False", "locale": "en-US", "externalId": "00u1",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
            "name": {"givenName": "Ann", "familyName": "Lee", "honorificPrefix": "Dr"},
            "emails": [{"value": "ann@acme.example", "type": "work", "primary": true}],
            "groups": [{"value": "g1"}],
        }))
        .unwrap();
        assert_eq!((doc.user_name.as_str(), doc.active, doc.external_id.as_deref()), ("ann@acme.example", Some(false), Some("00u1")));
        assert_eq!(doc.kept["name"], json!({"givenName": "Ann", "familyName": "Lee"}));
        assert_eq!(doc.account_name().as_deref(), Some("Ann Lee"));
        assert!(doc.directory_user().emails.first().is_some_and(|e| e.primary));
        assert!(UserDocument::read(&json!({"userName": ""})).is_err());
        assert!(UserDocument::read(&json!({"userName": "a", "emails": [{"value": "a@x.example", "primary": true}, {"value": "b@x.example", "primary": true}]})).is_err());
        assert!(UserDocument::read(&json!({"userName": "a", "active": "maybe"})).is_err());
    }

    #[test]
    fn projection_keeps_id_and_schemas() {
        let mut r = json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "a", "name": {"givenName": "A", "familyName": "B"}, "active": true});
        project(&mut r, Some("name.givenName"), None);
        assert_eq!(r, json!({"schemas": [USER_SCHEMA], "id": "1", "name": {"givenName": "A"}}));
        let mut r = json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "a", "active": true});
        project(&mut r, None, Some("active,id"));
        assert_eq!(r, json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "a"}));
    }
}
