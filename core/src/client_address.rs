//! The client's address behind reverse proxies: which hop of `Forwarded` / `X-Forwarded-For`
//! to believe, so per-address rate limits key on the client and not on a value the client
//! wrote itself.
//!
//! A proxy appends the address it received a request from to the right of these headers; what
//! stands to its left came from further away and may have been written by anyone. So the
//! client is found by walking from the socket peer leftwards through the hops while the
//! current address is a trusted proxy: the first address that is not one is the client (the
//! right-most untrusted hop). A peer that is not a trusted proxy is the client itself, whatever
//! the headers say.

use crate::error::{Error, ErrorCode, Result};
use ipnet::IpNet;
use std::net::IpAddr;

/// The reverse proxies whose forwarding headers are believed: addresses and CIDR networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of addresses (`10.0.0.7`, `::1`) and networks (`10.0.0.0/8`,
    /// `fd00::/8`); `invalid_request` names the first entry that is neither.
    ///
    /// ```
    /// use orgkit_core::client_address::TrustedProxies;
    /// let proxies = TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap();
    /// assert!(proxies.contains("10.1.2.3".parse().unwrap()));
    /// assert!(!proxies.contains("192.0.2.1".parse().unwrap()));
    /// assert_eq!(TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err().code(), "invalid_request");
    /// ```
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies> {
        entries
            .iter()
            .map(|e| {
                let e = e.as_ref().trim();
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        Error::new(
                            ErrorCode::InvalidRequest,
                            format!(
                                "trusted proxy {:?} is neither an IP address nor a CIDR network",
                                crate::role::truncate(e)
                            ),
                        )
                        .with_field("trusted_proxies")
                    })
            })
            .collect::<Result<Vec<_>>>()
            .map(TrustedProxies)
    }

    /// Parses a comma- or whitespace-separated list (an environment variable's value).
    pub fn parse_list(list: &str) -> Result<TrustedProxies> {
        let entries: Vec<&str> = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
            .collect();
        TrustedProxies::parse(&entries)
    }

    /// Whether `ip` is one of the trusted proxies (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether no proxy is trusted (forwarding headers are then ignored).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The client's address: the socket `peer` unless it is a trusted proxy, else the right-most
/// untrusted hop of the forwarding headers (`forwarded`: the `Forwarded` header lines of RFC
/// 7239, in order; `x_forwarded_for`: the `X-Forwarded-For` lines, in order). When a hop
/// cannot be read (`unknown`, an obfuscated name, garbage) the walk stops at the last trusted
/// address. When both headers are present they must name the same client; if they disagree —
/// one of them was written by the client, and nothing says which — the peer is the answer,
/// so a forged header never earns a fresh address.
///
/// ```
/// use orgkit_core::client_address::{TrustedProxies, client_address};
/// let proxies = TrustedProxies::parse(&["10.0.0.1"]).unwrap();
/// let peer = "10.0.0.1".parse().unwrap();
/// // The client wrote the left-most value; the proxy appended the real one.
/// assert_eq!(client_address(peer, &[], &["6.6.6.6, 203.0.113.9"], &proxies).to_string(), "203.0.113.9");
/// // A peer that is not a trusted proxy is the client, whatever it says.
/// assert_eq!(client_address("198.51.100.2".parse().unwrap(), &[], &["6.6.6.6"], &proxies).to_string(), "198.51.100.2");
/// ```
pub fn client_address<S: AsRef<str>>(
    peer: IpAddr,
    forwarded: &[S],
    x_forwarded_for: &[S],
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let walk = |hops: Vec<Option<IpAddr>>| {
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(ip) if trusted.contains(client) => client = ip.to_canonical(),
                _ => break,
            }
        }
        client
    };
    let forwarded = (!forwarded.is_empty()).then(|| walk(forwarded_hops(forwarded)));
    let x_forwarded_for = (!x_forwarded_for.is_empty()).then(|| walk(list_hops(x_forwarded_for)));
    match (forwarded, x_forwarded_for) {
        (Some(a), Some(b)) if a != b => peer,
        (Some(a), _) => a,
        (None, Some(b)) => b,
        (None, None) => peer,
    }
}

