//! The known-device cookie: a browser that has logged in to an account gets
//! a token that says so, signed with a key of this installation and bound to
//! that account. Its later logins to that account are limited on their own
//! (`Limit::LoginKnownDevice`), not by the limits an attacker can fill up:
//! failures from the school's shared address, or from everywhere against the
//! account. So guessing a teacher's password, from one network or from many,
//! slows the guesser but does not lock the teacher out of her own browser
//! (the "device cookie" defence described by OWASP).
//!
//! The cookie `tafelrunde_known_device` holds 16 random bytes and the MAC,
//! nothing else; it is sent only to `/api/login` (Path), HttpOnly,
//! SameSite=Strict, and lasts [`LIFETIME_SECS`]. The server stores nothing
//! per device.

use axum::http::HeaderValue;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::token;
use crate::storage::Db;

pub const COOKIE_NAME: &str = "tafelrunde_known_device";
/// Half a year: a teacher's own browser stays known across holidays.
pub const LIFETIME_SECS: i64 = 183 * 24 * 3600;
/// The settings key of this installation's signing key.
const KEY: &str = "known_device_key";

fn mac(key: &str, account_id: &str, nonce: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(b"known-device\n");
    mac.update(account_id.as_bytes());
    mac.update(b"\n");
    mac.update(nonce.as_bytes());
    token::hex(&mac.finalize().into_bytes())
}

/// A new cookie value for `account_id`.
pub async fn issue(db: &Db, account_id: &str) -> Result<String, sqlx::Error> {
    let key = token::installation_key(db, KEY).await?;
    let nonce = token::new_id();
    Ok(format!("{nonce}.{}", mac(&key, account_id, &nonce)))
}

/// The device's id when `value` is a cookie this installation issued for
/// `account_id`; `None` for anything else (another account's, forged, junk).
pub async fn verify(db: &Db, account_id: &str, value: &str) -> Result<Option<String>, sqlx::Error> {
    let Some((nonce, sent)) = value.split_once('.') else {
        return Ok(None);
    };
    if nonce.len() != 22 || sent.len() != 64 {
        return Ok(None);
    }
    let key = token::installation_key(db, KEY).await?;
    Ok(token::constant_time_eq(sent, &mac(&key, account_id, nonce)).then(|| nonce.to_string()))
}

/// The `Set-Cookie` value.
pub fn cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={value}; Path=/api/login; HttpOnly; SameSite=Strict; Max-Age={LIFETIME_SECS}{secure}"
    ))
    .expect("cookie is ASCII")
}
