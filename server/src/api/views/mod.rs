//! Views: what each answer contains, as types. Each derives its OpenAPI schema (`Object`) and
//! its bytes (`Serialize`) from one declaration, so the document describes exactly what is
//! sent. The management API (seed 000) spells fields snake_case, the user API (seed 004)
//! camelCase; a view both APIs show is declared once with [`both_cases!`].

pub mod auth;
pub mod orgs;
pub mod people;
pub mod settings;
pub mod sso;

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

/// A unix time as the APIs write it (RFC 3339, UTC).
fn time(unix: i64) -> String {
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