/// The `for=` of each element of `Forwarded` lines (RFC 7239), left to right; `None` for an
/// element without a readable address.
fn forwarded_hops<S: AsRef<str>>(lines: &[S]) -> Vec<Option<IpAddr>> {
    lines
        .iter()
        .flat_map(|line| line.as_ref().split(','))
        .map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| hop_address(value.trim().trim_matches('"')))?
            })
        })
        .collect()
}

/// The entries of `X-Forwarded-For` lines, left to right.
fn list_hops<S: AsRef<str>>(lines: &[S]) -> Vec<Option<IpAddr>> {
    lines
        .iter()
        .flat_map(|line| line.as_ref().split(','))
        .map(|entry| hop_address(entry.trim()))
        .collect()
}

/// One hop: `192.0.2.60`, `192.0.2.60:8080`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse_list("10.0.0.0/8, 192.168.1.1 ::1").unwrap()
    }

    #[test]
    fn hops_are_read_in_every_documented_spelling() {
        let fwd = forwarded_hops(&[
            "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"",
            "For=198.51.100.17:80, for=unknown, for=_hidden, proto=https",
        ]);
        assert_eq!(
            fwd,
            vec![
                Some(ip("192.0.2.60")),
                Some(ip("2001:db8:cafe::17")),
                Some(ip("198.51.100.17")),
                None,
                None,
                None
            ]
        );
        let list = list_hops(&["203.0.113.9 , 10.1.1.1:443", "[::1]:80, junk"]);
        assert_eq!(
            list,
            vec![
                Some(ip("203.0.113.9")),
                Some(ip("10.1.1.1")),
                Some(ip("::1")),
                None
            ]
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let p = proxies();
        let none: [&str; 0] = [];
        // Through two trusted proxies; the client prepended a lie.
        let xff = ["1.1.1.1, 203.0.113.9, 10.0.0.5"];
        assert_eq!(
            client_address(ip("10.0.0.2"), &none, &xff, &p),
            ip("203.0.113.9")
        );
        // Every hop trusted: the left-most is as far as anyone can see.
        assert_eq!(
            client_address(ip("10.0.0.2"), &none, &["10.9.9.9"], &p),
            ip("10.9.9.9")
        );
        // An unreadable hop stops the walk at the last trusted address.
        assert_eq!(
            client_address(ip("10.0.0.2"), &none, &["1.1.1.1, garbage"], &p),
            ip("10.0.0.2")
        );
        // No proxy trusted: the peer, whatever the headers say.
        let nobody = TrustedProxies::default();
        assert_eq!(
            client_address(ip("10.0.0.2"), &none, &["1.1.1.1"], &nobody),
            ip("10.0.0.2")
        );
        // IPv4-mapped peers count as IPv4.
        assert_eq!(
            client_address(ip("::ffff:10.0.0.2"), &none, &["203.0.113.9"], &p),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("::ffff:203.0.113.1"), &none, &none, &p),
            ip("203.0.113.1")
        );
    }

    #[test]
    fn headers_that_disagree_leave_the_peer() {
        let p = proxies();
        let fwd = ["for=1.2.3.4"];
        let xff = ["203.0.113.9"];
        assert_eq!(
            client_address(ip("10.0.0.2"), &fwd, &xff, &p),
            ip("10.0.0.2")
        );
        let same = ["for=203.0.113.9"];
        assert_eq!(
            client_address(ip("10.0.0.2"), &same, &xff, &p),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &same, &[], &p),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn bad_proxy_entries_are_refused() {
        for bad in ["10.0.0.0/33", "example.com", "10.0.0", "::1/129"] {
            assert!(TrustedProxies::parse(&[bad]).is_err(), "{bad}");
        }
        assert!(TrustedProxies::parse_list("").unwrap().is_empty());
    }
}
