//! Org slugs: lowercase letters, digits and single hyphens, unique per tenant (uniqueness is the
//! store's job; the shape is core's).

use crate::error::{Error, ErrorCode, Result};
use crate::role::truncate;

/// Shortest slug accepted.
pub const SLUG_MIN_LEN: usize = 2;
/// Longest slug accepted (a DNS label's length, so a slug can become a subdomain).
pub const SLUG_MAX_LEN: usize = 63;

/// Checks that `slug` is already in canonical form: `[a-z0-9]+(-[a-z0-9]+)*`, 2–63 chars, and
/// not shaped like a UUID (`8-4-4-4-12` hex digits): orgs are looked up by id or slug, so a
/// UUID-shaped slug could stand for another org's id.
///
/// ```
/// use orgkit_core::validate_slug;
/// assert!(validate_slug("acme-corp").is_ok());
/// assert_eq!(validate_slug("Acme Corp").unwrap_err().code(), "invalid_slug");
/// assert_eq!(validate_slug("0192f0c1-6b2a-7cc4-9d55-0a4bd1d6c2a1").unwrap_err().code(), "invalid_slug");
/// ```
pub fn validate_slug(slug: &str) -> Result<()> {
    if uuid_shaped(slug) {
        return Err(Error::new(
            ErrorCode::InvalidSlug,
            "a slug must not have the shape of a UUID: organizations are looked up by id or slug",
        )
        .with_field("slug"));
    }
    let len = slug.len();
    let shape_ok = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if (SLUG_MIN_LEN..=SLUG_MAX_LEN).contains(&len) && shape_ok {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::InvalidSlug,
        format!(
            "slug {:?} must be {SLUG_MIN_LEN}-{SLUG_MAX_LEN} lowercase letters, digits or single hyphens, not starting or ending with a hyphen",
            truncate(slug)
        ),
    )
    .with_field("slug"))
}

/// `8-4-4-4-12` hex digits, the canonical text of a UUID (any version, either case).
fn uuid_shaped(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Turns a display name into a slug candidate: ASCII letters lowercased, every other run of
/// characters collapsed into one hyphen, trimmed to 63 chars. The result is validated, so a name
/// with no usable character is refused with `invalid_slug`.
///
/// ```
/// use orgkit_core::normalize_slug;
/// assert_eq!(normalize_slug("  Acme Corp, Inc. ").unwrap(), "acme-corp-inc");
/// ```
pub fn normalize_slug(name: &str) -> Result<String> {
    let mut out = String::with_capacity(name.len().min(SLUG_MAX_LEN));
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() == SLUG_MAX_LEN {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    validate_slug(&out)?;
    Ok(out)
}
