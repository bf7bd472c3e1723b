//! Accounts: operators (the state), school admins and teachers (of one
//! school each). A new account is `pending` until its owner opens the
//! activation link and sets a password. No account of a school on
//! BigBlueButton can be created, activated or used.

pub mod bulk;
pub mod lifecycle;
pub mod password;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::auth::onetime::{self, Purpose};
use crate::schools::{self, SchoolId, Service};
use crate::settings::Settings;
use crate::storage::{self, Db};

/// An account's id (random, not guessable).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct AccountId(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Operator,
    SchoolAdmin,
    Teacher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::SchoolAdmin => "school_admin",
            Self::Teacher => "teacher",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "operator" => Some(Self::Operator),
            "school_admin" | "schoolAdmin" => Some(Self::SchoolAdmin),
            "teacher" => Some(Self::Teacher),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    Pending,
    Active,
    Deactivated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Deactivated => "deactivated",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "active" => Self::Active,
            "pending" => Self::Pending,
            _ => Self::Deactivated,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub role: Role,
    pub school: Option<SchoolId>,
    pub status: Status,
    pub created_at: i64,
    pub activated_at: Option<i64>,
}

impl Account {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id.0.clone()),
            name: self.email.clone(),
        }
    }

    pub fn school_str(&self) -> Option<&str> {
        self.school.as_ref().map(|s| s.0.as_str())
    }
}

pub(crate) const COLUMNS: &str = "id, email, role, school, status, created_at, activated_at";

pub(crate) fn from_row(row: &AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: AccountId(row.try_get("id")?),
        email: row.try_get("email")?,
        role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Teacher),
        school: row.try_get::<Option<String>, _>("school")?.map(SchoolId),
        status: Status::parse(&row.try_get::<String, _>("status")?),
        created_at: row.try_get("created_at")?,
        activated_at: row.try_get("activated_at")?,
    })
}

pub async fn get(db: &Db, id: &str) -> ApiResult<Option<Account>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The account, or `404 account` when it is gone (e.g. read back after a
/// change that another request deleted in between).
pub async fn require(db: &Db, id: &str) -> ApiResult<Account> {
    get(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))
}

pub async fn by_email(db: &Db, email: &str) -> ApiResult<Option<(Account, Option<String>)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM accounts WHERE email = $1"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some((from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

/// Every account, or one school's.
pub async fn list(db: &Db, school: Option<&str>) -> ApiResult<Vec<Account>> {
    let rows = match school {
        Some(s) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM accounts WHERE school = $1 ORDER BY email"
            ))
            .bind(s)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM accounts ORDER BY email"))
                .fetch_all(db.pool())
                .await?
        }
    };
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn operator_exists(db: &Db) -> ApiResult<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE role = 'operator'")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Lower case (NFC), and a plausible address: one `@`, a dot in the domain,
/// no spaces, nothing invisible or direction-changing (an override would
/// show the address as another one; see `tafelrunde_protocol::text`), at
/// most 254 characters.
pub fn normalize_email(email: &str) -> Option<String> {
    let e = tafelrunde_protocol::text::nfc(email.trim()).to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && e.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || tafelrunde_protocol::text::is_invisible(c)
                || matches!(c, '<' | '>' | ',' | ';' | '"')
        });
    ok.then_some(e)
}

/// A new account waits for its activation link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub account: Account,
    /// Hand this link to the person (or it was mailed).
    pub activation_link: String,
}

/// May `actor` create an account of `role` at `school`? Operators create
/// anyone; a school admin creates teachers of their own school.
pub fn may_create(actor: &Account, role: Role, school: Option<&str>) -> bool {
    match actor.role {
        Role::Operator => true,
        Role::SchoolAdmin => {
            role == Role::Teacher && school.is_some() && school == actor.school_str()
        }
        Role::Teacher => false,
    }
}

/// May `actor` change or delete `target`?
pub fn may_manage(actor: &Account, target: &Account) -> bool {
    match actor.role {
        Role::Operator => true,
        Role::SchoolAdmin => {
            target.role == Role::Teacher && target.school.is_some() && target.school == actor.school
        }
        Role::Teacher => false,
    }
}

/// Checks one new account's address, role and school (the rule included).
pub async fn check_new(
    db: &Db,
    settings: &Settings,
    guidance: &str,
    email: &str,
    role: Role,
    school: Option<&str>,
) -> ApiResult<String> {
    let email = normalize_email(email).ok_or_else(|| {
        ApiError::field(
            "email",
            format!("{:?} is not an e-mail address", email.trim()),
        )
    })?;
    match (role, school) {
        (Role::Operator, Some(_)) => {
            return Err(ApiError::field(
                "school",
                "an operator belongs to no school",
            ))
        }
        (Role::SchoolAdmin | Role::Teacher, None) => {
            return Err(ApiError::field(
                "school",
                "a school account needs its Dienststellennummer",
            ))
        }
        _ => {}
    }
    if let Some(school) = school {
        let found = schools::get(db, school)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("school {school}")).with_field("school"))?;
        if found.service == Service::Bigbluebutton {
            return Err(ApiError::school_uses_bbb(school, guidance));
        }
        if !settings.allows(&email) {
            let domains = settings.allowed_domains.join(", ");
            return Err(ApiError::bad_request(
                "domainNotAllowed",
                format!("{email} is not an address of an allowed domain ({domains})"),
            )
            .with_field("email"));
        }
    }
    if by_email(db, &email).await?.is_some() {
        return Err(ApiError::conflict(
            "emailTaken",
            format!("there is already an account for {email}"),
        )
        .with_field("email"));
    }
    Ok(email)
}

/// Inserts a pending account and its activation token (in `tx`).
pub async fn insert_pending(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    email: &str,
    role: Role,
    school: Option<&str>,
) -> ApiResult<(Account, String)> {
    let id = crate::auth::token::new_id();
    let now = storage::now();
    sqlx::query("INSERT INTO accounts (id, email, role, school, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)")
        .bind(&id)
        .bind(email)
        .bind(role.as_str())
        .bind(school.map(str::to_string))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let secret = onetime::issue(tx, Purpose::Activation, Some(&id)).await?;
    audit::record(
        tx,
        actor,
        "account.create",
        school,
        Some(email),
        &format!("role {}", role.as_str()),
    )
    .await?;
    let account = Account {
        id: AccountId(id),
        email: email.to_string(),
        role,
        school: school.map(|s| SchoolId(s.to_string())),
        status: Status::Pending,
        created_at: now,
        activated_at: None,
    };
    Ok((account, secret))
}

/// Creates one pending account; returns it with its activation link.
pub async fn create(
    db: &Db,
    public_url: &str,
    actor: &Account,
    email: &str,
    role: Role,
    school: Option<&str>,
) -> ApiResult<Invitation> {
    if !may_create(actor, role, school) {
        return Err(ApiError::forbidden());
    }
    let settings = crate::settings::load(db).await?;
    let email = check_new(db, &settings, &settings.guidance_url, email, role, school).await?;
    let mut tx = db.begin().await?;
    let (account, secret) = insert_pending(&mut tx, &actor.actor(), &email, role, school).await?;
    tx.commit().await?;
    Ok(Invitation {
        account,
        activation_link: onetime::link(public_url, Purpose::Activation, &secret),
    })
}
