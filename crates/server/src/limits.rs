//! Rate limits: how often something may be tried (a login, a room password,
//! a helpdesk request, a password-reset mail), per key (an address network,
//! an account, a room, or a pair of them). One mechanism serves them all.
//!
//! **The rule.** Each [`Limit`] has a [`Rate`]: `burst` tries at once, then
//! one more every `per / burst` (a token bucket, computed as GCRA: one time
//! stamp per key, no list of past tries). A key that stops trying is free
//! again after at most `per`.
//!
//! **Counted before the work.** [`Limits::take`] counts one try on every
//! key of a request, atomically and only if all of them have room; the
//! expensive check (argon2, a mail) runs afterwards. So 120 simultaneous
//! guesses cannot all slip past a limit of 50: the 51st is refused before
//! any hash runs. A try that turns out fine (the right password) may be
//! handed back with [`Limits::give_back`], so a class entering its room
//! does not use up its own allowance.
//!
//! **Bounded memory.** Each limit keeps at most [`MAX_KEYS`] keys, stored
//! as a keyed 64-bit hash and a time stamp. When a table is full, keys that
//! are free again are dropped first; if it is still full, the key nearest to
//! being free is dropped (it carries the least: one try, or tries long ago).
//! A flood of fresh keys (many addresses of an IPv6 network, invented
//! e-mail addresses) therefore pushes out keys that had one try, never the
//! key of an account under attack.
//!
//! **Per node.** The tables live in memory on each node; a cluster of `n`
//! nodes allows up to `n` times as much. That keeps guessing pointless
//! without a shared store in the hot path.
//!
//! Addresses are counted by network ([`crate::client_ip::network`]): an
//! IPv4 address, or the /64 of an IPv6 address, since one connection owns a
//! whole /64 and can pick any address in it.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept per limit (about 5 MB per limit when full).
pub const MAX_KEYS: usize = 50_000;

/// `burst` tries at once, then one every `per / burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per: Duration,
}

impl Rate {
    const fn new(burst: u32, minutes: u64) -> Self {
        Self {
            burst,
            per: Duration::from_secs(minutes * 60),
        }
    }

    fn interval_ms(self) -> u64 {
        (self.per.as_millis() as u64 / u64::from(self.burst.max(1))).max(1)
    }

    fn tolerance_ms(self) -> u64 {
        self.interval_ms() * u64::from(self.burst.max(1))
    }
}

/// What is limited. Each limit has a table of its own, so a flood of one
/// kind cannot push out the keys of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Failed logins from one address network, for any accounts: stops
    /// trying many accounts from one place. Generous, because a whole school
    /// shares one address behind its NAT.
    LoginNetwork,
    /// Failed logins for one account from one network: guessing one
    /// account's password from one place.
    LoginAccountNetwork,
    /// Failed logins for one account from anywhere: the ceiling against
    /// guessing from many networks. Far above the per-network limit; a browser
    /// that logged in to the account before is not subject to it.
    LoginAccount,
    /// Failed logins for one account from a browser that logged in to it
    /// before (its known-device cookie, see `auth::known_device`).
    LoginKnownDevice,
    /// Wrong passwords for one room from one network. There is deliberately
    /// no limit per room alone: it would let anyone lock a class out.
    RoomPasswordNetworkRoom,
    /// Wrong room passwords from one network, for any rooms.
    RoomPasswordNetwork,
    /// Helpdesk requests from one network, filed or refused as spam.
    Helpdesk,
    /// Password-reset requests from one network.
    ResetNetwork,
    /// Password-reset requests for one e-mail address (known or not).
    ResetAddress,
    /// TURN credentials for connection tests from one network (see
    /// `crate::turn`): a class testing at once gets them, a script
    /// collecting relay credentials does not.
    TurnTest,
}

impl Limit {
    pub const ALL: [Self; 10] = [
        Self::LoginNetwork,
        Self::LoginAccountNetwork,
        Self::LoginAccount,
        Self::LoginKnownDevice,
        Self::RoomPasswordNetworkRoom,
        Self::RoomPasswordNetwork,
        Self::Helpdesk,
        Self::ResetNetwork,
        Self::ResetAddress,
        Self::TurnTest,
    ];

