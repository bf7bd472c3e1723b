//! Spam defence without a third-party captcha. The form carries a token
//! that says when it was handed out, to which address network, with a
//! random id, signed with a key of this installation (HMAC-SHA256; the key
//! is in the settings table, so every node of a cluster, and the next start,
//! accepts the tokens). A request is refused when it comes back within
//! [`MIN_FILL_MILLIS`] (no person writes a request that fast), with an old,
//! forged or missing token, from another network than the form was opened
//! from, with a token that already filed a request (each form sends one;
//! the id is recorded with the ticket, see `store::create`), or when its
//! hidden honeypot field (`website`, invisible to people, filled in by form
//! robots) is not empty. Every such refusal counts towards the per-network
//! limit, like a filed request.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::token;
use crate::storage::{self, Db};

const KEY: &str = "helpdesk_form_key";
/// No person fills in the form faster than this.
pub const MIN_FILL_MILLIS: i64 = 3_000;
/// A form left open longer must be reloaded (its token expires).
pub const MAX_AGE_MILLIS: i64 = 6 * 3600 * 1000;

/// Why a form token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Missing, malformed, not signed by us, or handed out to another network.
    Invalid,
    /// Sent back sooner than [`MIN_FILL_MILLIS`] after the form was handed out.
    TooFast,
    /// Older than [`MAX_AGE_MILLIS`].
    Expired,
    /// This form already filed a request.
    Used,
}

/// A token that passed [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// The token's random id: recorded when it files a ticket.
    pub nonce: String,
    /// Until when (milliseconds) the token would be accepted.
    pub expires_at: i64,
}

fn sign(key: &str, issued: i64, nonce: &str, network: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(format!("helpdesk-form\n{issued}\n{nonce}\n{network}").as_bytes());
    token::hex(&mac.finalize().into_bytes())
}

/// A token for a form handed out at `issued` (milliseconds since the epoch)
/// to a client in `network` (`client_ip::network_key`).
pub fn make(key: &str, issued: i64, network: &str) -> String {
    let nonce = token::new_id();
    format!("{issued}.{nonce}.{}", sign(key, issued, &nonce, network))
}

/// Checks a token sent back from `network` at `now` (milliseconds), without
/// the database: whether it is ours, for this network, and in its time.
/// Whether it was used already is [`Refusal::Used`] from `store::create`.
pub fn verify(key: &str, token_text: &str, network: &str, now: i64) -> Result<Valid, Refusal> {
    let mut parts = token_text.splitn(3, '.');
    let (Some(issued), Some(nonce), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Refusal::Invalid);
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return Err(Refusal::Invalid);
    };
    if nonce.len() != 22 || !token::constant_time_eq(mac, &sign(key, issued, nonce, network)) {
        return Err(Refusal::Invalid);
    }
    let age = now.saturating_sub(issued);
    if age < MIN_FILL_MILLIS {
        Err(Refusal::TooFast)
    } else if age > MAX_AGE_MILLIS {
        Err(Refusal::Expired)
    } else {
        Ok(Valid {
            nonce: nonce.to_string(),
            expires_at: issued.saturating_add(MAX_AGE_MILLIS),
        })
    }
}

/// A token for a form handed out at `issued` to `client`.
pub async fn issue_at(
    db: &Db,
    client: Option<std::net::IpAddr>,
    issued: i64,
) -> Result<String, sqlx::Error> {
    let key = token::installation_key(db, KEY).await?;
    Ok(make(&key, issued, &crate::client_ip::network_key(client)))
}

/// A token for a form handed out now to `client`.
pub async fn issue(db: &Db, client: Option<std::net::IpAddr>) -> Result<String, sqlx::Error> {
    issue_at(db, client, storage::now_millis()).await
}

/// [`verify`] with this installation's key.
pub async fn check(
    db: &Db,
    token_text: &str,
    client: Option<std::net::IpAddr>,
    now: i64,
) -> Result<Result<Valid, Refusal>, sqlx::Error> {
    let key = token::installation_key(db, KEY).await?;
    Ok(verify(
        &key,
        token_text,
        &crate::client_ip::network_key(client),
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "203.0.113.7/32";

    #[test]
    fn a_token_holds_for_its_network_and_its_time_only() {
        let t = make("k", 1_000_000, NET);
        let valid = verify("k", &t, NET, 1_000_000 + MIN_FILL_MILLIS).unwrap();
        assert_eq!(valid.expires_at, 1_000_000 + MAX_AGE_MILLIS);
        assert_eq!(
            verify("k", &t, "203.0.113.8/32", 1_010_000),
            Err(Refusal::Invalid),
            "another network"
        );
        assert_eq!(
            verify("other key", &t, NET, 1_010_000),
            Err(Refusal::Invalid)
        );
        assert_eq!(verify("k", &t, NET, 1_000_001), Err(Refusal::TooFast));
        assert_eq!(
            verify("k", &t, NET, 1_000_001 + MAX_AGE_MILLIS),
            Err(Refusal::Expired)
        );
        let (issued, rest) = t.split_once('.').unwrap();
        let later = format!("{}.{rest}", issued.parse::<i64>().unwrap() + 1);
        assert_eq!(verify("k", &later, NET, 1_010_000), Err(Refusal::Invalid));
        for junk in [
            "",
            "1",
            "1.2",
            "1.2.3",
            "x.y.z",
            &format!("{issued}..{rest}"),
        ] {
            assert_eq!(
                verify("k", junk, NET, 1_010_000),
                Err(Refusal::Invalid),
                "{junk}"
            );
        }
        assert_ne!(make("k", 1, NET), make("k", 1, NET), "each form its own id");
    }
}
