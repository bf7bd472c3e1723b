//! Settings the operator changes at run time, kept in the database: the
//! e-mail domains that school accounts may have, the link to the guidance
//! page for schools on BigBlueButton, and the retention periods (audit log,
//! server logs, helpdesk tickets, deactivated accounts). The retention job
//! (`storage::retention`) enforces them; the data-protection documents
//! (`privacy`) quote them.

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
    /// Days the server's log lines are kept. The logs are the system
    /// journal's (stderr under systemd): the operator sets the journal to
    /// this (docs/data-protection.md); the documents state it.
    #[serde(default = "default_log_retention")]
    pub log_retention_days: i64,
    /// Days a helpdesk ticket is kept after its last change.
    #[serde(default = "default_helpdesk_retention")]
    pub helpdesk_retention_days: i64,
    /// Days a deactivated account is kept before the retention job deletes it.
    #[serde(default = "default_account_retention")]
    pub deactivated_account_retention_days: i64,
}

/// What `PUT /api/settings` takes: a retention period left out keeps its
/// stored value (a script that sets only the domains resets nothing).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    pub allowed_domains: Vec<String>,
    pub guidance_url: String,
    pub audit_retention_days: Option<i64>,
    pub log_retention_days: Option<i64>,
    pub helpdesk_retention_days: Option<i64>,
    pub deactivated_account_retention_days: Option<i64>,
}

impl SettingsUpdate {
    /// The settings after this update of `current`.
    pub fn over(self, current: Settings) -> Settings {
        Settings {
            allowed_domains: self.allowed_domains,
            guidance_url: self.guidance_url,
            audit_retention_days: self
                .audit_retention_days
                .unwrap_or(current.audit_retention_days),
            log_retention_days: self
                .log_retention_days
                .unwrap_or(current.log_retention_days),
            helpdesk_retention_days: self
                .helpdesk_retention_days
                .unwrap_or(current.helpdesk_retention_days),
            deactivated_account_retention_days: self
                .deactivated_account_retention_days
                .unwrap_or(current.deactivated_account_retention_days),
        }
    }
}

pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 365;
pub const DEFAULT_LOG_RETENTION_DAYS: i64 = 7;
/// One default for the settings page and the helpdesk's purge.
pub const DEFAULT_HELPDESK_RETENTION_DAYS: i64 = crate::helpdesk::DEFAULT_RETENTION_DAYS;
pub const DEFAULT_ACCOUNT_RETENTION_DAYS: i64 = 90;

/// The allowed range of each period: (key, field name, range).
const RANGES: [(&str, &str, std::ops::RangeInclusive<i64>); 4] = [
    ("audit_retention_days", "auditRetentionDays", 30..=3650),
    ("log_retention_days", "logRetentionDays", 1..=90),
    ("helpdesk_retention_days", "helpdeskRetentionDays", 7..=730),
    (
        "deactivated_account_retention_days",
        "deactivatedAccountRetentionDays",
        1..=730,
    ),
];

fn default_retention() -> i64 {
    DEFAULT_AUDIT_RETENTION_DAYS
}
fn default_log_retention() -> i64 {
    DEFAULT_LOG_RETENTION_DAYS
}
fn default_helpdesk_retention() -> i64 {
    DEFAULT_HELPDESK_RETENTION_DAYS
}
fn default_account_retention() -> i64 {
    DEFAULT_ACCOUNT_RETENTION_DAYS
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allowed_domains: Vec::new(),
            guidance_url: String::new(),
            audit_retention_days: DEFAULT_AUDIT_RETENTION_DAYS,
            log_retention_days: DEFAULT_LOG_RETENTION_DAYS,
            helpdesk_retention_days: DEFAULT_HELPDESK_RETENTION_DAYS,
            deactivated_account_retention_days: DEFAULT_ACCOUNT_RETENTION_DAYS,
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
            "log_retention_days" => {
                s.log_retention_days = value.parse().unwrap_or(DEFAULT_LOG_RETENTION_DAYS)
            }
            "helpdesk_retention_days" => {
                s.helpdesk_retention_days = value.parse().unwrap_or(DEFAULT_HELPDESK_RETENTION_DAYS)
            }
            "deactivated_account_retention_days" => {
                s.deactivated_account_retention_days =
                    value.parse().unwrap_or(DEFAULT_ACCOUNT_RETENTION_DAYS)
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
    for (key, field, range) in RANGES {
        let value = new.retention(key);
        if !range.contains(&value) {
            return Err(ApiError::field(
                field,
                format!("{field} must be {} to {} days", range.start(), range.end()),
            ));
        }
    }
    let mut tx = db.begin().await?;
    let mut values = vec![
        ("allowed_domains", domains.join(",")),
        ("guidance_url", url.clone()),
    ];
    for (key, _, _) in RANGES {
        values.push((key, new.retention(key).to_string()));
    }
    for (key, value) in values {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!(
        "allowed domains: {}; guidance link: {}; kept (days): audit log {}, server logs {}, helpdesk tickets {}, deactivated accounts {}",
        domains.join(", "),
        url,
        new.audit_retention_days,
        new.log_retention_days,
        new.helpdesk_retention_days,
        new.deactivated_account_retention_days
    );
    audit::record(&mut tx, actor, "settings.change", None, None, &detail).await?;
    tx.commit().await?;
    Ok(Settings {
        allowed_domains: domains,
        guidance_url: url,
        ..new
    })
}

impl Settings {
    /// A retention period by its storage key (see `RANGES`).
    fn retention(&self, key: &str) -> i64 {
        match key {
            "audit_retention_days" => self.audit_retention_days,
            "log_retention_days" => self.log_retention_days,
            "helpdesk_retention_days" => self.helpdesk_retention_days,
            _ => self.deactivated_account_retention_days,
        }
    }

    /// Whether `email` (already lower case) is in an allowed domain.
    pub fn allows(&self, email: &str) -> bool {
        let Some((_, domain)) = email.rsplit_once('@') else {
            return false;
        };
        self.allowed_domains.is_empty() || self.allowed_domains.iter().any(|d| d == domain)
    }
}
