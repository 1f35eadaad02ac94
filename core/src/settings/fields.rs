//! The setting fields: names, defaults, ranges and validators.

use crate::error::{Error, ErrorCode, Result};
use crate::hostname::is_hostname;
use crate::login::REDIRECT_TARGET_MAX_LEN;
use crate::role::truncate;
use std::ops::RangeInclusive;

/// Built-in brand colour.
pub const DEFAULT_PRIMARY_COLOR: &str = "#2563eb";
/// Built-in minimum password length (NIST SP 800-63B's floor).
pub const DEFAULT_PASSWORD_MIN_LENGTH: u32 = 8;
/// Built-in session lifetime in hours.
pub const DEFAULT_SESSION_TTL_HOURS: u32 = 24;
/// Built-in failed logins before lockout.
pub const DEFAULT_MAX_LOGIN_ATTEMPTS: u32 = 5;
/// Built-in lockout length in minutes.
pub const DEFAULT_LOCKOUT_DURATION_MINUTES: u32 = 15;

/// Accepted `password_min_length`.
pub const PASSWORD_MIN_LENGTH_RANGE: RangeInclusive<u32> = 8..=128;
/// Accepted `session_ttl_hours` (one hour to 30 days).
pub const SESSION_TTL_HOURS_RANGE: RangeInclusive<u32> = 1..=720;
/// Accepted `max_login_attempts`.
pub const MAX_LOGIN_ATTEMPTS_RANGE: RangeInclusive<u32> = 1..=100;
/// Accepted `lockout_duration_minutes` (one minute to a week).
pub const LOCKOUT_DURATION_MINUTES_RANGE: RangeInclusive<u32> = 1..=10_080;
/// Longest `logo_url`.
pub const LOGO_URL_MAX_LEN: usize = 2048;
/// Longest `welcome_text`, in characters.
pub const WELCOME_TEXT_MAX_CHARS: usize = 280;
/// Longest connection id.
pub const CONNECTION_ID_MAX_LEN: usize = 64;
/// Most allowed redirect URLs a tenant may list.
pub const ALLOWED_REDIRECT_URLS_MAX: usize = 50;

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSetting, message).with_field(field)
}

/// An https URL with a host and no credentials.
pub(crate) fn https_url(field: &str, value: &str) -> Result<String> {
    if value.len() > LOGO_URL_MAX_LEN {
        return Err(invalid(
            field,
            format!("{field} is longer than {LOGO_URL_MAX_LEN} characters"),
        ));
    }
    let url =
        url::Url::parse(value).map_err(|_| invalid(field, format!("{field} is not a URL")))?;
    let host_ok = url.domain().is_some_and(is_hostname);
    if url.scheme() != "https" || !host_ok || !url.username().is_empty() || url.password().is_some()
    {
        return Err(invalid(
            field,
            format!("{field} must be an https URL with a host and no credentials"),
        ));
    }
    Ok(url.to_string())
}

/// `#rrggbb`, returned lowercase.
pub(crate) fn color(field: &str, value: &str) -> Result<String> {
    let hex = value.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(invalid(
            field,
            format!(
                "{field} must be a colour like #0066cc, not {:?}",
                truncate(value)
            ),
        ))
    }
}

