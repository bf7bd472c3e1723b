//! The address of the person behind a request, and the network it stands
//! for in rate limits. Behind a reverse proxy every request comes from the
//! proxy; the per-address limits would then lock out a whole state at once.
//! Only proxies the operator names are believed when they say, in
//! `X-Forwarded-For`, whom they forward.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The prefix of an IPv6 network that counts as one client: a provider
/// hands each connection (a home, a school, a phone) at least a /64, and
/// its devices pick addresses in it freely, so counting single IPv6
/// addresses would give every client billions of fresh starts.
pub const IPV6_PREFIX: u8 = 64;

/// The network `ip` counts as in every limit: an IPv4 address alone (also
/// when it arrives IPv4-mapped, `::ffff:a.b.c.d`, on a dual-stack socket),
/// else the address's IPv6 /64.
pub fn network(ip: IpAddr) -> IpNet {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::from(v4)),
        IpAddr::V6(v6) => IpNet::V6(
            Ipv6Net::new(v6, IPV6_PREFIX)
                .expect("64 is a valid IPv6 prefix")
                .trunc(),
        ),
    }
}

/// [`network`] as text for a limit's key; `unknown` when the server does
/// not know the address (requests without a socket, as in some tests).
pub fn network_key(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| network(ip).to_string())
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// A configured proxy entry that is neither an address nor a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("http.trusted_proxies: {0:?} is not an IP address or network such as 10.0.0.0/8")]
pub struct BadProxy(pub String);

impl TrustedProxies {
    /// From addresses (`127.0.0.1`) and networks (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(entries: &[String]) -> Result<Self, BadProxy> {
        entries
            .iter()
            .map(|e| {
                let e = e.trim();
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxy(e.to_string()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client: the peer itself unless it is a trusted proxy; then the
    /// nearest address in `X-Forwarded-For` (read from the right, as each
    /// proxy appends) that is not a trusted proxy. Entries left of an
    /// untrusted one could be forged by the client and are never used.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for entry in forwarded_for.unwrap_or("").rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxies = TrustedProxies::parse(&["127.0.0.1".into(), "10.0.0.0/8".into()]).unwrap();
        // A direct client: its header is ignored.
        assert_eq!(
            proxies.client(ip("203.0.113.7"), Some("198.51.100.1")),
            ip("203.0.113.7")
        );
        // Through the proxy: the address the proxy saw.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), Some("203.0.113.7")),
            ip("203.0.113.7")
        );
        // Through two proxies; a forged entry on the left is not believed.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), Some("1.2.3.4, 203.0.113.7, 10.1.2.3")),
            ip("203.0.113.7")
        );
        // A proxy without the header, or with garbage: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), None), ip("127.0.0.1"));
        assert_eq!(
            proxies.client(ip("127.0.0.1"), Some("unknown")),
            ip("127.0.0.1")
        );
        // Nothing configured: the peer, always.
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), Some("203.0.113.7")),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn an_ipv6_64_is_one_network_and_ipv4_addresses_are_apart() {
        let key = |s: &str| network_key(Some(ip(s)));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            key("2001:db8:1:2::7")
        );
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7/32");
        assert_ne!(key("203.0.113.7"), key("203.0.113.8"));
        // IPv4 on a dual-stack socket is still the IPv4 address, not ::ffff:0:0/64.
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7/32");
        assert_ne!(key("::ffff:203.0.113.7"), key("::ffff:203.0.113.8"));
        assert_eq!(network_key(None), "unknown");
    }

    #[test]
    fn bad_entries_are_named() {
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/8".into(), "proxy.local".into()]),
            Err(BadProxy("proxy.local".into()))
        );
        assert!(TrustedProxies::parse(&["fd00::/8".into(), "::1".into()]).is_ok());
    }
}
