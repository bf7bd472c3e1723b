//! Time-limited TURN credentials (the "TURN REST API" scheme that coturn's
//! `--use-auth-secret` understands): the user name is the expiry time, the
//! password an HMAC of it with the shared secret. The server never stores
//! them, and a leaked pair stops working when it expires.
//!
//! Who gets them: a participant once admitted into a room (the `joined`
//! message; nobody in a lobby), and the connection test, limited per
//! client network ([`Limit::TurnTest`]). How long: only as long as the
//! browser needs to set up its relay. coturn checks the expiry when an
//! allocation starts, not while it lives (tried with coturn 4.6.1 and
//! Chromium: a relayed call ran on for minutes after its credentials had
//! expired, through refreshes and a stale nonce), so a short lifetime cuts
//! off nobody's call, and every new join gets fresh credentials.

use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use tafelrunde_protocol::IceServer;

use crate::app::AppState;
use crate::limits::Limit;

/// How long a room participant's credentials are valid unless
/// `turn.ttl_seconds` says otherwise: the browser allocates its relay right
/// after `joined`; the rest is margin for a slow machine.
pub const ROOM_TTL: Duration = Duration::from_secs(10 * 60);
/// The connection test's credentials: its room lasts a minute.
pub const TEST_TTL: Duration = Duration::from_secs(2 * 60);

/// The `[turn]` section of the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TurnConfig {
    /// `turn:` / `turns:` URLs of the TURN server(s); empty disables TURN.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`.
    pub secret: String,
    /// How long a room participant's credentials stay valid, in seconds
    /// (default [`ROOM_TTL`]).
    pub ttl_seconds: Option<u64>,
}

impl TurnConfig {
    /// Whether TURN is configured at all.
    pub fn enabled(&self) -> bool {
        !self.urls.is_empty() && !self.secret.is_empty()
    }

    /// The lifetime of a room participant's credentials.
    pub fn room_ttl(&self) -> Duration {
        self.ttl_seconds.map_or(ROOM_TTL, Duration::from_secs)
    }

    /// Credentials valid from `now` for `ttl`, named `label` (coturn logs it).
    pub fn credentials(&self, now: SystemTime, ttl: Duration, label: &str) -> Vec<IceServer> {
        if !self.enabled() {
            return Vec::new();
        }
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

/// The TURN servers for a participant just admitted into `room`: a room's
/// lifetime for a real room; for a connection-test room the test's short
/// lifetime, and none once the client's network has used up its
/// [`Limit::TurnTest`] (the test then reports TURN as unavailable; calls are
/// not affected).
pub fn for_participant(
    state: &AppState,
    room: &str,
    client: Option<IpAddr>,
    label: &str,
) -> Vec<IceServer> {
    let turn = &state.turn;
    if !turn.enabled() {
        return Vec::new();
    }
    let now = SystemTime::now();
    if !room.starts_with(crate::room_access::TEST_PREFIX) {
        return turn.credentials(now, turn.room_ttl(), label);
    }
    if let Some(control) = &state.control {
        let network = crate::client_ip::network_key(client);
        let key = control.limits.key(Limit::TurnTest, &[&network]);
        if control.limits.take(&[key], Instant::now()).is_err() {
            tracing::info!(
                "connection test: TURN credentials refused, limit of the network reached"
            );
            return Vec::new();
        }
    }
    turn.credentials(now, TEST_TTL.min(turn.room_ttl()), label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn() -> TurnConfig {
        TurnConfig {
            urls: vec!["turn:127.0.0.1:3478".into()],
            secret: "geheim".into(),
            ttl_seconds: None,
        }
    }

    #[test]
    fn credentials_follow_the_turn_rest_scheme() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let servers = turn().credentials(now, Duration::from_secs(60), "p7");
        assert_eq!(servers[0].username, "1700000060:p7");
        // Computed independently: printf '1700000060:p7' | openssl dgst -sha1 -hmac geheim -binary | base64
        assert_eq!(servers[0].credential, "1obi46G/hCVVqY+p8B3THAHMXvE=");
    }

    #[test]
    fn a_room_participant_gets_ten_minutes_unless_configured() {
        assert_eq!(turn().room_ttl(), Duration::from_secs(600));
        let configured = TurnConfig {
            ttl_seconds: Some(1800),
            ..turn()
        };
        assert_eq!(configured.room_ttl(), Duration::from_secs(1800));
    }

    #[test]
    fn no_urls_no_servers() {
        assert!(TurnConfig::default()
            .credentials(SystemTime::now(), ROOM_TTL, "p1")
            .is_empty());
    }
}
