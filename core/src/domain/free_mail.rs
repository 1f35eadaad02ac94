//! The free-mail provider list (`core/data/free-email-domains.txt`, see `core/data/README.md`
//! for its source and how it is refreshed).

use std::cmp::Ordering;

/// One lowercase domain a line, sorted bytewise.
const LIST: &str = include_str!("../../data/free-email-domains.txt");

/// Whether `domain` (lowercase, no trailing dot) is a free email provider's domain, such as
/// `gmail.com`: nobody's organization owns its mailboxes.
///
/// ```
/// use orgkit_core::domain::is_free_mail_domain;
/// assert!(is_free_mail_domain("gmail.com"));
/// assert!(!is_free_mail_domain("acme.example"));
/// ```
pub fn is_free_mail_domain(domain: &str) -> bool {
    // A binary search over byte offsets of the sorted text: no set is built at start-up, which
    // keeps the WASM module's instantiation as fast as before.
    let bytes = LIST.as_bytes();
    let (mut lo, mut hi) = (0usize, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes.get(..mid).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |p| p + 1);
        let end = bytes.get(mid..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(bytes.len(), |p| mid + p);
        match LIST.get(start..end).unwrap_or_default().cmp(domain) {
            Ordering::Equal => return true,
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_domain_is_found_and_neighbours_are_not() {
        let mut previous = "";
        for line in LIST.lines() {
            assert!(previous < line, "the list must be sorted and unique: {previous} / {line}");
            assert!(is_free_mail_domain(line), "{line}");
            previous = line;
        }
        assert!(LIST.lines().count() > 1000);
        for absent in ["", "a", "zzzzzzzz.example", "acme.example", "gmail.co", "000"] {
            assert!(!is_free_mail_domain(absent), "{absent}");
        }
    }
}