/// One line of printable text, trimmed, 1–280 characters.
pub(crate) fn text(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > WELCOME_TEXT_MAX_CHARS {
        return Err(invalid(
            field,
            format!("{field} must be 1-{WELCOME_TEXT_MAX_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A DNS hostname, lowercased, without a trailing dot.
pub(crate) fn domain(field: &str, value: &str) -> Result<String> {
    let host = value.trim_end_matches('.').to_ascii_lowercase();
    if is_hostname(&host) {
        Ok(host)
    } else {
        Err(invalid(
            field,
            format!(
                "{field} must be a hostname like auth.example.com, not {:?}",
                truncate(value)
            ),
        ))
    }
}

/// A whole number within `range`.
pub(crate) fn number(field: &str, value: u64, range: &RangeInclusive<u32>) -> Result<u32> {
    u32::try_from(value)
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            invalid(
                field,
                format!(
                    "{field} must be between {} and {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// A connection id: 1–64 ASCII letters, digits, `-` or `_`.
pub(crate) fn connection_id(field: &str, value: &str) -> Result<String> {
    let ok = (1..=CONNECTION_ID_MAX_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            field,
            format!("{field} must be a connection id, not {:?}", truncate(value)),
        ))
    }
}

/// An allowed redirect URL: absolute, `https` (or `http` on a loopback host, for local
/// development, as OAuth does for native apps), with a host, without credentials or a fragment
/// (the token goes in the fragment), at most [`REDIRECT_TARGET_MAX_LEN`] bytes. Answers it
/// normalised, as [`crate::login::redirect_target`] compares it.
pub(crate) fn redirect_url(field: &str, value: &str) -> Result<String> {
    let refuse = |why: &str| invalid(field, format!("{field}: {:?} {why}", truncate(value)));
    if value.len() > REDIRECT_TARGET_MAX_LEN {
        return Err(refuse(&format!(
            "is longer than {REDIRECT_TARGET_MAX_LEN} bytes"
        )));
    }
    let url = url::Url::parse(value).map_err(|_| refuse("is not an absolute URL"))?;
    let loopback = matches!(url.host(), Some(url::Host::Domain("localhost")))
        || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let host_ok = match url.host() {
        Some(url::Host::Domain(d)) => is_hostname(d) || d == "localhost",
        Some(_) => true,
        None => false,
    };
    if !scheme_ok || !host_ok {
        return Err(refuse(
            "must be an https URL with a host (http only on localhost)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(refuse("must carry no credentials and no fragment"));
    }
    Ok(url.to_string())
}

/// A list of allowed redirect URLs: each one checked by [`redirect_url`], duplicates dropped,
/// at most [`ALLOWED_REDIRECT_URLS_MAX`].
pub(crate) fn redirect_urls(field: &str, values: &[serde_json::Value]) -> Result<Vec<String>> {
    if values.len() > ALLOWED_REDIRECT_URLS_MAX {
        return Err(invalid(
            field,
            format!("{field} holds at most {ALLOWED_REDIRECT_URLS_MAX} URLs"),
        ));
    }
    let mut urls: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let text = v
            .as_str()
            .ok_or_else(|| invalid(field, format!("{field} must be a list of URLs")))?;
        let url = redirect_url(field, text)?;
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    Ok(urls)
}

/// The value parsers of the setting table: `fn(field, &Value) -> Result<T>`, each checking the
/// JSON type and then the field's rule above.
pub(crate) mod value {
    use super::invalid;
    use crate::error::Result;
    use serde_json::Value;
    use std::ops::RangeInclusive;

    fn string<'a>(field: &str, value: &'a Value) -> Result<&'a str> {
        value
            .as_str()
            .ok_or_else(|| invalid(field, format!("{field} must be a string or null")))
    }

    /// An https URL ([`super::https_url`]).
    pub(crate) fn https_url(field: &str, value: &Value) -> Result<String> {
        super::https_url(field, string(field, value)?)
    }

    /// A colour ([`super::color`]).
    pub(crate) fn color(field: &str, value: &Value) -> Result<String> {
        super::color(field, string(field, value)?)
    }

    /// A line of text ([`super::text`]).
    pub(crate) fn text(field: &str, value: &Value) -> Result<String> {
        super::text(field, string(field, value)?)
    }

    /// A hostname ([`super::domain`]).
    pub(crate) fn domain(field: &str, value: &Value) -> Result<String> {
        super::domain(field, string(field, value)?)
    }

    /// A connection id ([`super::connection_id`]).
    pub(crate) fn connection_id(field: &str, value: &Value) -> Result<String> {
        super::connection_id(field, string(field, value)?)
    }

    /// IdP group names to roles ([`crate::directory::roles::parse_mappings`]).
    pub(crate) fn group_role_mappings(field: &str, value: &Value) -> Result<crate::directory::GroupRoleMappings> {
        crate::directory::roles::parse_mappings(field, value)
    }

    /// `true` or `false`.
    pub(crate) fn flag(field: &str, value: &Value) -> Result<bool> {
        value
            .as_bool()
            .ok_or_else(|| invalid(field, format!("{field} must be true, false or null")))
    }

    /// A whole number within `range` ([`super::number`]).
    pub(crate) fn within(
        range: &'static RangeInclusive<u32>,
    ) -> impl Fn(&str, &Value) -> Result<u32> {
        move |field, value| {
            let whole = value
                .as_u64()
                .ok_or_else(|| invalid(field, format!("{field} must be a whole number or null")))?;
            super::number(field, whole, range)
        }
    }
}