    /// The rates; docs/operating.md has them as a table.
    pub const fn rate(self) -> Rate {
        match self {
            Self::LoginNetwork => Rate::new(100, 15),
            Self::LoginAccountNetwork => Rate::new(5, 15),
            Self::LoginAccount => Rate::new(50, 60),
            Self::LoginKnownDevice => Rate::new(10, 15),
            Self::RoomPasswordNetworkRoom => Rate::new(50, 15),
            Self::RoomPasswordNetwork => Rate::new(200, 15),
            Self::Helpdesk => Rate::new(10, 60),
            Self::ResetNetwork => Rate::new(10, 60),
            Self::ResetAddress => Rate::new(3, 60),
            Self::TurnTest => Rate::new(60, 30),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One key of one limit, e.g. (`LoginAccountNetwork`, account and network).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    limit: Limit,
    hash: u64,
}

/// Too many tries: how long until the next one is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl Wait {
    /// Whole seconds, at least 1 (for `Retry-After`).
    pub fn secs(self) -> u64 {
        self.0.as_millis().div_ceil(1000).max(1) as u64
    }
}

/// Tries counted by [`Limits::take`]; hand them back with [`Limits::give_back`].
#[derive(Debug, Clone)]
#[must_use = "a try is counted; give it back when it turned out fine"]
pub struct Taken {
    keys: Vec<Key>,
}

/// One limit's keys: when each is free again (its GCRA "theoretical arrival
/// time"), and the same ordered by that time for eviction.
#[derive(Debug, Default)]
struct Table {
    tat: HashMap<u64, u64>,
    by_time: BTreeSet<(u64, u64)>,
}

impl Table {
    fn remove(&mut self, hash: u64) {
        if let Some(t) = self.tat.remove(&hash) {
            self.by_time.remove(&(t, hash));
        }
    }

    /// Sets a key's time; when the table is full, first drops the keys that
    /// are free again, then the one nearest to being free.
    fn set(&mut self, hash: u64, tat: u64, now: u64, cap: usize) {
        self.remove(hash);
        if self.tat.len() >= cap {
            self.sweep(now);
        }
        while self.tat.len() >= cap {
            let Some(&(t, h)) = self.by_time.first() else {
                break;
            };
            self.by_time.remove(&(t, h));
            self.tat.remove(&h);
        }
        self.tat.insert(hash, tat);
        self.by_time.insert((tat, hash));
    }

    /// Drops keys that are free again (cheap: the oldest come first).
    fn sweep(&mut self, now: u64) {
        while let Some(&(t, h)) = self.by_time.first() {
            if t > now {
                break;
            }
            self.by_time.remove(&(t, h));
            self.tat.remove(&h);
        }
    }
}

/// Every limit's table. One per server, in `Control`.
#[derive(Debug)]
pub struct Limits {
    tables: Mutex<Vec<Table>>,
    hasher: RandomState,
    start: Instant,
    cap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self::with_capacity(MAX_KEYS)
    }
}

