//! The rate limit of the request form: at most [`PER_CLIENT`] requests
//! (accepted or refused as spam) per client address within [`WINDOW`].
//! Generous, because a whole school shares one address behind its NAT;
//! it stops a robot, not a class. Like the login limit, it lives in memory
//! (per node), which is enough to make flooding pointless.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const PER_CLIENT: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(3600);

#[derive(Debug, Default)]
pub struct HelpdeskLimiter {
    sent: Mutex<HashMap<String, Vec<Instant>>>,
}

/// The key of a client: its address, or one shared key when the server does
/// not know it (requests without a socket, as in tests).
fn key(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

impl HelpdeskLimiter {
    /// Counts a request; `Err(seconds to wait)` when the client is over the limit
    /// (that request is not counted).
    pub fn take(&self, ip: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let mut map = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        let times = map.entry(key(ip)).or_default();
        times.retain(|t| now.duration_since(*t) < WINDOW);
        if times.len() >= PER_CLIENT {
            let wait = WINDOW.saturating_sub(now.duration_since(times[0]));
            return Err(wait.as_secs().max(1));
        }
        times.push(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client_and_frees_after_the_window() {
        let l = HelpdeskLimiter::default();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        for _ in 0..PER_CLIENT {
            assert!(l.take(Some(a), t0).is_ok());
        }
        assert!(l.take(Some(a), t0).is_err());
        assert!(l.take(Some(b), t0).is_ok(), "another client is not limited");
        assert!(l.take(Some(a), t0 + WINDOW).is_ok());
    }
}
