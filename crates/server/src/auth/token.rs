//! Secrets handed to people (session cookies, activation, reset and setup
//! links): 32 random bytes, base64url. Only their SHA-256 is stored, and
//! neither is ever logged.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::storage::Db;

/// A new random secret.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random id for rows (accounts): 16 bytes, base64url.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a secret.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hex of bytes (hashes, MACs).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signing key of this installation (for the helpdesk form's tokens, the
/// known-device cookie), kept in the settings table under `name`, so that
/// every node of a cluster, and the next start, accepts what another signed.
/// Made by the first caller.
pub async fn installation_key(db: &Db, name: &str) -> Result<String, sqlx::Error> {
    let read = || async {
        sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(name)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.try_get::<String, _>("value"))
            .transpose()
    };
    if let Some(key) = read().await? {
        return Ok(key);
    }
    // A race between two nodes keeps whichever was written first.
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(name)
        .bind(new_secret())
        .execute(db.pool())
        .await?;
    Ok(read().await?.unwrap_or_default())
}

/// Compares without leaking the position of the first difference.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_differ_and_hash_is_hex() {
        let (a, b) = (super::new_secret(), super::new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(super::hash(&a).len(), 64);
        assert!(super::constant_time_eq(&a, &a.clone()));
        assert!(!super::constant_time_eq(&a, &b));
    }
}
