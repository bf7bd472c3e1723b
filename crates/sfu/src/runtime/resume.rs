//! Resume tokens: a dropped signaling connection comes back on a new socket
//! and continues its participant's session by presenting the token it was
//! given. A token is secret (256 random bits), bound to one participant and
//! the person who joined (account or device), good for one use (each use
//! hands out the next), and ends with the room's grace time once its
//! connection dropped. Only its SHA-256 is kept.
//!
//! Whether the session can still be continued is the room's call (the
//! participant may have left, been removed, or run out of grace); the token
//! only says which participant on which shard a connection asks for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tafelrunde_protocol::ParticipantId;

/// How often expired tokens are swept out (they are refused anyway).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

type Digest32 = [u8; 32];

/// What a token continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The shard the participant's room lives on.
    pub shard: usize,
    /// The participant.
    pub participant: ParticipantId,
    /// Who joined (account id or device cookie); only they may resume.
    pub key: String,
}

struct Issued {
    holder: Holder,
    /// Set when the connection the token was given to dropped.
    expires: Option<Instant>,
}

/// The tokens handed out and not yet used, of one media plane.
pub struct Tokens {
    grace: Duration,
    issued: Mutex<(HashMap<Digest32, Issued>, Instant)>,
}

/// A new token: the secret for the client, its digest for us.
pub struct Token {
    /// What the client presents.
    pub secret: String,
    digest: Digest32,
}

impl Tokens {
    /// Tokens that end `grace` after their connection dropped.
    pub fn new(grace: Duration) -> Self {
        Self {
            grace,
            issued: Mutex::new((HashMap::new(), Instant::now())),
        }
    }

    /// Hand out a token for `holder`.
    pub fn issue(&self, holder: Holder) -> Token {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        let digest = digest(&secret);
        let mut issued = self.lock();
        issued.0.insert(
            digest,
            Issued {
                holder,
                expires: None,
            },
        );
        Token { secret, digest }
    }

    /// The connection `token` was given to dropped: the token ends after
    /// the grace time (a token used meanwhile is gone already).
    pub fn dropped(&self, token: &Token, now: Instant) {
        let mut issued = self.lock();
        if let Some(entry) = issued.0.get_mut(&token.digest) {
            entry.expires = Some(now + self.grace);
        }
        Self::sweep(&mut issued, now);
    }

    /// Use `secret` as `key`: the holder it was issued to, and the token is
    /// spent. `None` for an unknown, used or expired token, or someone else's.
    pub fn redeem(&self, secret: &str, key: &str, now: Instant) -> Option<Holder> {
        let digest = digest(secret);
        let mut issued = self.lock();
        Self::sweep(&mut issued, now);
        let entry = issued.0.get(&digest)?;
        if entry.holder.key != key || entry.expires.is_some_and(|e| now >= e) {
            return None;
        }
        issued.0.remove(&digest).map(|e| e.holder)
    }

    /// Give a redeemed token back (the resume could not be passed on).
    pub fn restore(&self, secret: &str, holder: Holder) {
        let mut issued = self.lock();
        issued.0.insert(
            digest(secret),
            Issued {
                holder,
                expires: None,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<Digest32, Issued>, Instant)> {
        // A panic while holding this lock leaves a consistent map: go on.
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sweep(issued: &mut (HashMap<Digest32, Issued>, Instant), now: Instant) {
        if now.saturating_duration_since(issued.1) < SWEEP_EVERY {
            return;
        }
        issued.1 = now;
        issued.0.retain(|_, e| e.expires.is_none_or(|at| now < at));
    }
}

fn digest(secret: &str) -> Digest32 {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(key: &str) -> Holder {
        Holder {
            shard: 1,
            participant: ParticipantId(7),
            key: key.into(),
        }
    }

    #[test]
    fn a_token_is_good_for_one_use_by_its_holder() {
        let tokens = Tokens::new(Duration::from_secs(60));
        let now = Instant::now();
        let token = tokens.issue(holder("device-a"));
        assert_eq!(token.secret.len(), 43, "256 bits in base64url");
        assert_eq!(
            tokens.redeem(&token.secret, "device-b", now),
            None,
            "someone else's"
        );
        assert_eq!(
            tokens.redeem(&token.secret, "device-a", now),
            Some(holder("device-a"))
        );
        assert_eq!(
            tokens.redeem(&token.secret, "device-a", now),
            None,
            "used twice"
        );
        assert_eq!(tokens.redeem("made-up", "device-a", now), None);
        let other = tokens.issue(holder("device-a"));
        assert_ne!(other.secret, token.secret);
    }

    #[test]
    fn a_token_ends_with_the_grace_after_its_connection_dropped() {
        let tokens = Tokens::new(Duration::from_secs(60));
        let now = Instant::now();
        let token = tokens.issue(holder("k"));
        // While its connection is open it does not expire.
        let later = now + Duration::from_secs(3600);
        tokens.dropped(&token, later);
        let in_grace = later + Duration::from_secs(59);
        let kept = tokens.issue(holder("k"));
        tokens.dropped(&kept, later);
        assert_eq!(
            tokens.redeem(&kept.secret, "k", in_grace),
            Some(holder("k"))
        );
        assert_eq!(
            tokens.redeem(&token.secret, "k", later + Duration::from_secs(60)),
            None
        );
        assert!(
            tokens.lock().0.is_empty(),
            "the expired token was swept out"
        );
    }
}
