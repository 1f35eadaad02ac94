//! The maintained lists compiled into core (`core/data/`, see its README for their sources and
//! how they are refreshed): the public suffix list and the free-mail providers. Each is one
//! lowercase ASCII name a line, sorted bytewise, searched in place (no set is built at start-up,
//! which keeps the WASM module's instantiation as fast as before and its size small).

use std::cmp::Ordering;

/// The public suffix list's rules, both sections; `*.x` wildcards and `!x` exceptions as written.
const PUBLIC_SUFFIXES: &str = include_str!("../../data/public-suffix-list.txt");
/// Free email providers' domains.
const FREE_MAIL: &str = include_str!("../../data/free-email-domains.txt");

/// Whether the sorted `list` has the line `item`.
fn contains(list: &str, item: &str) -> bool {
    let bytes = list.as_bytes();
    let (mut lo, mut hi) = (0usize, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes.get(..mid).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |p| p + 1);
        let end = bytes.get(mid..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(bytes.len(), |p| mid + p);
        match list.get(start..end).unwrap_or_default().cmp(item) {
            Ordering::Equal => return true,
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start,
        }
    }
    false
}

/// Whether `domain` (lowercase, no trailing dot) is a free email provider's domain, such as
/// `gmail.com`: nobody's organization owns its mailboxes.
///
/// ```
/// use orgkit_core::domain::is_free_mail_domain;
/// assert!(is_free_mail_domain("gmail.com"));
/// assert!(!is_free_mail_domain("acme.example"));
/// ```
pub fn is_free_mail_domain(domain: &str) -> bool {
    contains(FREE_MAIL, domain)
}

/// Whether `domain` (lowercase ASCII, no trailing dot) is itself a public suffix (`com`,
/// `co.uk`, `github.io`, `foo.ck` under the wildcard `*.ck`, but not the exception `www.ck`):
/// names under it belong to many owners. A name under a TLD the list does not know
/// (`acme.example`, a company's private TLD) is not one.
///
/// ```
/// use orgkit_core::domain::is_public_suffix;
/// assert!(is_public_suffix("co.uk") && is_public_suffix("github.io"));
/// assert!(!is_public_suffix("acme.co.uk") && !is_public_suffix("acme.example"));
/// ```
pub fn is_public_suffix(domain: &str) -> bool {
    if contains(PUBLIC_SUFFIXES, domain) {
        return true;
    }
    let Some((_, parent)) = domain.split_once('.') else { return false };
    contains(PUBLIC_SUFFIXES, &format!("*.{parent}")) && !contains(PUBLIC_SUFFIXES, &format!("!{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_found_and_the_lists_are_sorted() {
        for list in [PUBLIC_SUFFIXES, FREE_MAIL] {
            let mut previous = "";
            for line in list.lines() {
                assert!(previous < line, "sorted and unique: {previous} / {line}");
                assert!(line.is_ascii() && line == line.to_ascii_lowercase(), "{line}");
                assert!(contains(list, line), "{line}");
                previous = line;
            }
            assert!(list.lines().count() > 1000);
            for absent in ["", "a", "zzzzzzzz.example", "acme.example", "gmail.co", "000"] {
                assert!(!contains(list, absent), "{absent}");
            }
        }
    }

    #[test]
    fn wildcards_exceptions_and_internationalised_suffixes() {
        assert!(is_public_suffix("anything.ck"));
        assert!(!is_public_suffix("www.ck"));
        assert!(is_public_suffix("xn--55qx5d.cn"), "公司.cn in punycode");
        for suffix in ["com", "co.uk", "github.io", "com.au", "blogspot.com"] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for name in ["acme.example", "acme.test", "corp.internal", "acme.co.uk", "a.github.io", "example"] {
            assert!(!is_public_suffix(name), "{name}");
        }
    }
}
