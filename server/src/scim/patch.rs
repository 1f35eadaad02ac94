//! PATCH (RFC 7644 §3.5.2) on a resource's document: `add`, `remove` and `replace`, with or
//! without a path, in the shapes Okta and Entra ID send (`"op": "Replace"`, a path-less value
//! object, `members[value eq "…"]`, `"active": "False"`). Attributes orgkit does not keep
//! (an enterprise extension's, `title`, …) are accepted and ignored.

use super::filter::{element_matches, get};
use super::{ScimError, ScimResult};
use scim_v2::filter::{AttrPath, PatchPath, PatchValuePath};
use serde_json::{Map, Value};

const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Most operations one PATCH may carry.
const OPERATIONS_MAX: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// Applies a PatchOp body to `doc`, whose known attributes are `attributes` (canonical names);
/// the core schema's URN may prefix a path.
pub fn apply(doc: &mut Value, body: &Value, attributes: &[&str], schema: &str) -> ScimResult<()> {
    let body = body.as_object().ok_or_else(|| ScimError::syntax("the body must be a PatchOp object"))?;
    let schemas = get(body, "schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_SCHEMA)))) {
        return Err(ScimError::syntax(format!("schemas must list {PATCH_SCHEMA}")));
    }
    let operations = get(body, "Operations").and_then(Value::as_array).ok_or_else(|| ScimError::syntax("Operations must be a list"))?;
    if operations.len() > OPERATIONS_MAX {
        return Err(ScimError::new(poem::http::StatusCode::PAYLOAD_TOO_LARGE, Some("tooMany"), format!("at most {OPERATIONS_MAX} operations")));
    }
    let target = doc.as_object_mut().ok_or_else(|| ScimError::syntax("not an object"))?;
    let patcher = Patcher { attributes, schema };
    for operation in operations {
        let operation = operation.as_object().ok_or_else(|| ScimError::syntax("each operation must be an object"))?;
        let op = match get(operation, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("add") => Op::Add,
            Some("remove") => Op::Remove,
            Some("replace") => Op::Replace,
            _ => return Err(ScimError::syntax("op must be add, remove or replace")),
        };
        let value = get(operation, "value");
        match get(operation, "path").and_then(Value::as_str) {
            Some(raw) => {
                let path: PatchPath = raw.parse().map_err(|e| ScimError::path(format!("the path {raw:?} does not parse: {e}")))?;
                patcher.at(target, op, &path, value)?;
            }
            None if op == Op::Remove => return Err(ScimError::new(poem::http::StatusCode::BAD_REQUEST, Some("noTarget"), "remove needs a path")),
            None => {
                let values = value.and_then(Value::as_object).ok_or_else(|| ScimError::value("an operation without a path needs an object value"))?;
                for (key, v) in values {
                    let Ok(path) = key.parse::<PatchPath>() else { continue };
                    patcher.at(target, op, &path, Some(v))?;
                }
            }
        }
    }
    Ok(())
}

struct Patcher<'a> {
    attributes: &'a [&'a str],
    schema: &'a str,
}

impl Patcher<'_> {
    /// The canonical name of a path's attribute, `None` for one orgkit does not keep (or of
    /// another schema).
    fn known(&self, path: &AttrPath) -> Option<&str> {
        if path.uri.as_deref().is_some_and(|u| !u.eq_ignore_ascii_case(self.schema)) {
            return None;
        }
        self.attributes.iter().copied().find(|a| a.eq_ignore_ascii_case(&path.name))
    }

    fn at(&self, doc: &mut Map<String, Value>, op: Op, path: &PatchPath, value: Option<&Value>) -> ScimResult<()> {
        match path {
            PatchPath::Attr(attr) => {
                let Some(name) = self.known(attr) else { return Ok(()) };
                match &attr.sub_attr {
                    None => whole(doc, name, op, value),
                    Some(sub) => sub_attribute(doc, name, sub, op, value),
                }
            }
            PatchPath::Value(vp) => {
                let Some(name) = self.known(&vp.attr) else { return Ok(()) };
                elements(doc, name, vp, op, value)
            }
        }
    }
}

fn needed(value: Option<&Value>) -> ScimResult<&Value> {
    value.ok_or_else(|| ScimError::value("add and replace need a value"))
}

