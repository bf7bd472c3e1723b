//! One-time tokens behind the links people are handed: first-start setup,
//! account activation, password reset. Stored as hashes, valid once, and
//! only until they expire.

use sqlx::Row;

use super::token;
use crate::storage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Setup,
    Activation,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Activation => "activation",
            Self::Reset => "reset",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::Setup => 7 * 24 * 3600,
            Self::Activation => 14 * 24 * 3600,
            Self::Reset => 2 * 3600,
        }
    }

    /// The page of the client that takes the token.
    pub fn path(self) -> &'static str {
        match self {
            Self::Setup => "/setup",
            Self::Activation => "/activate",
            Self::Reset => "/reset",
        }
    }
}

/// A new token for `account` (None for setup); earlier tokens of the same
/// purpose and account stop working. Returns the secret for the link.
pub async fn issue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purpose: Purpose,
    account: Option<&str>,
) -> Result<String, sqlx::Error> {
    match account {
        Some(id) => sqlx::query("DELETE FROM tokens WHERE purpose = $1 AND account_id = $2")
            .bind(purpose.as_str())
            .bind(id),
        None => sqlx::query("DELETE FROM tokens WHERE purpose = $1 AND account_id IS NULL")
            .bind(purpose.as_str()),
    }
    .execute(&mut **tx)
    .await?;
    let secret = token::new_secret();
    let now = storage::now();
    sqlx::query("INSERT INTO tokens (hash, purpose, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token::hash(&secret))
        .bind(purpose.as_str())
        .bind(account.map(str::to_string))
        .bind(now)
        .bind(now + purpose.lifetime_secs())
        .execute(&mut **tx)
        .await?;
    Ok(secret)
}

/// Whether a token is valid, and for which account; it stays valid.
pub async fn peek(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purpose: Purpose,
    secret: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT account_id FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
    )
    .bind(token::hash(secret))
    .bind(purpose.as_str())
    .bind(storage::now())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get::<Option<String>, _>("account_id").ok().flatten()))
}

/// Uses a token up.
pub async fn consume(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM tokens WHERE hash = $1")
        .bind(token::hash(secret))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The link a person opens, e.g. `https://host/activate#TOKEN`. The token is
/// in the fragment, which browsers never send to a server or put into a
/// Referer, so it stays out of every access log.
pub fn link(public_url: &str, purpose: Purpose, secret: &str) -> String {
    format!(
        "{}{}#{}",
        public_url.trim_end_matches('/'),
        purpose.path(),
        secret
    )
}
