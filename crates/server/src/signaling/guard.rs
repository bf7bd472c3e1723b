//! Who may open a signaling socket, checked before the upgrade:
//!
//! - **Only this service's own pages.** A browser sends the page's `Origin`
//!   with every WebSocket upgrade, and cookies with it — also when the page
//!   is someone else's (another subdomain of the school's domain, a site a
//!   teacher was lured to). So a socket whose `Origin` is not this service's
//!   own is refused (403): the configured public URL's origin, or the very
//!   host the request was sent to (a server reached as `localhost` without
//!   a public URL). Programs that are no browser send no `Origin` and carry
//!   nobody's cookies; they are let through.
//! - **A share per network.** At most `[http] sockets_per_network` sockets
//!   ([`MAX_SOCKETS_PER_NETWORK`] unless configured) are open at once from
//!   one client network (an IPv4 address, or an IPv6 /64,
//!   [`crate::client_ip::network`]); the next one gets 429 until one closes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;
use ipnet::IpNet;

/// Open signaling sockets per network: far more than one family or one
/// school's classroom needs at once, far fewer than it takes to exhaust the
/// server's memory or file descriptors.
pub const MAX_SOCKETS_PER_NETWORK: usize = 256;

/// Whether a browser page with these headers may open a socket; `public_url`
/// is the service's configured address (`https://tafelrunde.example.org`).
pub fn origin_allowed(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(Origin::parse) else {
        // `null` (sandboxed frames, files) or garbage: no page of ours.
        return false;
    };
    if public_url.and_then(Origin::parse).as_ref() == Some(&origin) {
        return true;
    }
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|host| Origin::parse(&format!("{}://{host}", origin.scheme)))
        .is_some_and(|own| own == origin)
}

/// `scheme://host[:port]`, lower case, without the scheme's default port.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    authority: String,
}

impl Origin {
    /// From an `Origin` header or a URL (its path is ignored).
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        let (scheme, rest) = text.split_once("://")?;
        if !matches!(scheme, "http" | "https") {
            return None;
        }
        let authority = rest.split(['/', '?', '#']).next()?;
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let default = if scheme == "https" { ":443" } else { ":80" };
        let authority = authority.strip_suffix(default).unwrap_or(authority);
        Some(Self {
            scheme: scheme.to_string(),
            authority: authority.to_string(),
        })
    }
}

/// The open sockets per network, for one server.
#[derive(Debug, Default)]
pub struct Sockets {
    open: Mutex<HashMap<IpNet, usize>>,
}

/// One socket's place in its network's share; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    sockets: Arc<Sockets>,
    network: Option<IpNet>,
}

impl Sockets {
    /// A place for one more socket from `client`, or `None` when its network
    /// has all of its share open. Without a known address (tests calling the
    /// router without a socket) there is nothing to count.
    pub fn take(self: &Arc<Self>, client: Option<IpAddr>, limit: usize) -> Option<Slot> {
        let network = client.map(crate::client_ip::network);
        if let Some(network) = network {
            let mut open = self.open.lock().expect("not poisoned");
            let count = open.entry(network).or_default();
            if *count >= limit {
                return None;
            }
            *count += 1;
        }
        Some(Slot {
            sockets: self.clone(),
            network,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(network) = self.network else {
            return;
        };
        let mut open = self.sockets.open.lock().expect("not poisoned");
        if let Some(count) = open.get_mut(&network) {
            *count -= 1;
            if *count == 0 {
                // Only networks with open sockets are kept: the map is bounded
                // by the sockets themselves.
                open.remove(&network);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn only_the_services_own_origin_is_let_in() {
        let public = Some("https://tafelrunde.example.org/");
        let ok = |o: &str| origin_allowed(&headers(Some(o), "10.0.0.5:8080"), public);
        assert!(ok("https://tafelrunde.example.org"));
        assert!(ok("HTTPS://Tafelrunde.Example.org:443"));
        assert!(!ok("https://evil.example.org"));
        assert!(!ok("https://tafelrunde.example.org.evil.example"));
        assert!(
            !ok("http://tafelrunde.example.org"),
            "another scheme is another origin"
        );
        assert!(!ok("https://tafelrunde.example.org:8443"));
        assert!(!ok("null"));
        // The host the request went to (no public URL, or reached directly).
        assert!(ok("http://10.0.0.5:8080"));
        assert!(origin_allowed(
            &headers(Some("http://localhost:8080"), "localhost:8080"),
            None
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "localhost:8080"),
            None
        ));
        // No Origin: not a browser.
        assert!(origin_allowed(&headers(None, "localhost"), public));
    }

    #[test]
    fn a_network_gets_its_share_and_closed_sockets_give_it_back() {
        let sockets = Arc::new(Sockets::default());
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let mut held: Vec<Slot> = (0..MAX_SOCKETS_PER_NETWORK)
            .map(|_| sockets.take(Some(a), MAX_SOCKETS_PER_NETWORK).unwrap())
            .collect();
        assert!(
            sockets
                .take(Some(same_64), MAX_SOCKETS_PER_NETWORK)
                .is_none(),
            "the /64 is one network"
        );
        assert!(sockets.take(Some(other), MAX_SOCKETS_PER_NETWORK).is_some());
        held.pop();
        assert!(sockets
            .take(Some(same_64), MAX_SOCKETS_PER_NETWORK)
            .is_some());
        drop(held);
        assert!(
            sockets.open.lock().unwrap().is_empty(),
            "nothing kept for closed sockets"
        );
        assert!(sockets.take(None, MAX_SOCKETS_PER_NETWORK).is_some());
    }
}