impl Limits {
    /// At most `cap` keys per limit.
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            tables: Mutex::new(Limit::ALL.iter().map(|_| Table::default()).collect()),
            // Keyed with a random seed: nobody can craft colliding keys.
            hasher: RandomState::new(),
            start: Instant::now(),
            cap: cap.max(1),
        }
    }

    /// The key of `limit` for these parts (e.g. an account and a network).
    pub fn key(&self, limit: Limit, parts: &[&str]) -> Key {
        Key {
            limit,
            hash: self.hasher.hash_one((limit.index(), parts)),
        }
    }

    fn millis(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    /// Counts one try on each key if every one of them has room; else counts
    /// nothing and says how long to wait (the longest of the full keys).
    pub fn take(&self, keys: &[Key], now: Instant) -> Result<Taken, Wait> {
        let now = self.millis(now);
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        let mut next = Vec::with_capacity(keys.len());
        for key in keys {
            let rate = key.limit.rate();
            let table = &mut tables[key.limit.index()];
            let tat = table.tat.get(&key.hash).copied().unwrap_or(now).max(now);
            let new = tat + rate.interval_ms();
            if new - now > rate.tolerance_ms() {
                wait = wait.max(new - now - rate.tolerance_ms());
            }
            next.push(new);
        }
        if wait > 0 {
            return Err(Wait(Duration::from_millis(wait)));
        }
        for (key, new) in keys.iter().zip(next) {
            tables[key.limit.index()].set(key.hash, new, now, self.cap);
        }
        Ok(Taken {
            keys: keys.to_vec(),
        })
    }

    /// Hands back tries that turned out fine (a right password).
    pub fn give_back(&self, taken: Taken, now: Instant) {
        let now = self.millis(now);
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        for key in taken.keys {
            let table = &mut tables[key.limit.index()];
            let Some(&tat) = table.tat.get(&key.hash) else {
                continue;
            };
            let back = tat.saturating_sub(key.limit.rate().interval_ms());
            if back <= now {
                table.remove(key.hash);
            } else {
                table.set(key.hash, back, now, self.cap);
            }
        }
    }

    /// How many keys `limit` keeps now.
    pub fn keys(&self, limit: Limit) -> usize {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())[limit.index()]
            .tat
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn a_burst_then_one_per_interval_and_free_after_the_period() {
        let l = Limits::default();
        let k = l.key(Limit::LoginAccountNetwork, &["a@b.de", "203.0.113.7/32"]);
        let t0 = Instant::now();
        for _ in 0..5 {
            let _ = l.take(&[k], t0).expect("the burst");
        }
        let wait = l.take(&[k], t0).expect_err("the sixth at once");
        assert_eq!(wait.secs(), 3 * 60, "one more every 15/5 minutes");
        assert!(
            l.take(&[k], t0 + 3 * MIN).is_ok(),
            "after the interval, one"
        );
        assert!(l.take(&[k], t0 + 3 * MIN).is_err());
        for _ in 0..5 {
            let _ = l.take(&[k], t0 + 18 * MIN).expect("free after the period");
        }
    }

    #[test]
    fn a_refused_request_counts_on_no_key() {
        let l = Limits::default();
        let net = l.key(Limit::LoginNetwork, &["n"]);
        let acc = l.key(Limit::LoginAccountNetwork, &["a", "n"]);
        let t0 = Instant::now();
        for _ in 0..5 {
            let _ = l.take(&[net, acc], t0).unwrap();
        }
        for _ in 0..10 {
            assert!(l.take(&[net, acc], t0).is_err());
        }
        // The network had 5 of its 100, not 15.
        for _ in 0..95 {
            let _ = l.take(&[net], t0).unwrap();
        }
        assert!(l.take(&[net], t0).is_err());
    }

    #[test]
    fn a_try_given_back_is_free_again() {
        let l = Limits::default();
        let k = l.key(Limit::ResetAddress, &["x"]);
        let t0 = Instant::now();
        for _ in 0..10 {
            let taken = l.take(&[k], t0).unwrap();
            l.give_back(taken, t0);
        }
        assert_eq!(l.keys(Limit::ResetAddress), 0, "nothing left to remember");
        for _ in 0..3 {
            let _ = l.take(&[k], t0).unwrap();
        }
        assert!(l.take(&[k], t0).is_err());
    }

    #[test]
    fn keys_of_different_limits_and_parts_are_apart() {
        let l = Limits::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            let _ = l
                .take(&[l.key(Limit::ResetAddress, &["a", "b"])], t0)
                .unwrap();
        }
        assert!(l
            .take(&[l.key(Limit::ResetAddress, &["a", "b"])], t0)
            .is_err());
        assert!(l.take(&[l.key(Limit::ResetAddress, &["ab"])], t0).is_ok());
        assert!(l
            .take(&[l.key(Limit::ResetAddress, &["a", "c"])], t0)
            .is_ok());
        assert!(l
            .take(&[l.key(Limit::ResetNetwork, &["a", "b"])], t0)
            .is_ok());
    }

    #[test]
    fn a_full_table_drops_the_key_nearest_to_free_never_the_one_under_attack() {
        let l = Limits::with_capacity(100);
        let t0 = Instant::now();
        let victim = l.key(Limit::LoginAccount, &["lehrerin@schule.de"]);
        for _ in 0..50 {
            let _ = l.take(&[victim], t0).unwrap();
        }
        // A flood of fresh keys, each tried once.
        for i in 0..10_000 {
            let _ = l
                .take(&[l.key(Limit::LoginAccount, &[&format!("x{i}@y.de")])], t0)
                .unwrap();
        }
        assert_eq!(l.keys(Limit::LoginAccount), 100, "the table stays bounded");
        assert!(
            l.take(&[victim], t0).is_err(),
            "the victim's count survived"
        );
        // Keys that are free again go first.
        let later = t0 + Duration::from_secs(2 * 3600);
        let _ = l
            .take(&[l.key(Limit::LoginAccount, &["new"])], later)
            .unwrap();
        assert_eq!(l.keys(Limit::LoginAccount), 1);
    }
}
