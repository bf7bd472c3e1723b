//! A teacher's rooms. A room is named by the seed service's rule
//! `Dienststellennummer-Lerngruppe-Kürzel` (e.g. `1234567-7b-MUE`), so it
//! belongs to a school; its settings (lobby, password) persist, the room
//! itself exists only while occupied. Guests join by link without account.

pub mod admissions;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use tafelrunde_protocol::text;

use crate::accounts::{password, Account, Role};
use crate::api::error::{ApiError, ApiResult};
use crate::schools::{self, Service};
use crate::storage::{self, get_bool, Db};

pub const MAX_GROUP_CHARS: usize = 24;
pub const MAX_SHORT_CHARS: usize = 10;

/// The parts of a room name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName {
    pub school: String,
    pub group: String,
    pub short: String,
}

impl RoomName {
    /// Checks the parts and names the one that is wrong. Letters are the
    /// Latin ones (with ä ö ü ß): a Cyrillic or full-width lookalike of a
    /// colleague's room name is refused, not saved as another room.
    pub fn compose(school: &str, group: &str, short: &str) -> ApiResult<Self> {
        let group = text::nfc(group.trim());
        let short = text::nfc(short.trim());
        // The letters of room names (crate text): A–Z, ä ö ü ß.
        let letter =
            |c: char| text::room_name_char(c) && !c.is_ascii_digit() && !"-._~".contains(c);
        if group.is_empty()
            || group.chars().count() > MAX_GROUP_CHARS
            || !group
                .chars()
                .all(|c| letter(c) || c.is_ascii_digit() || c == '.' || c == '_')
        {
            return Err(ApiError::bad_request("badGroup", format!("the learning group must be 1 to {MAX_GROUP_CHARS} letters (A–Z, ä ö ü ß), digits, '.' or '_' (no '-'), e.g. 7b")).with_field("group"));
        }
        if short.is_empty() || short.chars().count() > MAX_SHORT_CHARS || !short.chars().all(letter)
        {
            return Err(ApiError::bad_request(
                "badShort",
                format!("the short name (Kürzel) must be 1 to {MAX_SHORT_CHARS} letters (A–Z, ä ö ü ß), e.g. MUE"),
            )
            .with_field("short"));
        }
        Ok(Self {
            school: school.to_string(),
            group,
            short,
        })
    }

    /// Splits `1234567-7b-MUE`.
    pub fn parse(name: &str) -> ApiResult<Self> {
        let mut parts = name.trim().splitn(3, '-');
        let (Some(school), Some(group), Some(short)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ApiError::bad_request(
                "badRoomName",
                "a room name is Dienststellennummer-Lerngruppe-Kürzel, e.g. 1234567-7b-MUE",
            )
            .with_field("name"));
        };
        if schools::SchoolId::parse(school).is_none() {
            return Err(ApiError::bad_request(
                "badRoomName",
                "a room name starts with the school's Dienststellennummer",
            )
            .with_field("name"));
        }
        Self::compose(school, group, short)
    }

    pub fn full(&self) -> String {
        format!("{}-{}-{}", self.school, self.group, self.short)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub name: String,
    pub school: String,
    pub lobby: bool,
    pub has_password: bool,
    pub created_at: i64,
}

fn from_row(r: &AnyRow) -> Result<Room, sqlx::Error> {
    Ok(Room {
        name: r.try_get("name")?,
        school: r.try_get("school")?,
        lobby: get_bool(r, "lobby"),
        has_password: r.try_get::<Option<String>, _>("password_hash")?.is_some(),
        created_at: r.try_get("created_at")?,
    })
}

/// The settings a teacher gives a room.
#[derive(Debug, Clone, Default)]
pub struct RoomSettings {
    pub lobby: bool,
    /// `Some("")` removes the password; `None` keeps it.
    pub password: Option<String>,
}

fn teacher_school(teacher: &Account) -> ApiResult<&str> {
    match (teacher.role, teacher.school_str()) {
        (Role::Teacher | Role::SchoolAdmin, Some(s)) => Ok(s),
        _ => Err(ApiError::forbidden()),
    }
}

