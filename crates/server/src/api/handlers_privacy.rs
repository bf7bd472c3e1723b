//! Data protection: the operator's template values, each school's documents
//! (PDF and printable HTML) and checklist, every school's checklist for the
//! operator, and a person's export and deletion of their own data.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::JsonBody;
use crate::accounts::Role;
use crate::app::AppState;
use crate::auth::session::{self, control, Session};
use crate::privacy::checklist::{self, Change, Entry, SchoolChecklist};
use crate::privacy::kinds::DocKind;
use crate::privacy::template::{self, Template};
use crate::privacy::{erase, export, html, pdf};

fn operator(s: &Session) -> ApiResult<()> {
    if s.account.role == Role::Operator {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Operators reach every school, school admins their own (others: 404,
/// so nothing is learnt about them), teachers nothing.
fn school_admin_of(s: &Session, id: &str) -> ApiResult<()> {
    match s.account.role {
        Role::Operator => Ok(()),
        Role::SchoolAdmin if s.account.school_str() == Some(id) => Ok(()),
        Role::SchoolAdmin => Err(ApiError::not_found(&format!("school {id}"))),
        Role::Teacher => Err(ApiError::forbidden()),
    }
}

pub async fn get_template(State(state): State<AppState>, s: Session) -> ApiResult<Json<Template>> {
    operator(&s)?;
    Ok(Json(template::load(&control(&state)?.db).await?))
}

pub async fn put_template(
    State(state): State<AppState>,
    s: Session,
    new: Result<JsonBody<Template>, ApiError>,
) -> ApiResult<Json<Template>> {
    operator(&s)?;
    let JsonBody(new) = new?;
    Ok(Json(
        template::save(&control(&state)?.db, &s.account.actor(), new).await?,
    ))
}

pub async fn document(
    State(state): State<AppState>,
    s: Session,
    Path((id, kind, format)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    school_admin_of(&s, &id)?;
    let kind =
        DocKind::parse(&kind).ok_or_else(|| ApiError::not_found(&format!("document {kind}")))?;
    if format != "pdf" && format != "html" {
        return Err(ApiError::not_found(&format!(
            "format {format} (use pdf or html)"
        )));
    }
    let doc = crate::privacy::generate(&state, &id, kind).await?;
    let file = format!("{}-{}", kind.slug(), id);
    Ok(if format == "pdf" {
        let bytes = tokio::task::spawn_blocking(move || pdf::render(&doc))
            .await
            .map_err(|e| ApiError::internal("rendering a PDF", e))?;
        (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.pdf\""),
                ),
            ],
            bytes,
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html::render(&doc),
        )
            .into_response()
    })
}

pub async fn get_checklist(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Entry>>> {
    school_admin_of(&s, &id)?;
    let c = control(&state)?;
    if crate::schools::get(&c.db, &id).await?.is_none() {
        return Err(ApiError::not_found(&format!("school {id}")));
    }
    Ok(Json(checklist::load(&c.db, &id).await?))
}

pub async fn put_checklist(
    State(state): State<AppState>,
    s: Session,
    Path((id, item)): Path<(String, String)>,
    change: Result<JsonBody<Change>, ApiError>,
) -> ApiResult<Json<Vec<Entry>>> {
    school_admin_of(&s, &id)?;
    let JsonBody(change) = change?;
    Ok(Json(
        checklist::set(&control(&state)?.db, &s.account.actor(), &id, &item, change).await?,
    ))
}

pub async fn checklists(
    State(state): State<AppState>,
    s: Session,
) -> ApiResult<Json<Vec<SchoolChecklist>>> {
    operator(&s)?;
    Ok(Json(checklist::overview(&control(&state)?.db).await?))
}

pub async fn export_me(State(state): State<AppState>, s: Session) -> ApiResult<Response> {
    let data = export::export(&control(&state)?.db, &s.account).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| ApiError::internal("export", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tafelrunde-meine-daten.json\"".to_string(),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteOwn {
    /// One's own e-mail address, typed to confirm.
    email: String,
}

pub async fn delete_me(
    State(state): State<AppState>,
    s: Session,
    req: Result<JsonBody<DeleteOwn>, ApiError>,
) -> ApiResult<Response> {
    if s.account.role == Role::Operator {
        return Err(ApiError::forbidden());
    }
    let JsonBody(req) = req?;
    let c = control(&state)?;
    erase::delete_own(&c.db, &s.account, &req.email).await?;
    let mut headers = HeaderMap::new();
    session::set_cookie(&mut headers, None, c.secure_cookies);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
