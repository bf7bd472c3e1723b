//! Accounts (one by one and in bulk, lifecycle), the audit log, a teacher's rooms.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::JsonBody;
use crate::accounts::{self, bulk, lifecycle, Account, Invitation, Role};
use crate::app::AppState;
use crate::audit::{self, Entry};
use crate::auth::session::{control, Session};
use crate::rooms::{self, Room, RoomName, RoomSettings};
use crate::tables::Table;

fn admin(s: &Session) -> ApiResult<()> {
    match s.account.role {
        Role::Operator | Role::SchoolAdmin => Ok(()),
        Role::Teacher => Err(ApiError::forbidden()),
    }
}

/// The school a request is about: the operator names it (or not), a
/// school admin always gets their own.
fn school_scope(s: &Session, asked: Option<String>) -> ApiResult<Option<String>> {
    match s.account.role {
        Role::Operator => Ok(asked),
        Role::SchoolAdmin => match (asked, s.account.school_str()) {
            (Some(a), Some(own)) if a != own => Err(ApiError::forbidden()),
            (_, own) => Ok(own.map(str::to_string)),
        },
        Role::Teacher => Err(ApiError::forbidden()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolQuery {
    school: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SchoolQuery>,
) -> ApiResult<Json<Vec<Account>>> {
    admin(&s)?;
    let school = school_scope(&s, q.school)?;
    Ok(Json(
        accounts::list(&control(&state)?.db, school.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    email: String,
    role: String,
    school: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    #[serde(flatten)]
    invitation: Invitation,
    /// Whether the link was mailed (SMTP configured).
    mailed: bool,
}

async fn mail_link(state: &AppState, invitation: &Invitation) -> bool {
    let Ok(c) = control(state) else { return false };
    let Some(mailer) = &c.mailer else {
        return false;
    };
    let body = format!(
        "Guten Tag,\n\nfür Sie wurde ein Konto bei Tafelrunde angelegt. Mit diesem Link setzen Sie Ihr Passwort (14 Tage gültig):\n\n{}\n",
        invitation.activation_link
    );
    mailer
        .send(&invitation.account.email, "Tafelrunde: Ihr Konto", body)
        .await
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    JsonBody(req): JsonBody<NewAccount>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    admin(&s)?;
    let c = control(&state)?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::field(
            "role",
            format!(
                "{:?} is not a role; use operator, schoolAdmin or teacher",
                req.role
            ),
        )
    })?;
    let school = match s.account.role {
        Role::SchoolAdmin => Some(
            req.school
                .unwrap_or_else(|| s.account.school_str().unwrap_or_default().to_string()),
        ),
        _ => req.school,
    };
    let invitation = accounts::create(
        &c.db,
        &c.public_url,
        &s.account,
        &req.email,
        role,
        school.as_deref(),
    )
    .await?;
    let mailed = mail_link(&state, &invitation).await;
    Ok((StatusCode::CREATED, Json(Created { invitation, mailed })))
}

pub async fn bulk(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SchoolQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    admin(&s)?;
    let c = control(&state)?;
    let school = school_scope(&s, q.school)?
        .ok_or_else(|| ApiError::field("school", "name the school: ?school=Dienststellennummer"))?;
    bulk::may_upload(&c.db, &s.account, &school).await?;
    let read = move || Ok(Table::read(&body)?);
    let table = match super::handlers_schools::read_upload(&state, read).await? {
        Ok(table) => table,
        Err(busy) => return Ok(busy),
    };
    let invitations =
        bulk::create_teachers(&c.db, &c.public_url, &s.account, &school, table).await?;
    let mut out = Vec::with_capacity(invitations.len());
    for invitation in invitations {
        let mailed = mail_link(&state, &invitation).await;
        out.push(Created { invitation, mailed });
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn deactivate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    admin(&s)?;
    Ok(Json(
        lifecycle::deactivate(&control(&state)?.db, &s.account, &id).await?,
    ))
}

pub async fn reactivate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    admin(&s)?;
    Ok(Json(
        lifecycle::reactivate(&control(&state)?.db, &s.account, &id).await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Link {
    link: String,
}

pub async fn new_link(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Link>> {
    admin(&s)?;
    let c = control(&state)?;
    Ok(Json(Link {
        link: lifecycle::new_link(&c.db, &c.public_url, &s.account, &id).await?,
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    admin(&s)?;
    lifecycle::delete(&control(&state)?.db, &s.account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audit(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SchoolQuery>,
) -> ApiResult<Json<Vec<Entry>>> {
    admin(&s)?;
    let school = school_scope(&s, q.school)?;
    Ok(Json(
        audit::list(&control(&state)?.db, school.as_deref(), 500).await?,
    ))
}

pub async fn rooms(State(state): State<AppState>, s: Session) -> ApiResult<Json<Vec<Room>>> {
    Ok(Json(rooms::list(&control(&state)?.db, &s.account).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    group: String,
    short: String,
    #[serde(default)]
    lobby: bool,
    password: Option<String>,
}

pub async fn create_room(
    State(state): State<AppState>,
    s: Session,
    JsonBody(req): JsonBody<NewRoom>,
) -> ApiResult<(StatusCode, Json<Room>)> {
    let school = s.account.school_str().ok_or_else(ApiError::forbidden)?;
    let name = RoomName::compose(school, &req.group, &req.short)?;
    let room = rooms::save(
        &control(&state)?.db,
        &state.cpu,
        &s.account,
        &name,
        RoomSettings {
            lobby: req.lobby,
            password: req.password,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(room)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomUpdate {
    lobby: bool,
    password: Option<String>,
}

pub async fn update_room(
    State(state): State<AppState>,
    s: Session,
    Path(name): Path<String>,
    JsonBody(req): JsonBody<RoomUpdate>,
) -> ApiResult<Json<Room>> {
    let c = control(&state)?;
    let parsed = RoomName::parse(&name)?;
    let own = rooms::list(&c.db, &s.account).await?;
    if !own.iter().any(|r| r.name == parsed.full()) {
        return Err(ApiError::not_found(&format!("room {name}")));
    }
    Ok(Json(
        rooms::save(
            &c.db,
            &state.cpu,
            &s.account,
            &parsed,
            RoomSettings {
                lobby: req.lobby,
                password: req.password,
            },
        )
        .await?,
    ))
}

pub async fn delete_room(
    State(state): State<AppState>,
    s: Session,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    rooms::delete(&control(&state)?.db, &s.account, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
