//! The retention job: what has passed its time is deleted, hourly and at
//! start. Expired sessions and one-time links go at once; audit entries
//! after the operator's retention period (settings, default 365 days).

use std::time::Duration;

use super::{now, now_millis, Db};

/// How many rows a run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub tokens: u64,
    pub audit: u64,
}

pub async fn run_once(db: &Db) -> Result<Swept, sqlx::Error> {
    let days = crate::settings::load(db)
        .await
        .map(|s| s.audit_retention_days)
        .unwrap_or(crate::settings::DEFAULT_AUDIT_RETENTION_DAYS);
    let t = now();
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
    crate::helpdesk::purge_expired(db, t).await?;
    let cutoff = now_millis() - days * 24 * 3600 * 1000;
    let audit = sqlx::query("DELETE FROM audit_log WHERE at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(Swept {
        sessions,
        tokens,
        audit,
    })
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
                        "retention: expired rows deleted"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention job failed"),
            }
        }
    });
}