/// The same element, compared as SCIM does for multi-valued attributes (by `value` when it has one).
fn same_element(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// An operation on a whole attribute.
fn whole(doc: &mut Map<String, Value>, name: &str, op: Op, value: Option<&Value>) -> ScimResult<()> {
    match op {
        Op::Remove => match (doc.get_mut(name), value) {
            // `{"op": "remove", "path": "members", "value": [{"value": "…"}]}` (Entra ID): those only.
            (Some(Value::Array(items)), Some(Value::Array(gone))) => items.retain(|i| !gone.iter().any(|g| same_element(i, g))),
            _ => {
                doc.remove(name);
            }
        },
        Op::Add | Op::Replace => {
            let value = needed(value)?;
            match (doc.get_mut(name), value, op) {
                (Some(Value::Array(items)), Value::Array(more), Op::Add) => {
                    for item in more {
                        if !items.iter().any(|i| same_element(i, item)) {
                            items.push(item.clone());
                        }
                    }
                }
                (Some(Value::Array(items)), item @ Value::Object(_), Op::Add) => {
                    if !items.iter().any(|i| same_element(i, item)) {
                        items.push(item.clone());
                    }
                }
                (Some(Value::Object(current)), Value::Object(changes), _) => {
                    current.extend(changes.clone());
                }
                _ => {
                    doc.insert(name.to_owned(), value.clone());
                }
            }
        }
    }
    Ok(())
}

/// An operation on `name.sub` of a complex attribute (of every element of a multi-valued one).
fn sub_attribute(doc: &mut Map<String, Value>, name: &str, sub: &str, op: Op, value: Option<&Value>) -> ScimResult<()> {
    let entry = doc.entry(name.to_owned()).or_insert_with(|| Value::Object(Map::new()));
    let targets: Vec<&mut Map<String, Value>> = match entry {
        Value::Object(o) => vec![o],
        Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
        _ => return Err(ScimError::path(format!("{name} has no sub-attributes"))),
    };
    for target in targets {
        set_or_remove(target, sub, op, value)?;
    }
    Ok(())
}

fn set_or_remove(target: &mut Map<String, Value>, key: &str, op: Op, value: Option<&Value>) -> ScimResult<()> {
    let existing = target.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned().unwrap_or_else(|| key.to_owned());
    match op {
        Op::Remove => {
            target.remove(&existing);
        }
        Op::Add | Op::Replace => {
            target.insert(existing, needed(value)?.clone());
        }
    }
    Ok(())
}

/// An operation on the elements a value path's filter selects.
fn elements(doc: &mut Map<String, Value>, name: &str, vp: &PatchValuePath, op: Op, value: Option<&Value>) -> ScimResult<()> {
    let no_target = || ScimError::new(poem::http::StatusCode::BAD_REQUEST, Some("noTarget"), format!("no value of {name} matches the path's filter"));
    let Some(Value::Array(items)) = doc.get_mut(name) else {
        return if op == Op::Remove { Ok(()) } else { Err(no_target()) };
    };
    match (op, &vp.sub_attr) {
        (Op::Remove, None) => items.retain(|item| !element_matches(&vp.filter, item)),
        (_, sub) => {
            let mut matched = 0;
            for item in items.iter_mut().filter(|item| element_matches(&vp.filter, item)) {
                matched += 1;
                let Some(object) = item.as_object_mut() else { continue };
                match (sub, value) {
                    (Some(sub), _) => set_or_remove(object, sub, op, value)?,
                    (None, Some(Value::Object(changes))) => object.extend(changes.clone()),
                    (None, _) => return Err(ScimError::value(format!("replacing values of {name} needs an object value"))),
                }
            }
            if matched == 0 && op != Op::Remove {
                return Err(no_target());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    const ATTRS: [&str; 6] = ["userName", "externalId", "active", "name", "displayName", "emails"];

    fn patch(doc: Value, ops: Value) -> ScimResult<Value> {
        let mut doc = doc;
        apply(&mut doc, &json!({"schemas": [PATCH_SCHEMA], "Operations": ops}), &ATTRS, USER)?;
        Ok(doc)
    }

    #[test]
    fn okta_and_entra_shapes() {
        let doc = json!({"userName": "a", "active": true, "emails": [{"value": "a@x.example", "type": "work"}]});
        assert_eq!(patch(doc.clone(), json!([{"op": "replace", "value": {"active": false}}])).unwrap()["active"], json!(false));
        assert_eq!(patch(doc.clone(), json!([{"op": "Replace", "path": "active", "value": "False"}])).unwrap()["active"], json!("False"));
        let d = patch(doc.clone(), json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "b@x.example"}])).unwrap();
        assert_eq!(d["emails"][0]["value"], "b@x.example");
        let d = patch(doc.clone(), json!([{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "x"}])).unwrap();
        assert_eq!(d, doc);
        let d = patch(doc.clone(), json!([{"op": "add", "path": "name.givenName", "value": "Ann"}])).unwrap();
        assert_eq!(d["name"], json!({"givenName": "Ann"}));
        let d = patch(doc.clone(), json!([{"op": "replace", "value": {"name.familyName": "Lee", "title": "x"}}])).unwrap();
        assert_eq!(d["name"], json!({"familyName": "Lee"}));
    }

    #[test]
    fn members_are_added_and_removed() {
        let group = ["displayName", "externalId", "members"];
        let run = |doc: Value, ops: Value| {
            let mut doc = doc;
            apply(&mut doc, &json!({"schemas": [PATCH_SCHEMA], "Operations": ops}), &group, "urn:ietf:params:scim:schemas:core:2.0:Group").map(|()| doc)
        };
        let doc = json!({"displayName": "G", "members": [{"value": "1"}]});
        let d = run(doc.clone(), json!([{"op": "add", "path": "members", "value": [{"value": "2"}, {"value": "1"}]}])).unwrap();
        assert_eq!(d["members"], json!([{"value": "1"}, {"value": "2"}]));
        let d = run(d, json!([{"op": "remove", "path": "members[value eq \"1\"]"}])).unwrap();
        assert_eq!(d["members"], json!([{"value": "2"}]));
        let d = run(d, json!([{"op": "Remove", "path": "members", "value": [{"value": "2"}]}])).unwrap();
        assert_eq!(d["members"], json!([]));
        let d = run(doc, json!([{"op": "replace", "value": {"id": "g", "displayName": "H"}}])).unwrap();
        assert_eq!(d["displayName"], "H");
    }

    #[test]
    fn malformed_patches_are_refused() {
        let doc = json!({"userName": "a"});
        assert!(patch(doc.clone(), json!([{"op": "move", "path": "userName"}])).is_err());
        assert!(patch(doc.clone(), json!([{"op": "add", "path": "emails[type eq", "value": 1}])).is_err());
        assert!(patch(doc.clone(), json!([{"op": "remove"}])).is_err());
        assert!(apply(&mut doc.clone(), &json!({"Operations": []}), &ATTRS, USER).is_err());
    }
}
