//! Reverse proxies in front of Loopdesk: which `X-Forwarded-For` entries are believed, so
//! the client address (the key of every per-client rate limit) is one the client cannot
//! choose, and whether the proxy terminates TLS (session cookies then get `Secure`).
//!
//! A proxy *appends* the address it received the request from to `X-Forwarded-For`, so
//! only the entries on the right, written by our own proxies, are trustworthy; everything
//! to their left was written by the client. The client address is therefore the rightmost
//! entry that was not written by a trusted proxy — never the leftmost.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Which proxies are trusted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ProxyConfig {
    /// How many reverse proxies stand between the clients and Loopdesk (each appends one
    /// `X-Forwarded-For` entry). 0: the socket peer is the client and the header is
    /// ignored. Used when `trusted` is empty.
    pub hops: u32,
    /// Addresses or CIDR ranges (`10.0.0.0/8`, `::1`) of trusted proxies: from the socket
    /// peer leftwards through `X-Forwarded-For`, entries from these are skipped and the
    /// first other address is the client. Takes precedence over `hops`.
    pub trusted: Vec<String>,
    /// The proxy serves the site over HTTPS: session cookies are marked `Secure`.
    pub tls: bool,
}

/// The trusted proxies, parsed once at start-up.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    ranges: Vec<Cidr>,
    hops: u32,
}

impl TrustedProxies {
    /// Parses the configuration; an entry of `trusted` that is no address or range is
    /// logged and ignored.
    pub fn new(config: &ProxyConfig) -> TrustedProxies {
        let ranges = config
            .trusted
            .iter()
            .filter_map(|s| {
                let parsed = Cidr::parse(s);
                if parsed.is_none() {
                    tracing::warn!(entry = %s, "proxy.trusted: not an address or CIDR range; ignored");
                }
                parsed
            })
            .collect();
        TrustedProxies { ranges, hops: config.hops }
    }

    /// The client's address given the socket `peer` and the `X-Forwarded-For` header
    /// values in the order received.
    pub fn client_address<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        if self.ranges.is_empty() && self.hops == 0 {
            return peer;
        }
        let hops: Vec<&str> =
            forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
        let mut client = peer;
        for (skipped, hop) in hops.iter().rev().enumerate() {
            let proxy_trusted = if self.ranges.is_empty() {
                skipped < self.hops as usize
            } else {
                self.ranges.iter().any(|c| c.contains(client))
            };
            if !proxy_trusted {
                break;
            }
            // `client` is a trusted proxy, so the entry it appended is believed; an entry
            // that is not an address ends the walk at the proxy that wrote it.
            match parse_hop(hop) {
                Some(ip) => client = ip,
                None => break,
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[::1]:80`).
fn parse_hop(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(inner) = s.strip_prefix('[') {
        return inner.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    s.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
}

/// An address range.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    net: IpAddr,
    prefix: u32,
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (ip, prefix) = match s.trim().split_once('/') {
            Some((ip, p)) => (ip.parse::<IpAddr>().ok()?, p.parse::<u32>().ok()?),
            None => {
                let ip = s.trim().parse::<IpAddr>().ok()?;
                (ip, if ip.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Cidr { net: ip, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u32::from(n).into(), 32, self.prefix) == masked(u32::from(a).into(), 32, self.prefix)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => masked(n.into(), 128, self.prefix) == masked(a.into(), 128, self.prefix),
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u32, prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let c = TrustedProxies::new(&ProxyConfig::default());
        assert_eq!(c.client_address(ip("203.0.113.9"), ["1.1.1.1"]), ip("203.0.113.9"));
    }

    #[test]
    fn one_hop_takes_the_rightmost_entry_not_the_clients_own() {
        let c = TrustedProxies::new(&ProxyConfig { hops: 1, ..Default::default() });
        let peer = ip("10.0.0.2");
        // The client wrote "6.6.6.6"; the proxy appended the address it saw.
        assert_eq!(c.client_address(peer, ["6.6.6.6, 198.51.100.7"]), ip("198.51.100.7"));
        assert_eq!(c.client_address(peer, ["6.6.6.6", "198.51.100.7"]), ip("198.51.100.7"));
        assert_eq!(c.client_address(peer, [] as [&str; 0]), peer);
        let two = TrustedProxies::new(&ProxyConfig { hops: 2, ..Default::default() });
        assert_eq!(two.client_address(peer, ["6.6.6.6, 198.51.100.7, 10.0.0.1"]), ip("198.51.100.7"));
    }

    #[test]
    fn a_list_of_proxies_skips_exactly_those() {
        let config = ProxyConfig {
            trusted: vec!["10.0.0.0/8".into(), "192.0.2.1".into(), "bogus".into()],
            ..Default::default()
        };
        let c = TrustedProxies::new(&config);
        assert_eq!(c.client_address(ip("10.1.2.3"), ["6.6.6.6, 198.51.100.7, 192.0.2.1"]), ip("198.51.100.7"));
        // A peer that is not a proxy of ours is the client, whatever it claims.
        assert_eq!(c.client_address(ip("198.51.100.8"), ["6.6.6.6"]), ip("198.51.100.8"));
        // Garbage written by the client ends the walk at the proxy that forwarded it.
        assert_eq!(c.client_address(ip("10.1.2.3"), ["not-an-ip"]), ip("10.1.2.3"));
        assert_eq!(c.client_address(ip("::ffff:10.0.0.1"), ["198.51.100.7:4711"]), ip("198.51.100.7"));
        assert_eq!(c.client_address(ip("10.0.0.1"), ["[2001:db8::1]:80"]), ip("2001:db8::1"));
    }
}
