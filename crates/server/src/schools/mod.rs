//! Schools: the state's list (imported by the operator), and which of the
//! two video services each school uses. A school on BigBlueButton (it has
//! applied for itslearning) gets no Tafelrunde accounts: see [`rule`].

pub mod import;
pub mod rule;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::{self, get_bool, Db};

/// The Dienststellennummer: the state's number of a school.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct SchoolId(pub String);

impl SchoolId {
    /// 4 to 10 digits.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim();
        ((4..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(v.to_string()))
    }
}

impl std::fmt::Display for SchoolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The one video service a school uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Tafelrunde: accounts and rooms here.
    Tafelrunde,
    /// BigBlueButton inside itslearning: no Tafelrunde accounts.
    Bigbluebutton,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tafelrunde => "tafelrunde",
            Self::Bigbluebutton => "bigbluebutton",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "tafelrunde" => Some(Self::Tafelrunde),
            "bigbluebutton" => Some(Self::Bigbluebutton),
            _ => None,
        }
    }

    /// What the list's column "itslearning beantragt" means.
    pub fn from_itslearning(applied: bool) -> Self {
        if applied {
            Self::Bigbluebutton
        } else {
            Self::Tafelrunde
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct School {
    /// Dienststellennummer.
    pub id: SchoolId,
    pub name: String,
    /// Schulart.
    pub kind: String,
    /// Ort.
    pub town: String,
    /// "itslearning beantragt" as in the last import.
    pub itslearning: bool,
    pub service: Service,
    /// Why the service was last changed.
    pub service_reason: Option<String>,
    pub service_changed_at: Option<i64>,
}

const COLUMNS: &str =
    "number, name, kind, town, itslearning, service, service_reason, service_changed_at";

fn from_row(row: &AnyRow) -> Result<School, sqlx::Error> {
    Ok(School {
        id: SchoolId(row.try_get("number")?),
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        town: row.try_get("town")?,
        itslearning: get_bool(row, "itslearning"),
        service: Service::parse(&row.try_get::<String, _>("service")?)
            .unwrap_or(Service::Bigbluebutton),
        service_reason: row.try_get("service_reason")?,
        service_changed_at: row.try_get("service_changed_at")?,
    })
}

pub async fn list(db: &Db) -> ApiResult<Vec<School>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM schools ORDER BY number"))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn get(db: &Db, id: &str) -> ApiResult<Option<School>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM schools WHERE number = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub const MAX_REASON_CHARS: usize = 500;

/// The operator changes a school's service, with a reason; logged. Returns
/// the school after the change.
pub async fn set_service(
    db: &Db,
    actor: &Actor,
    id: &str,
    service: Service,
    reason: &str,
) -> ApiResult<School> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(
            ApiError::bad_request("reasonRequired", "give a reason for the change")
                .with_field("reason"),
        );
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::field(
            "reason",
            format!("the reason may have at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let mut tx = db.begin().await?;
    let Some(before) = sqlx::query("SELECT service FROM schools WHERE number = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Err(ApiError::not_found(&format!("school {id}")));
    };
    let before: String = before.try_get("service")?;
    sqlx::query("UPDATE schools SET service = $1, service_reason = $2, service_changed_at = $3 WHERE number = $4")
        .bind(service.as_str())
        .bind(reason)
        .bind(storage::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("{before} -> {}: {reason}", service.as_str());
    audit::record(
        &mut tx,
        actor,
        "school.service",
        Some(id),
        Some(id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    get(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("school {id}")))
}

// Sessions of a school that switched to BigBlueButton end at once: every
// request checks the school's service with the session (auth::session::lookup),
// refuses with `schoolUsesBigBlueButton` and deletes the session. Keeping the
// row until then lets the page tell its user why they were logged out.
