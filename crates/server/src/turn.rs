//! Time-limited TURN credentials (the "TURN REST API" scheme that coturn's
//! `--use-auth-secret` understands): the user name is the expiry time, the
//! password an HMAC of it with the shared secret. The server never stores
//! them, and a leaked pair stops working when it expires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use tafelrunde_protocol::IceServer;

/// The `[turn]` section of the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TurnConfig {
    /// `turn:` / `turns:` URLs of the TURN server(s); empty disables TURN.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`.
    pub secret: String,
    /// How long credentials stay valid, in seconds (default one day).
    pub ttl_seconds: Option<u64>,
}

impl TurnConfig {
    /// Credentials for one participant, valid from `now` for the TTL.
    pub fn ice_servers(&self, now: SystemTime, label: &str) -> Vec<IceServer> {
        if self.urls.is_empty() || self.secret.is_empty() {
            return Vec::new();
        }
        let ttl = Duration::from_secs(self.ttl_seconds.unwrap_or(24 * 3600));
        let expiry = (now + ttl)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let username = format!("{expiry}:{label}");
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(username.as_bytes());
        let credential =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        vec![IceServer {
            urls: self.urls.clone(),
            username,
            credential,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_the_turn_rest_scheme() {
        let turn = TurnConfig {
            urls: vec!["turn:127.0.0.1:3478".into()],
            secret: "geheim".into(),
            ttl_seconds: Some(60),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let servers = turn.ice_servers(now, "p7");
        assert_eq!(servers[0].username, "1700000060:p7");
        // Computed independently: printf '1700000060:p7' | openssl dgst -sha1 -hmac geheim -binary | base64
        assert_eq!(servers[0].credential, "1obi46G/hCVVqY+p8B3THAHMXvE=");
    }

    #[test]
    fn no_urls_no_servers() {
        assert!(TurnConfig::default()
            .ice_servers(SystemTime::now(), "p1")
            .is_empty());
    }
}
