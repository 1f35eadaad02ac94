//! How answers leave the server: a typed JSON payload serialised by serde straight to bytes
//! (poem-openapi's own `Json<T>` first builds a `serde_json::Value` of the whole answer), the
//! envelopes of both APIs, and one response type per set of success statuses. The OpenAPI
//! document describes every answer by its view's schema; errors are [`ApiError`]'s.
//!
//! [`ApiError`]: crate::error::ApiError

use crate::error::ApiResult;
use crate::store::Page;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{ApiResponse, Object};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// A JSON answer of type `T`: documented by `T`'s schema, written by `T`'s `Serialize`. A view
/// derives both from one declaration with the same `rename_all`; `views::tests` holds them to
/// the same field names.
pub struct Json<T>(pub T);

/// The content type of every JSON answer.
const JSON: &str = "application/json; charset=utf-8";

impl<T: Type + Serialize> Payload for Json<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn check_content_type(content_type: &str) -> bool {
        <poem_openapi::payload::Json<Value> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => Response::builder().content_type(JSON).body(bytes),
            Err(err) => crate::error::ApiError::internal(err).to_response(),
        }
    }
}

/// `200 OK` with a body.
#[derive(ApiResponse)]
pub enum Ok200<T: Type + Serialize> {
    /// OK.
    #[oai(status = 200)]
    Ok(Json<T>),
}

/// `201 Created` with the created resource.
#[derive(ApiResponse)]
pub enum Created201<T: Type + Serialize> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// `201 Created` for a new resource, `200 OK` when an existing one was replaced or confirmed.
#[derive(ApiResponse)]
pub enum Upserted<T: Type + Serialize> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
    /// An existing resource, replaced or confirmed.
    #[oai(status = 200)]
    Ok(Json<T>),
}

/// `202 Accepted`: done later (a delivery queued), with what was queued.
#[derive(ApiResponse)]
pub enum Accepted202<T: Type + Serialize> {
    /// Accepted.
    #[oai(status = 202)]
    Accepted(Json<T>),
}

/// `204 No Content`.
#[derive(ApiResponse)]
pub enum NoContent204 {
    /// Done; nothing to answer.
    #[oai(status = 204)]
    NoContent,
}

/// The user API's envelope `{"success": true, "data": …}`.
#[derive(Object, Serialize)]
pub struct Envelope<T: ParseFromJSON + ToJSON + Serialize> {
    /// Always `true` (errors answer `false` with `error`).
    pub success: bool,
    /// The answer.
    pub data: T,
}

/// `{"success": true, "data": T}`, as a payload.
pub fn enveloped<T: ParseFromJSON + ToJSON + Serialize>(data: T) -> Json<Envelope<T>> {
    Json(Envelope { success: true, data })
}

/// `200 {"success": true, "data": T}`.
pub fn ok<T: ParseFromJSON + ToJSON + Serialize>(data: T) -> Ok200<Envelope<T>> {
    Ok200::Ok(enveloped(data))
}

/// `201 {"success": true, "data": T}`.
pub fn created<T: ParseFromJSON + ToJSON + Serialize>(data: T) -> Created201<Envelope<T>> {
    Created201::Created(enveloped(data))
}

/// `200 {"success": true, "data": null}`: the user API's answer to a delete.
pub fn deleted() -> Ok200<Envelope<Null>> {
    ok(Null)
}

/// A page of the user API: `{"success": true, "data": […], "nextCursor": …}`.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UserPage<T: ParseFromJSON + ToJSON + Serialize> {
    /// Always `true`.
    pub success: bool,
    /// The items of this page.
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A page of the management API: `{"data": […], "next_cursor": …}`.
#[derive(Object, Serialize)]
pub struct ManagePage<T: ParseFromJSON + ToJSON + Serialize> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A user API page of views, `200`.
pub fn user_page<R, T: ParseFromJSON + ToJSON + Serialize>(page: Page<R>, view: impl FnMut(R) -> ApiResult<T>) -> ApiResult<Ok200<UserPage<T>>> {
    let data = page.items.into_iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(Ok200::Ok(Json(UserPage { success: true, data, next_cursor: page.next_cursor })))
}

/// A management API page of views, `200`.
pub fn manage_page<R, T: ParseFromJSON + ToJSON + Serialize>(page: Page<R>, view: impl FnMut(R) -> ApiResult<T>) -> ApiResult<Ok200<ManagePage<T>>> {
    let data = page.items.into_iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(Ok200::Ok(Json(ManagePage { data, next_cursor: page.next_cursor })))
}

/// JSON `null`: the `data` of a user API delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Null;

impl Serialize for Null {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl Type for Null {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "null".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { nullable: true, ..MetaSchema::ANY }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromJSON for Null {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None | Some(Value::Null) => Ok(Null),
            Some(other) => Err(poem_openapi::types::ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Null {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Null)
    }
}
