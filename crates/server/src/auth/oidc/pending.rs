//! Logins on their way through the identity provider: what the callback
//! needs (nonce, PKCE verifier) and the browser they belong to. Anyone can
//! start one, so the table is bounded twice, and a full table refuses new
//! logins instead of pushing out the logins of others: at most
//! [`PER_NETWORK`] from one client network (one IPv4 address, one IPv6 /64),
//! at most [`MAX`] in all. A login left unfinished is forgotten after
//! [`PENDING_FOR`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use openidconnect::{Nonce, PkceCodeVerifier};

/// How long a started login may take at the provider.
pub const PENDING_FOR: Duration = Duration::from_secs(600);
/// Logins in progress from one client network: a class logging in at once
/// behind its school's single address fits, a script filling the table does not.
pub const PER_NETWORK: usize = 20;
/// Logins in progress in all.
pub const MAX: usize = 10_000;

/// A started login.
pub struct Pending {
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
    /// The hash of the browser's login cookie.
    pub binding: String,
    pub network: String,
    pub started: Instant,
}

/// Why a login cannot start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// [`PER_NETWORK`] logins from this network are in progress.
    Network,
    /// [`MAX`] logins are in progress.
    Full,
}

/// Why a callback is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// No such login, or it took longer than [`PENDING_FOR`].
    Expired,
    /// The login was started in another browser (its cookie is not this one's).
    OtherBrowser,
}

#[derive(Default)]
pub struct PendingLogins {
    by_state: HashMap<String, Pending>,
    per_network: HashMap<String, usize>,
    /// Expired logins are looked for at most once a second: a full table
    /// under a flood must not cost a scan per request.
    next_sweep: Option<Instant>,
}

impl PendingLogins {
    fn forget(&mut self, state: &str) -> Option<Pending> {
        let pending = self.by_state.remove(state)?;
        if let Some(n) = self.per_network.get_mut(&pending.network) {
            *n -= 1;
            if *n == 0 {
                self.per_network.remove(&pending.network);
            }
        }
        Some(pending)
    }

    fn expire(&mut self, now: Instant) {
        if self.next_sweep.is_some_and(|t| now < t) {
            return;
        }
        self.next_sweep = Some(now + Duration::from_secs(1));
        let old: Vec<String> = self
            .by_state
            .iter()
            .filter(|(_, p)| now.duration_since(p.started) >= PENDING_FOR)
            .map(|(state, _)| state.clone())
            .collect();
        for state in old {
            self.forget(&state);
        }
    }

    /// Records a started login, unless its network or the table is full.
    pub fn insert(&mut self, state: String, pending: Pending) -> Result<(), Refused> {
        let now = pending.started;
        if self.by_state.len() >= MAX
            || self.per_network.get(&pending.network).copied().unwrap_or(0) >= PER_NETWORK
        {
            self.expire(now);
        }
        if self.per_network.get(&pending.network).copied().unwrap_or(0) >= PER_NETWORK {
            return Err(Refused::Network);
        }
        if self.by_state.len() >= MAX {
            return Err(Refused::Full);
        }
        *self.per_network.entry(pending.network.clone()).or_default() += 1;
        self.by_state.insert(state, pending);
        Ok(())
    }

    /// The login of `state`, if it was started in the browser whose cookie
    /// hashes to `binding`. A callback from another browser leaves the
    /// login in place for its own.
    pub fn take(&mut self, state: &str, binding: &str, now: Instant) -> Result<Pending, Unknown> {
        let pending = self.by_state.get(state).ok_or(Unknown::Expired)?;
        if now.duration_since(pending.started) >= PENDING_FOR {
            self.forget(state);
            return Err(Unknown::Expired);
        }
        if !crate::auth::token::constant_time_eq(&pending.binding, binding) {
            return Err(Unknown::OtherBrowser);
        }
        self.forget(state).ok_or(Unknown::Expired)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_state.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(network: &str, binding: &str, started: Instant) -> Pending {
        Pending {
            nonce: Nonce::new("n".into()),
            verifier: PkceCodeVerifier::new("v".into()),
            binding: binding.into(),
            network: network.into(),
            started,
        }
    }

    #[test]
    fn one_network_cannot_push_out_the_logins_of_others() {
        let t0 = Instant::now();
        let mut logins = PendingLogins::default();
        logins
            .insert("mine".into(), pending("203.0.113.9", "b", t0))
            .unwrap();
        for i in 0..PER_NETWORK {
            logins
                .insert(format!("flood{i}"), pending("198.51.100.7", "x", t0))
                .unwrap();
        }
        assert_eq!(
            logins.insert("more".into(), pending("198.51.100.7", "x", t0)),
            Err(Refused::Network)
        );
        // Many networks fill the table: new logins wait, none is evicted.
        let mut n = 0;
        while logins.len() < MAX {
            logins
                .insert(format!("wide{n}"), pending(&format!("net{n}"), "x", t0))
                .unwrap();
            n += 1;
        }
        assert_eq!(
            logins.insert("late".into(), pending("192.0.2.1", "x", t0)),
            Err(Refused::Full)
        );
        assert!(
            logins.take("mine", "b", t0).is_ok(),
            "the first login is still there"
        );
        // Once the flood's logins expire, they are forgotten and its
        // network may start again.
        let later = t0 + PENDING_FOR;
        assert_eq!(
            logins.insert("again".into(), pending("198.51.100.7", "x", later)),
            Ok(())
        );
        assert_eq!(logins.len(), 1);
    }

    #[test]
    fn a_login_is_finished_only_in_the_browser_that_started_it() {
        let t0 = Instant::now();
        let mut logins = PendingLogins::default();
        logins
            .insert("s".into(), pending("203.0.113.9", "browser-a", t0))
            .unwrap();
        assert_eq!(
            logins.take("s", "browser-b", t0).err(),
            Some(Unknown::OtherBrowser)
        );
        assert!(
            logins.take("s", "browser-a", t0).is_ok(),
            "still there for its own browser"
        );
        assert_eq!(
            logins.take("s", "browser-a", t0).err(),
            Some(Unknown::Expired),
            "used once"
        );
        logins
            .insert("t".into(), pending("203.0.113.9", "browser-a", t0))
            .unwrap();
        assert_eq!(
            logins.take("t", "browser-a", t0 + PENDING_FOR).err(),
            Some(Unknown::Expired)
        );
    }
}
