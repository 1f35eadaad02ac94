//! Custom domains: the host that serves an org's login page.
//!
//! The operator's custom domains are trusted as set. One set through the user API (by an org
//! admin, an untrusted party) must be covered by a verified domain of the org when it is set
//! and still be when the login page is served (a verified domain that stops being trusted
//! stops serving), and may never be the server's own public host or a parent of it.

use super::name::{covers, normalize_domain};
use crate::error::{Error, ErrorCode, Result};

/// Checks a custom domain an org admin sets through the user API: `domain_reserved` when it is
/// the host of `public_url` (the server's own) or a name above it, `domain_not_verified` when no
/// domain of `verified_domains` (the org's verified domains) covers it.
///
/// ```
/// use orgkit_core::domain::check_custom_domain;
/// let verified = vec!["acme.example".to_owned()];
/// let own = "https://auth.orgkit.example";
/// assert!(check_custom_domain("login.acme.example", own, &verified).is_ok());
/// assert_eq!(check_custom_domain("login.other.example", own, &verified).unwrap_err().code(), "domain_not_verified");
/// assert_eq!(check_custom_domain("auth.orgkit.example", own, &verified).unwrap_err().code(), "domain_reserved");
/// assert_eq!(check_custom_domain("orgkit.example", own, &verified).unwrap_err().code(), "domain_reserved");
/// ```
pub fn check_custom_domain(custom_domain: &str, public_url: &str, verified_domains: &[String]) -> Result<()> {
    let name = normalize_domain(custom_domain).map_err(|e| e.with_field("custom_domain"))?;
    let own = url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase()));
    if own.is_some_and(|own| covers(std::slice::from_ref(&name), &own)) {
        return Err(Error::new(
            ErrorCode::DomainReserved,
            format!("{name} is this server's own host or a name above it"),
        )
        .with_field("custom_domain"));
    }
    if !covers(verified_domains, &name) {
        return Err(Error::new(
            ErrorCode::DomainNotVerified,
            format!("{name} is not under a verified domain of the organization: claim and verify it first"),
        )
        .with_field("custom_domain"));
    }
    Ok(())
}

/// Whether an org's custom domain serves its login page: always when the operator set it,
/// otherwise while a verified domain of the org covers it.
///
/// ```
/// use orgkit_core::domain::custom_domain_served;
/// assert!(custom_domain_served("login.acme.example", true, &[]));
/// assert!(custom_domain_served("login.acme.example", false, &["acme.example".to_owned()]));
/// assert!(!custom_domain_served("login.acme.example", false, &[]));
/// ```
pub fn custom_domain_served(custom_domain: &str, set_by_operator: bool, verified_domains: &[String]) -> bool {
    set_by_operator || covers(verified_domains, custom_domain)
}
