//! SCIM filters (RFC 7644 §3.4.2.2), parsed by `scim_v2` and evaluated here on resources.

use super::{ScimError, ScimResult};
use crate::store::scim::Lookup;
use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};
use serde_json::{Map, Value};

/// Attributes compared exactly (RFC 7643: ids are case-exact); every other string ignores case.
const CASE_EXACT: [&str; 3] = ["id", "externalId", "value"];

/// Parses a `filter` query parameter (`invalidFilter` when it does not parse).
pub fn parse(raw: &str) -> ScimResult<Filter> {
    raw.parse::<Filter>().map_err(|e| ScimError::filter(format!("the filter does not parse: {e}")))
}

/// What the store can select by itself for a filter: an `eq` on the name attribute, on
/// `externalId` or on `id`; everything else reads the org's resources and evaluates here.
pub fn lookup<'a>(filter: Option<&'a Filter>, name_attribute: &str) -> Lookup<'a> {
    match filter {
        Some(Filter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(value)))) if path.sub_attr.is_none() => {
            if path.name.eq_ignore_ascii_case(name_attribute) {
                Lookup::Name(value)
            } else if path.name.eq_ignore_ascii_case("externalId") {
                Lookup::ExternalId(value)
            } else if path.name.eq_ignore_ascii_case("id") {
                Lookup::Id(value)
            } else {
                Lookup::All
            }
        }
        _ => Lookup::All,
    }
}

/// An attribute of an object by name, ignoring case.
pub fn get<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// The values an attribute path designates in a resource (a multi-valued attribute's sub-
/// attribute designates one per element).
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(object) = resource.as_object() else { return vec![] };
    let Some(top) = get(object, &path.name) else { return vec![] };
    let items: Vec<&Value> = match top {
        Value::Array(list) => list.iter().collect(),
        other => vec![other],
    };
    match &path.sub_attr {
        None => items,
        Some(sub) => items.into_iter().filter_map(|v| v.as_object().and_then(|o| get(o, sub))).collect(),
    }
}

fn compare(path: &AttrPath, op: &CompareOp, actual: &Value, wanted: &CompValue) -> bool {
    let leaf = path.sub_attr.as_deref().unwrap_or(&path.name);
    let exact = CASE_EXACT.iter().any(|a| a.eq_ignore_ascii_case(leaf));
    match (actual, wanted) {
        (Value::String(a), CompValue::Str(w)) => {
            let (a, w) = if exact { (a.clone(), w.clone()) } else { (a.to_lowercase(), w.to_lowercase()) };
            match op {
                CompareOp::Eq => a == w,
                CompareOp::Ne => a != w,
                CompareOp::Co => a.contains(&w),
                CompareOp::Sw => a.starts_with(&w),
                CompareOp::Ew => a.ends_with(&w),
                CompareOp::Gt => a > w,
                CompareOp::Ge => a >= w,
                CompareOp::Lt => a < w,
                CompareOp::Le => a <= w,
            }
        }
        (Value::Bool(a), CompValue::True | CompValue::False) => {
            let w = matches!(wanted, CompValue::True);
            match op {
                CompareOp::Eq => *a == w,
                CompareOp::Ne => *a != w,
                _ => false,
            }
        }
        (Value::Number(a), CompValue::Number(w)) => {
            let (Some(a), Some(w)) = (a.as_f64(), w.as_f64()) else { return false };
            match op {
                CompareOp::Eq => a == w,
                CompareOp::Ne => a != w,
                CompareOp::Gt => a > w,
                CompareOp::Ge => a >= w,
                CompareOp::Lt => a < w,
                CompareOp::Le => a <= w,
                _ => false,
            }
        }
        (Value::Null, CompValue::Null) => matches!(op, CompareOp::Eq),
        _ => matches!(op, CompareOp::Ne),
    }
}

fn attr_matches(exp: &AttrExp, resource: &Value) -> bool {
    match exp {
        AttrExp::Present(path) => values(resource, path).iter().any(|v| !v.is_null() && *v != &Value::Array(vec![])),
        AttrExp::Comparison(path, op, wanted) => {
            let found = values(resource, path);
            if found.is_empty() {
                return matches!(op, CompareOp::Ne);
            }
            found.iter().any(|v| compare(path, op, v, wanted))
        }
    }
}

/// Whether a resource matches a filter.
pub fn matches(filter: &Filter, resource: &Value) -> bool {
    match filter {
        Filter::Attr(exp) => attr_matches(exp, resource),
        Filter::ValuePath(vp) => {
            let Some(object) = resource.as_object() else { return false };
            match get(object, &vp.attr.name) {
                Some(Value::Array(items)) => items.iter().any(|item| element_matches(&vp.filter, item)),
                Some(item @ Value::Object(_)) => element_matches(&vp.filter, item),
                _ => false,
            }
        }
        Filter::Not(inner) => !matches(inner, resource),
        Filter::And(items) => items.iter().all(|f| matches(f, resource)),
        Filter::Or(items) => items.iter().any(|f| matches(f, resource)),
    }
}

/// Whether an element of a multi-valued attribute matches a bracketed filter.
pub fn element_matches(filter: &ValFilter, element: &Value) -> bool {
    match filter {
        ValFilter::Attr(exp) => attr_matches(exp, element),
        ValFilter::Not(inner) => !element_matches(inner, element),
        ValFilter::And(items) => items.iter().all(|f| element_matches(f, element)),
        ValFilter::Or(items) => items.iter().any(|f| element_matches(f, element)),
    }
}
