//! DNS hostnames, as used by custom domains and email domains, and the custom domain a request
//! names in its `Host` header.

/// Longest hostname accepted (RFC 1035).
pub const HOSTNAME_MAX_LEN: usize = 253;

/// Whether `host` is a lowercase DNS name of at least two labels: each label 1–63 chars of
/// `a-z`, `0-9` and inner hyphens, the last label not all digits (so IP addresses are refused).
pub fn is_hostname(host: &str) -> bool {
    if host.is_empty() || host.len() > HOSTNAME_MAX_LEN {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let valid_labels = labels.iter().all(|label| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    let tld_alpha = labels
        .last()
        .is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_lowercase()));
    labels.len() >= 2 && valid_labels && tld_alpha
}

/// The custom domain a request's `Host` header names: the host without its port, lowercased,
/// without a trailing dot — normalised as the `custom_domain` setting is, so the two compare
/// equal. `None` for an IP address, an IPv6 literal or anything that is not a hostname.
///
/// ```
/// use orgkit_core::hostname::custom_domain_of_host;
/// assert_eq!(custom_domain_of_host("Auth.Cardiology.Hospital.com:8443").as_deref(), Some("auth.cardiology.hospital.com"));
/// assert_eq!(custom_domain_of_host("127.0.0.1:8080"), None);
/// assert_eq!(custom_domain_of_host("[::1]:8080"), None);
/// ```
pub fn custom_domain_of_host(host: &str) -> Option<String> {
    let host = host.trim();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        Some(_) => return None,
        None => host,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    is_hostname(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_header_names_a_custom_domain_only_when_it_is_a_hostname() {
        assert_eq!(
            custom_domain_of_host("auth.example.com").as_deref(),
            Some("auth.example.com")
        );
        assert_eq!(
            custom_domain_of_host("AUTH.example.com.").as_deref(),
            Some("auth.example.com")
        );
        assert_eq!(
            custom_domain_of_host("auth.example.com:80").as_deref(),
            Some("auth.example.com")
        );
        for bad in [
            "",
            "localhost",
            "auth.example.com:x",
            "a.b:1:2",
            "10.0.0.1",
            "[::1]",
            "ex ample.com",
        ] {
            assert_eq!(custom_domain_of_host(bad), None, "{bad:?}");
        }
    }
}