pub async fn list(db: &Db, teacher: &Account) -> ApiResult<Vec<Room>> {
    teacher_school(teacher)?;
    let rows = sqlx::query("SELECT name, school, lobby, password_hash, created_at FROM rooms WHERE owner = $1 ORDER BY used_at DESC, name")
        .bind(&teacher.id.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Saves a room of the teacher's school (new, or new settings of their own).
pub async fn save(
    db: &Db,
    cpu: &crate::cpu::CpuPool,
    teacher: &Account,
    name: &RoomName,
    settings: RoomSettings,
) -> ApiResult<Room> {
    let school = teacher_school(teacher)?;
    if name.school != school {
        return Err(ApiError::bad_request(
            "wrongSchool",
            format!("room names of your school start with {school}-"),
        )
        .with_field("name"));
    }
    let password_hash = match settings.password.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(p) if p.chars().count() > 64 => {
            return Err(ApiError::field(
                "password",
                "a room password may have at most 64 characters",
            ))
        }
        Some(p) => Some(password::hash_on(cpu, p).await?),
    };
    let full = name.full();
    let now = storage::now();
    let existing = sqlx::query("SELECT owner, password_hash FROM rooms WHERE name = $1")
        .bind(&full)
        .fetch_optional(db.pool())
        .await?;
    match existing {
        Some(row) if row.try_get::<String, _>("owner")? != teacher.id.0 => {
            return Err(ApiError::conflict(
                "roomTaken",
                format!("{full} is a room of another teacher; choose another name"),
            )
            .with_field("name"));
        }
        Some(row) => {
            let keep: Option<String> = row.try_get("password_hash")?;
            let hash = if settings.password.is_none() {
                keep
            } else {
                password_hash
            };
            sqlx::query(
                "UPDATE rooms SET lobby = $1, password_hash = $2, used_at = $3 WHERE name = $4",
            )
            .bind(i64::from(settings.lobby))
            .bind(hash)
            .bind(now)
            .bind(&full)
            .execute(db.pool())
            .await?;
        }
        None => {
            sqlx::query("INSERT INTO rooms (name, school, owner, lobby, password_hash, created_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&full)
                .bind(school)
                .bind(&teacher.id.0)
                .bind(i64::from(settings.lobby))
                .bind(password_hash)
                .bind(now)
                .bind(now)
                .execute(db.pool())
                .await?;
        }
    }
    let row = sqlx::query(
        "SELECT name, school, lobby, password_hash, created_at FROM rooms WHERE name = $1",
    )
    .bind(&full)
    .fetch_one(db.pool())
    .await?;
    Ok(from_row(&row)?)
}

pub async fn delete(db: &Db, teacher: &Account, name: &str) -> ApiResult<()> {
    teacher_school(teacher)?;
    let done = sqlx::query("DELETE FROM rooms WHERE name = $1 AND owner = $2")
        .bind(name)
        .bind(&teacher.id.0)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found(&format!("room {name}")));
    }
    Ok(())
}

/// What anyone (a guest too) may know about a room before joining.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomPolicy {
    /// Whether joining is possible.
    pub allowed: bool,
    /// The school's number and name, when the name belongs to a known school.
    pub school: Option<String>,
    pub school_name: Option<String>,
    pub service: Option<Service>,
    /// Where the school's users go instead (when `allowed` is false).
    pub guidance_url: Option<String>,
}

pub async fn policy(db: &Db, room: &str) -> ApiResult<RoomPolicy> {
    let mut p = RoomPolicy {
        allowed: true,
        school: None,
        school_name: None,
        service: None,
        guidance_url: None,
    };
    if let Some(prefix) = schools::rule::school_prefix(room) {
        if let Some(school) = schools::get(db, prefix).await? {
            p.allowed = school.service == Service::Tafelrunde;
            if !p.allowed {
                p.guidance_url =
                    Some(crate::settings::load(db).await?.guidance_url).filter(|u| !u.is_empty());
            }
            p.school = Some(school.id.0);
            p.school_name = Some(school.name);
            p.service = Some(school.service);
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        let n = RoomName::parse("1234567-7b-MUE").unwrap();
        assert_eq!(
            (n.school.as_str(), n.group.as_str(), n.short.as_str()),
            ("1234567", "7b", "MUE")
        );
        assert_eq!(RoomName::parse("mathe").unwrap_err().code, "badRoomName");
        assert_eq!(
            RoomName::parse("1234567-7-b-MUE").unwrap_err().code,
            "badShort"
        );
        assert_eq!(
            RoomName::compose("1234567", "", "MUE")
                .unwrap_err()
                .field
                .as_deref(),
            Some("group")
        );
        assert_eq!(
            RoomName::compose("1234567", "Q1.Bio", "Kö").unwrap().full(),
            "1234567-Q1.Bio-Kö"
        );
    }

    #[test]
    fn lookalike_letters_make_no_room_name() {
        // Cyrillic Е in the Kürzel, full-width letters in the group, a zero-width space.
        assert_eq!(
            RoomName::parse("1234567-7b-MU\u{415}")
                .unwrap_err()
                .field
                .as_deref(),
            Some("short")
        );
        assert_eq!(
            RoomName::compose("1234567", "\u{FF17}b", "MUE")
                .unwrap_err()
                .field
                .as_deref(),
            Some("group")
        );
        assert_eq!(
            RoomName::compose("1234567", "7b", "MU\u{200B}E")
                .unwrap_err()
                .field
                .as_deref(),
            Some("short")
        );
        // An umlaut typed decomposed is the same room as one typed composed.
        assert_eq!(
            RoomName::compose("1234567", "7b", "Ko\u{308}")
                .unwrap()
                .full(),
            "1234567-7b-Kö"
        );
    }
}
