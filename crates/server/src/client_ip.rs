//! The address of the person behind a request. Behind a reverse proxy every
//! request comes from the proxy; the per-address login limit would then
//! lock out a whole state at once. Only proxies the operator names are
//! believed when they say, in `X-Forwarded-For`, whom they forward.

use std::net::IpAddr;

use ipnet::IpNet;

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
    fn bad_entries_are_named() {
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/8".into(), "proxy.local".into()]),
            Err(BadProxy("proxy.local".into()))
        );
        assert!(TrustedProxies::parse(&["fd00::/8".into(), "::1".into()]).is_ok());
    }
}
