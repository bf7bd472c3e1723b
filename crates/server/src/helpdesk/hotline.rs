//! The helpdesk's own settings in the `settings` table (keys starting with
//! `helpdesk_`): the hotline's number and hours, shown beside the form.
//! They have their own API (`PUT /api/helpdesk/hotline`), apart from the
//! general settings.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::Db;

const NUMBER_KEY: &str = "helpdesk_hotline_number";
const HOURS_KEY: &str = "helpdesk_hotline_hours";
const MAX_NUMBER_CHARS: usize = 40;
const MAX_HOURS_CHARS: usize = 200;

/// The hotline as shown beside the form; empty strings: no hotline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Hotline {
    /// E.g. `0431 988-1234`.
    pub number: String,
    /// E.g. `Mo–Fr 7:30–16:00 Uhr`.
    pub hours: String,
}

pub(crate) async fn read_key(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get::<String, _>("value"))
        .transpose()
}

pub async fn load(db: &Db) -> ApiResult<Hotline> {
    Ok(Hotline {
        number: read_key(db, NUMBER_KEY).await?.unwrap_or_default(),
        hours: read_key(db, HOURS_KEY).await?.unwrap_or_default(),
    })
}

/// Checks and stores the hotline; logged in the audit log.
pub async fn save(db: &Db, actor: &Actor, new: Hotline) -> ApiResult<Hotline> {
    let number = new.number.trim().to_string();
    let hours = new.hours.trim().to_string();
    let number_ok = number.chars().count() <= MAX_NUMBER_CHARS
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    if !number_ok {
        return Err(ApiError::field(
            "number",
            format!("a telephone number of digits, spaces and + - / ( ), at most {MAX_NUMBER_CHARS} characters"),
        ));
    }
    if hours.chars().count() > MAX_HOURS_CHARS || hours.chars().any(char::is_control) {
        return Err(ApiError::field(
            "hours",
            format!("the hours are one line of at most {MAX_HOURS_CHARS} characters"),
        ));
    }
    let mut tx = db.begin().await?;
    for (key, value) in [(NUMBER_KEY, &number), (HOURS_KEY, &hours)] {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value.clone())
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!("hotline: {number}; hours: {hours}");
    audit::record(&mut tx, actor, "helpdesk.hotline", None, None, &detail).await?;
    tx.commit().await?;
    Ok(Hotline { number, hours })
}
