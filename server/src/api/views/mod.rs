//! Views: what each answer contains, as types. Each derives its OpenAPI schema (`Object`) and
//! its bytes (`Serialize`) from one declaration, so the document describes exactly what is
//! sent. The management API (seed 000) spells fields snake_case, the user API (seed 004)
//! camelCase; a view both APIs show is declared once with [`both_cases!`].

pub mod auth;
pub mod orgs;
pub mod people;
pub mod settings;
pub mod sso;
pub mod directory;
pub mod events;

/// Declares a view twice from one field list: `Snake` as the management API spells it and
/// `Camel` as the user API does.
macro_rules! both_cases {
    ($(#[$meta:meta])* $snake:ident / $camel:ident { $($fields:tt)* }) => {
        $(#[$meta])*
        #[derive(poem_openapi::Object, serde::Serialize)]
        pub struct $snake { $($fields)* }

        $(#[$meta])*
        #[derive(poem_openapi::Object, serde::Serialize)]
        #[oai(rename_all = "camelCase")]
        #[serde(rename_all = "camelCase")]
        pub struct $camel { $($fields)* }
    };
}
pub(crate) use both_cases;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};

/// The fields of `T` flattened into a view that carries them only sometimes: all of them or
/// none, documented as `T`'s properties, none required.
pub struct Sometimes<T>(pub Option<T>);

impl<T: serde::Serialize> serde::Serialize for Sometimes<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(fields) => fields.serialize(serializer),
            None => serde::ser::SerializeMap::end(serializer.serialize_map(Some(0))?),
        }
    }
}

impl<T: Type> Type for Sometimes<T> {
    const IS_REQUIRED: bool = false;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> std::borrow::Cow<'static, str> {
        format!("Sometimes_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut registry = Registry::new();
        T::register(&mut registry);
        let mut schema = registry.create_fake_schema::<T>();
        schema.required.clear();
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Some(fields) => fields.raw_element_iter(),
            None => Box::new(std::iter::empty()),
        }
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Sometimes<T> {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        Ok(Sometimes(T::parse_from_json(value).ok()))
    }
}

impl<T: ToJSON> ToJSON for Sometimes<T> {
    fn to_json(&self) -> Option<serde_json::Value> {
        self.0.as_ref().map_or_else(|| Some(serde_json::Value::Object(Default::default())), ToJSON::to_json)
    }
}

/// A unix time as the APIs write it (RFC 3339, UTC).
pub(crate) fn time(unix: i64) -> String {
    crate::clock::rfc3339(unix)
}

/// The name serde gives a unit enum variant of core (`pending`, `verified`, …).
fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
