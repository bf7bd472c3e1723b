//! Schools, their service, the import, settings, and a room's policy.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::JsonBody;
use crate::accounts::Role;
use crate::app::AppState;
use crate::auth::session::{control, Session};
use crate::cpu::CpuError;
use crate::rooms::{self, RoomPolicy};
use crate::schools::import::{self, ImportReport};
use crate::schools::{self, School, Service};
use crate::settings::{self, Settings, SettingsUpdate};

fn operator(s: &Session) -> ApiResult<()> {
    if s.account.role == Role::Operator {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

pub async fn list(State(state): State<AppState>, s: Session) -> ApiResult<Json<Vec<School>>> {
    let c = control(&state)?;
    match s.account.school_str() {
        None => Ok(Json(schools::list(&c.db).await?)),
        Some(own) => Ok(Json(schools::get(&c.db, own).await?.into_iter().collect())),
    }
}

pub async fn get(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<School>> {
    let c = control(&state)?;
    if s.account.role != Role::Operator && s.account.school_str() != Some(id.as_str()) {
        return Err(ApiError::not_found(&format!("school {id}")));
    }
    schools::get(&c.db, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(&format!("school {id}")))
}

/// Runs `read` — reading an uploaded list and checking its lines — on the
/// CPU pool, never on an async worker. `Ok(Err(answer))`: the pool is full,
/// nothing was read; send that 503 as it is.
pub(super) async fn read_upload<T: Send + 'static>(
    state: &AppState,
    read: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<Result<T, Response>> {
    match state.cpu.run(read).await {
        Ok(read) => read.map(Ok),
        Err(CpuError::Busy) => Ok(Err(ApiError::busy())),
        Err(e @ CpuError::Panicked) => Err(ApiError::internal("reading an upload", e)),
    }
}

pub async fn import(State(state): State<AppState>, s: Session, body: Bytes) -> ApiResult<Response> {
    operator(&s)?;
    let c = control(&state)?;
    let rows = match read_upload(&state, move || import::parse(&body)).await? {
        Ok(rows) => rows,
        Err(busy) => return Ok(busy),
    };
    let report: ImportReport = import::apply(&c.db, &s.account.actor(), rows).await?;
    c.schools_changed().await;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChange {
    service: String,
    reason: String,
}

pub async fn set_service(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ServiceChange>,
) -> ApiResult<Json<School>> {
    operator(&s)?;
    let c = control(&state)?;
    let service = Service::parse(&req.service).ok_or_else(|| {
        ApiError::field(
            "service",
            format!(
                "{:?} is not a service; use tafelrunde or bigbluebutton",
                req.service
            ),
        )
    })?;
    let school = schools::set_service(&c.db, &s.account.actor(), &id, service, &req.reason).await?;
    c.schools_changed().await;
    Ok(Json(school))
}

pub async fn get_settings(State(state): State<AppState>, s: Session) -> ApiResult<Json<Settings>> {
    if s.account.role == Role::Teacher {
        return Err(ApiError::forbidden());
    }
    Ok(Json(settings::load(&control(&state)?.db).await?))
}

pub async fn put_settings(
    State(state): State<AppState>,
    s: Session,
    JsonBody(update): JsonBody<SettingsUpdate>,
) -> ApiResult<Json<Settings>> {
    operator(&s)?;
    let db = &control(&state)?.db;
    let new = update.over(settings::load(db).await?);
    Ok(Json(settings::save(db, &s.account.actor(), new).await?))
}

pub async fn room_policy(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<RoomPolicy>> {
    Ok(Json(rooms::policy(&control(&state)?.db, &name).await?))
}
