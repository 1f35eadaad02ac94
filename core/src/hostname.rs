//! DNS hostnames, as used by custom domains and email domains.

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
