//! Settings the operator changes at run time, kept in the database: the
//! e-mail domains that school accounts may have, and the link to the
//! guidance page for schools on BigBlueButton, how long the audit log is kept.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::Db;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// E.g. `["schule-sh.de"]`: school accounts must have an address
    /// `…@schule-sh.de`. Empty: any domain.
    pub allowed_domains: Vec<String>,
    /// Where users of a school on BigBlueButton learn how to go on.
    pub guidance_url: String,
    /// Days the audit log keeps an entry (the retention job deletes older ones).
    #[serde(default = "default_retention")]
    pub audit_retention_days: i64,
}

pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 365;
const RETENTION_RANGE: std::ops::RangeInclusive<i64> = 30..=3650;

fn default_retention() -> i64 {
    DEFAULT_AUDIT_RETENTION_DAYS
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allowed_domains: Vec::new(),
            guidance_url: String::new(),
            audit_retention_days: DEFAULT_AUDIT_RETENTION_DAYS,
        }
    }
}

pub async fn load(db: &Db) -> ApiResult<Settings> {
    let rows = sqlx::query("SELECT key, value FROM settings")
        .fetch_all(db.pool())
        .await?;
    let mut s = Settings::default();
    for r in rows {
        let (key, value): (String, String) = (r.try_get("key")?, r.try_get("value")?);
        match key.as_str() {
            "allowed_domains" => {
                s.allowed_domains = value
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "guidance_url" => s.guidance_url = value,
            "audit_retention_days" => {
                s.audit_retention_days = value.parse().unwrap_or(DEFAULT_AUDIT_RETENTION_DAYS)
            }
            _ => {}
        }
    }
    Ok(s)
}

/// Checks and stores new settings; logged.
pub async fn save(db: &Db, actor: &Actor, new: Settings) -> ApiResult<Settings> {
    let mut domains = Vec::new();
    for (i, d) in new.allowed_domains.iter().enumerate() {
        let d = d.trim().trim_start_matches('@').to_lowercase();
        let valid = d.contains('.')
            && d.len() <= 253
            && d.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if !valid {
            return Err(ApiError::field(
                &format!("allowedDomains[{i}]"),
                format!("{d:?} is not a domain such as schule-sh.de"),
            ));
        }
        if !domains.contains(&d) {
            domains.push(d);
        }
    }
    let url = new.guidance_url.trim().to_string();
    if !url.is_empty() && !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 500
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::field(
            "guidanceUrl",
            "the guidance link must be an http(s) address without spaces",
        ));
    }
    if !RETENTION_RANGE.contains(&new.audit_retention_days) {
        return Err(ApiError::field(
            "auditRetentionDays",
            format!(
                "the audit log is kept {} to {} days",
                RETENTION_RANGE.start(),
                RETENTION_RANGE.end()
            ),
        ));
    }
    let mut tx = db.pool().begin().await?;
    for (key, value) in [
        ("allowed_domains", domains.join(",")),
        ("guidance_url", url.clone()),
        ("audit_retention_days", new.audit_retention_days.to_string()),
    ] {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!(
        "allowed domains: {}; guidance link: {}; audit log kept {} days",
        domains.join(", "),
        url,
        new.audit_retention_days
    );
    audit::record(&mut tx, actor, "settings.change", None, None, &detail).await?;
    tx.commit().await?;
    Ok(Settings {
        allowed_domains: domains,
        guidance_url: url,
        audit_retention_days: new.audit_retention_days,
    })
}

impl Settings {
    /// Whether `email` (already lower case) is in an allowed domain.
    pub fn allows(&self, email: &str) -> bool {
        let Some((_, domain)) = email.rsplit_once('@') else {
            return false;
        };
        self.allowed_domains.is_empty() || self.allowed_domains.iter().any(|d| d == domain)
    }
}
