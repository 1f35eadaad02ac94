//! Which names an org may claim, and which names a verified domain covers.

use super::lists::{is_free_mail_domain, is_public_suffix};
use crate::error::{Error, ErrorCode, Result};
use crate::hostname::is_hostname;
use crate::role::truncate;

/// A domain as stored and compared: trimmed, lowercase, without a trailing dot; `invalid_request`
/// (field `domain`) unless it is a DNS name of at least two labels.
///
/// ```
/// use orgkit_core::domain::normalize_domain;
/// assert_eq!(normalize_domain(" Acme.Example. ").unwrap(), "acme.example");
/// assert_eq!(normalize_domain("localhost").unwrap_err().code(), "invalid_request");
/// ```
pub fn normalize_domain(domain: &str) -> Result<String> {
    let name = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if is_hostname(&name) {
        Ok(name)
    } else {
        Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("{:?} is not a domain like example.com", truncate(domain)),
        )
        .with_field("domain"))
    }
}

/// Checks a domain an org wants to claim and answers it normalised. Refused: a name that is
/// not a domain (`invalid_request`), a public suffix or a free-mail provider's domain
/// (`domain_not_allowed`), a domain another org of the tenant has verified (`domain_taken`).
///
/// ```
/// use orgkit_core::domain::check_domain_claim;
/// assert_eq!(check_domain_claim("Acme.Example", false).unwrap(), "acme.example");
/// assert_eq!(check_domain_claim("co.uk", false).unwrap_err().code(), "domain_not_allowed");
/// assert_eq!(check_domain_claim("gmail.com", false).unwrap_err().code(), "domain_not_allowed");
/// assert_eq!(check_domain_claim("acme.example", true).unwrap_err().code(), "domain_taken");
/// ```
pub fn check_domain_claim(domain: &str, verified_by_another_org: bool) -> Result<String> {
    let name = normalize_domain(domain)?;
    let not_allowed = |why: &str| {
        Err(Error::new(ErrorCode::DomainNotAllowed, format!("{name} cannot be claimed: {why}")).with_field("domain"))
    };
    if is_public_suffix(&name) {
        return not_allowed("it is a public suffix, under which names belong to many owners");
    }
    if is_free_mail_domain(&name) {
        return not_allowed("it is a free email provider's domain");
    }
    if verified_by_another_org {
        return Err(Error::new(
            ErrorCode::DomainTaken,
            format!("{name} is verified by another organization"),
        )
        .with_field("domain"));
    }
    Ok(name)
}

/// Whether one of `verified` covers `name`: `name` is that domain or a name under it (whoever
/// controls a domain's DNS controls its subdomains').
///
/// ```
/// use orgkit_core::domain::covers;
/// let verified = vec!["acme.example".to_owned()];
/// assert!(covers(&verified, "acme.example") && covers(&verified, "login.acme.example"));
/// assert!(!covers(&verified, "evilacme.example") && !covers(&verified, "example"));
/// ```
pub fn covers(verified: &[String], name: &str) -> bool {
    let name = name.trim_end_matches('.');
    verified.iter().any(|d| {
        name.eq_ignore_ascii_case(d)
            || name
                .len()
                .checked_sub(d.len() + 1)
                .and_then(|cut| name.get(cut..))
                .is_some_and(|tail| tail.starts_with('.') && tail.get(1..).is_some_and(|t| t.eq_ignore_ascii_case(d)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_is_by_whole_labels() {
        let v = vec!["acme.example".to_owned()];
        assert!(covers(&v, "a.b.acme.example"));
        assert!(covers(&v, "ACME.example."));
        assert!(!covers(&v, "xacme.example"));
        assert!(!covers(&v, "acme.example.evil"));
        assert!(!covers(&[], "acme.example"));
    }
}
