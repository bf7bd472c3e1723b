//! The retention job: what has passed its time is deleted, hourly and at
//! start. Expired sessions and one-time links go at once; audit entries and
//! deactivated accounts after the operator's retention periods (settings).
//! Helpdesk tickets are swept by the helpdesk module with
//! `Settings::helpdesk_retention_days`; server logs are the system journal's
//! (docs/data-protection.md says how to set its retention).

use std::time::Duration;

use sqlx::Row;

use super::{now, Db};
use crate::audit::{self, Actor};
use crate::settings::Settings;

/// How many rows a run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub tokens: u64,
    pub audit: u64,
    /// Deactivated accounts past their period (with their rooms).
    pub accounts: u64,
}

const DAY: i64 = 24 * 3600;

pub async fn run_once(db: &Db) -> Result<Swept, sqlx::Error> {
    run_at(db, now()).await
}

/// One run as if the time were `t` (unix seconds); tests move the clock.
pub async fn run_at(db: &Db, t: i64) -> Result<Swept, sqlx::Error> {
    let settings = crate::settings::load(db).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e.message, "retention: settings unreadable, using defaults");
        Settings::default()
    });
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(t)
        .execute(db.pool())
        .await?
        .rows_affected();
    let tokens = sqlx::query("DELETE FROM tokens WHERE expires_at <= $1")
        .bind(t)
        .execute(db.pool())
        .await?
        .rows_affected();
    let cutoff = t * 1000 - settings.audit_retention_days * DAY * 1000;
    let audit = sqlx::query("DELETE FROM audit_log WHERE at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected();
    let accounts = sweep_accounts(db, t, settings.deactivated_account_retention_days).await?;
    crate::helpdesk::purge_expired(db, t).await?;
    crate::rooms::admissions::purge_expired(db, t).await?;
    Ok(Swept {
        sessions,
        tokens,
        audit,
        accounts,
    })
}

/// Deletes deactivated accounts whose period is over, each with its rooms,
/// sessions and links, and an audit entry by "system".
async fn sweep_accounts(db: &Db, t: i64, days: i64) -> Result<u64, sqlx::Error> {
    // The period counts from the deactivation (accounts::lifecycle records
    // it). A reactivated account has none; an account deactivated before
    // the time was recorded starts its period now.
    sqlx::query("UPDATE accounts SET deactivated_at = NULL WHERE status <> 'deactivated' AND deactivated_at IS NOT NULL")
        .execute(db.pool())
        .await?;
    sqlx::query("UPDATE accounts SET deactivated_at = $1 WHERE status = 'deactivated' AND deactivated_at IS NULL")
        .bind(t)
        .execute(db.pool())
        .await?;
    let due = sqlx::query("SELECT id, email, school FROM accounts WHERE status = 'deactivated' AND deactivated_at < $1")
        .bind(t - days * DAY)
        .fetch_all(db.pool())
        .await?;
    let mut deleted = 0;
    for row in due {
        let id: String = row.try_get("id")?;
        let email: String = row.try_get("email")?;
        let school: Option<String> = row.try_get("school")?;
        let mut tx = db.begin().await?;
        let gone = crate::privacy::erase::delete_account_rows(&mut tx, &id).await?;
        if gone {
            audit::record(
                &mut tx,
                &Actor::system(),
                "account.delete",
                school.as_deref(),
                Some(&email),
                &format!("deactivated for more than {days} days (retention period)"),
            )
            .await?;
            deleted += 1;
        }
        tx.commit().await?;
    }
    Ok(deleted)
}

/// Runs [`run_once`] now and then every hour, for as long as the server runs.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match run_once(&db).await {
                Ok(s) if s != Swept::default() => {
                    tracing::info!(
                        sessions = s.sessions,
                        tokens = s.tokens,
                        audit = s.audit,
                        accounts = s.accounts,
                        "retention: expired rows deleted"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention job failed"),
            }
        }
    });
}
