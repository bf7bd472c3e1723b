//! The login rate limit: after too many failed logins for one address, or
//! from one client address, further attempts are refused for a while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per address (e-mail) within [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
/// Failures allowed per client IP within [`WINDOW`]. High, because a whole
/// school often shares one address (NAT), and a reverse proxy makes every
/// client one address: the per-account limit is the one that protects.
pub const PER_CLIENT: usize = 100;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when any of the keys has too many recent failures.
    pub fn check(&self, keys: &[(String, usize)], now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        for (key, limit) in keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= *limit {
                    let oldest = times[times.len() - limit];
                    wait = wait.max((WINDOW - now.duration_since(oldest)).as_secs().max(1));
                }
            }
        }
        // Keep the map from growing without bound.
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn fail(&self, keys: &[(String, usize)], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in keys {
            map.entry(key.clone()).or_default().push(now);
        }
    }

    pub fn succeed(&self, account_key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_frees_after_the_window() {
        let l = LoginLimiter::default();
        let keys = vec![("a:x@y.de".to_string(), PER_ACCOUNT)];
        let t0 = Instant::now();
        for _ in 0..PER_ACCOUNT {
            assert!(l.check(&keys, t0).is_ok());
            l.fail(&keys, t0);
        }
        assert!(l.check(&keys, t0).is_err());
        assert!(l.check(&keys, t0 + WINDOW + Duration::from_secs(1)).is_ok());
    }
}
