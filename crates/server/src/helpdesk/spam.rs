//! Spam defence without a third-party captcha: the form carries a token
//! that says when the form was handed out, signed with a key of this
//! installation (HMAC-SHA256). A request that comes back within
//! [`MIN_FILL`] (no person writes a request that fast), or with an old,
//! forged or missing token, is refused; so is one whose hidden honeypot
//! field (`website`, invisible to people, filled in by form robots) is
//! not empty. The key is kept in the settings table, so every node of a
//! cluster, and the next start, accepts the tokens.

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
    /// Missing, malformed or not signed by us.
    Invalid,
    /// Sent back sooner than [`MIN_FILL_MILLIS`] after the form was handed out.
    TooFast,
    /// Older than [`MAX_AGE_MILLIS`].
    Expired,
}

async fn key(db: &Db) -> Result<String, sqlx::Error> {
    if let Some(key) = super::hotline::read_key(db, KEY).await? {
        return Ok(key);
    }
    // The first form of an installation makes the key; a race between two
    // nodes keeps whichever was written first.
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(KEY)
        .bind(token::new_secret())
        .execute(db.pool())
        .await?;
    Ok(super::hotline::read_key(db, KEY).await?.unwrap_or_default())
}

fn sign(key: &str, issued: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(issued.to_string().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token for a form handed out at `issued` (milliseconds since the epoch).
pub async fn issue_at(db: &Db, issued: i64) -> Result<String, sqlx::Error> {
    Ok(format!("{issued}.{}", sign(&key(db).await?, issued)))
}

/// A token for a form handed out now.
pub async fn issue(db: &Db) -> Result<String, sqlx::Error> {
    issue_at(db, storage::now_millis()).await
}

/// Checks a token sent back with a request at `now` (milliseconds).
pub async fn check(
    db: &Db,
    token_text: &str,
    now: i64,
) -> Result<Result<(), Refusal>, sqlx::Error> {
    let Some((issued, mac)) = token_text.split_once('.') else {
        return Ok(Err(Refusal::Invalid));
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return Ok(Err(Refusal::Invalid));
    };
    if !token::constant_time_eq(mac, &sign(&key(db).await?, issued)) {
        return Ok(Err(Refusal::Invalid));
    }
    let age = now - issued;
    Ok(if age < MIN_FILL_MILLIS {
        Err(Refusal::TooFast)
    } else if age > MAX_AGE_MILLIS {
        Err(Refusal::Expired)
    } else {
        Ok(())
    })
}
