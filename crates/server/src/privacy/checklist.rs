//! Each school's data-protection checklist: the steps a school must take
//! before it uses the service, each with its status, the day and who ticked
//! it. The school admin ticks; the operator sees every school's state.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::storage::{self, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChecklistItem)]
pub enum Item {
    /// Schulkonferenz decided on the use.
    ConferenceDecision,
    /// Personalrat (staff council) consulted / agreed.
    StaffCouncil,
    /// Art. 13 information handed out to pupils, parents, teachers.
    InformationHandedOut,
    /// Usage policy and teachers' instruction issued.
    UsagePolicyIssued,
    /// Processing listed in the record of processing activities.
    ProcessingRecorded,
}

impl Item {
    pub const ALL: [Item; 5] = [
        Self::ConferenceDecision,
        Self::StaffCouncil,
        Self::InformationHandedOut,
        Self::UsagePolicyIssued,
        Self::ProcessingRecorded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConferenceDecision => "conferenceDecision",
            Self::StaffCouncil => "staffCouncil",
            Self::InformationHandedOut => "informationHandedOut",
            Self::UsagePolicyIssued => "usagePolicyIssued",
            Self::ProcessingRecorded => "processingRecorded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChecklistStatus)]
pub enum Status {
    Open,
    Done,
    /// Not required at this school (e.g. no staff council decision needed).
    NotNeeded,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::NotNeeded => "notNeeded",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "notNeeded" => Self::NotNeeded,
            _ => Self::Open,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChecklistEntry)]
pub struct Entry {
    pub item: Item,
    pub status: Status,
    /// The day the school names, YYYY-MM-DD.
    pub decided_on: Option<String>,
    /// When it was last changed (unix seconds), and by whom (e-mail).
    pub changed_at: Option<i64>,
    pub changed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchoolChecklist {
    pub school: String,
    pub name: String,
    pub service: String,
    pub items: Vec<Entry>,
    /// Items done or not needed.
    pub complete: usize,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ChecklistChange)]
pub struct Change {
    pub status: Status,
    /// YYYY-MM-DD; without it, today.
    pub decided_on: Option<String>,
}

fn open(item: Item) -> Entry {
    Entry {
        item,
        status: Status::Open,
        decided_on: None,
        changed_at: None,
        changed_by: None,
    }
}

fn from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Entry>, sqlx::Error> {
    let mut entries: Vec<Entry> = Item::ALL.into_iter().map(open).collect();
    for r in rows {
        let Some(item) = Item::parse(&r.try_get::<String, _>("item")?) else {
            continue;
        };
        let e = &mut entries[Item::ALL.iter().position(|i| *i == item).unwrap_or(0)];
        e.status = Status::parse(&r.try_get::<String, _>("status")?);
        e.decided_on = r.try_get("decided_on")?;
        e.changed_at = Some(r.try_get("changed_at")?);
        e.changed_by = Some(r.try_get("changed_by")?);
    }
    Ok(entries)
}

pub async fn load(db: &Db, school: &str) -> ApiResult<Vec<Entry>> {
    let rows = sqlx::query("SELECT item, status, decided_on, changed_at, changed_by FROM privacy_checklist WHERE school = $1")
        .bind(school)
        .fetch_all(db.pool())
        .await?;
    Ok(from_rows(&rows)?)
}

/// Every school's checklist, for the operator.
pub async fn overview(db: &Db) -> ApiResult<Vec<SchoolChecklist>> {
    let schools = crate::schools::list(db).await?;
    let rows = sqlx::query(
        "SELECT school, item, status, decided_on, changed_at, changed_by FROM privacy_checklist",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(schools.len());
    for s in schools {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.try_get::<String, _>("school").ok().as_deref() == Some(s.id.0.as_str()))
            .cloned()
            .collect();
        let items = from_rows(&mine)?;
        let complete = items.iter().filter(|e| e.status != Status::Open).count();
        out.push(SchoolChecklist {
            school: s.id.0,
            name: s.name,
            service: s.service.as_str().to_string(),
            items,
            complete,
        });
    }
    Ok(out)
}

/// "2026-11-28" when it is a real date.
fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    s.len() == 10
        && (2000..=2100).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days[m as usize - 1]
}

fn today_iso() -> String {
    let (y, m, d) = super::document::civil(storage::now().div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Sets one item of a school's checklist; audited. Returns the whole list.
pub async fn set(
    db: &Db,
    actor: &Actor,
    school: &str,
    item: &str,
    change: Change,
) -> ApiResult<Vec<Entry>> {
    let item =
        Item::parse(item).ok_or_else(|| ApiError::not_found(&format!("checklist item {item}")))?;
    let decided_on = match change.status {
        Status::Open => None,
        _ => {
            let d = change
                .decided_on
                .map(|d| d.trim().to_string())
                .unwrap_or_else(today_iso);
            if !valid_date(&d) {
                return Err(ApiError::field(
                    "decidedOn",
                    "give the date as YYYY-MM-DD, e.g. 2026-09-15",
                ));
            }
            Some(d)
        }
    };
    if crate::schools::get(db, school).await?.is_none() {
        return Err(ApiError::not_found(&format!("school {school}")));
    }
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO privacy_checklist (school, item, status, decided_on, changed_at, changed_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (school, item) DO UPDATE SET status = excluded.status, decided_on = excluded.decided_on, changed_at = excluded.changed_at, changed_by = excluded.changed_by")
        .bind(school)
        .bind(item.as_str())
        .bind(change.status.as_str())
        .bind(decided_on.clone())
        .bind(storage::now())
        .bind(actor.name.clone())
        .execute(&mut *tx)
        .await?;
    let detail = format!(
        "{}: {}{}",
        item.as_str(),
        change.status.as_str(),
        decided_on.map(|d| format!(" ({d})")).unwrap_or_default()
    );
    audit::record(
        &mut tx,
        actor,
        "privacy.checklist",
        Some(school),
        Some(school),
        &detail,
    )
    .await?;
    tx.commit().await?;
    load(db, school).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert!(super::valid_date("2026-02-28"));
        assert!(!super::valid_date("2026-02-29"));
        assert!(super::valid_date("2024-02-29"));
        assert!(!super::valid_date("28.02.2026"));
        assert!(!super::valid_date("2026-13-01"));
    }
}
