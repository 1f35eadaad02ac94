//! Where the server may connect on an org owner's say-so: an OIDC provider's discovery document,
//! key set and token endpoint are URLs an untrusted owner typed, so fetching them must not reach
//! the server's own network (SSRF).

use std::net::IpAddr;

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918, unique local
/// `fc00::/7`), link-local (cloud metadata lives at `169.254.169.254`), shared (`100.64.0.0/10`),
/// unspecified, broadcast, multicast, documentation or benchmarking space — an IPv4-mapped IPv6
/// address as its IPv4 address.
///
/// ```
/// use orgkit_core::outbound::is_public_address;
/// assert!(is_public_address(&"93.184.216.34".parse().unwrap()));
/// assert!(!is_public_address(&"169.254.169.254".parse().unwrap()));
/// assert!(!is_public_address(&"::ffff:127.0.0.1".parse().unwrap()));
/// ```
pub fn is_public_address(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(&IpAddr::V4(v4));
            }
            let [first, second, ..] = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && second == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "255.255.255.255",
            "224.0.0.1", "192.0.2.1", "198.18.0.1", "240.0.0.1", "::1", "::", "fd00::1", "fe80::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1"]
        {
            assert!(!is_public_address(&ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public_address(&ip.parse().unwrap()), "{ip}");
        }
    }
}
