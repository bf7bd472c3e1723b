//! The helpdesk's API routes (listed in `crate::api::ROUTES`): the public
//! form, and the operator staff's queue.

use std::time::Instant;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::hotline::{self, Hotline};
use super::spam::{self, Refusal};
use super::validate::{self, NewTicket};
use super::{store, EntryKind, Status, Ticket, TicketId};
use crate::accounts::Role;
use crate::api::error::{ApiError, ApiResult};
use crate::api::{ClientIp, JsonBody};
use crate::app::AppState;
use crate::auth::session::{control, MaybeSession, Session};
use crate::limits::Limit;
use crate::storage::now_millis;

/// Longest note or reply.
const MAX_ENTRY_CHARS: usize = 10_000;

/// A session of an operator account: checked before the body is read, so
/// that other roles get 403 whatever they send.
pub struct Staff(pub Session);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let s = Session::from_request_parts(parts, state).await?;
        if s.account.role != Role::Operator {
            return Err(ApiError::forbidden());
        }
        Ok(Self(s))
    }
}

/// What the form needs: its spam token, the hotline, whether replies can
/// come by mail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormInfo {
    /// Send it back as `formToken`.
    pub form_token: String,
    pub hotline: Hotline,
    /// Whether a reply can reach a given contact address by mail.
    pub replies_by_mail: bool,
}

/// The form's token is bound to the client's network (see `spam`).
pub async fn form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
) -> ApiResult<Json<FormInfo>> {
    let c = control(&state)?;
    Ok(Json(FormInfo {
        form_token: spam::issue(&c.db, ip).await?,
        hotline: hotline::load(&c.db).await?,
        replies_by_mail: c.mailer.is_some(),
    }))
}

/// The confirmation of a request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Filed {
    /// `HD-000042`: the number to quote.
    pub number: String,
}

fn spam_error(field: &str, code: &'static str, message: &str) -> ApiError {
    ApiError {
        field: Some(field.into()),
        ..ApiError::bad_request(code, message)
    }
}

fn refusal_error(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Invalid => spam_error(
            "formToken",
            "spamSuspected",
            "the form's token is missing, invalid or was handed out to another network; reload the form",
        ),
        Refusal::Used => spam_error(
            "formToken",
            "spamSuspected",
            "this form has sent its request already; reload it to send another one",
        ),
        Refusal::TooFast => spam_error(
            "formToken",
            "tooFast",
            "sent too soon after the form was opened; wait a few seconds and send again",
        ),
        Refusal::Expired => spam_error(
            "formToken",
            "formExpired",
            "the form was open for too long; reload it (what you wrote stays)",
        ),
    }
}

/// Files a request. Every request that passes the field checks counts
/// towards the network's limit before anything else, whether it is then
/// filed or refused as spam; a request of a logged-in person remembers the
/// account (for that person's data export).
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeSession(session, _): MaybeSession,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<NewTicket>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let checked = validate::check(&req)?;
    let network = crate::client_ip::network_key(ip);
    let key = c.limits.key(Limit::Helpdesk, &[&network]);
    if let Err(wait) = c.limits.take(&[key], Instant::now()) {
        return Ok(ApiError::too_many(
            "tooManyRequests",
            "too many requests from your network",
            wait.secs(),
        ));
    }
    if !req.website.is_empty() {
        return Err(spam_error(
            "website",
            "spamSuspected",
            "this field must stay empty; the request looks automated and was not stored",
        ));
    }
    let token = spam::check(&c.db, &req.form_token, ip, now_millis())
        .await?
        .map_err(refusal_error)?;
    // Filed as the account only with the session's CSRF token: another
    // site cannot put a request into somebody's name (and data export).
    let sent_csrf = headers
        .get(crate::auth::session::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let account = session
        .as_ref()
        .filter(|s| crate::auth::token::constant_time_eq(sent_csrf, &s.csrf))
        .map(|s| s.account.id.0.as_str());
    let id = store::create(&c.db, &checked, account, &token)
        .await?
        .map_err(refusal_error)?;
    // Only the number: what people wrote is personal data and stays out of logs.
    tracing::info!(ticket = %id.number(), category = checked.category.as_str(), "helpdesk request filed");
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            number: id.number(),
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    _: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Ticket>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| ApiError::field("status", "use new, inProgress or done"))?,
        ),
    };
    Ok(Json(store::list(&control(&state)?.db, status).await?))
}

fn ticket_id(text: &str) -> ApiResult<TicketId> {
    TicketId::parse(text).ok_or_else(|| ApiError::not_found(&format!("ticket {text}")))
}

pub async fn get(
    State(state): State<AppState>,
    _: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(
        store::get(&control(&state)?.db, ticket_id(&id)?).await?,
    ))
}

/// A change of a ticket; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketUpdate {
    /// `new`, `inProgress` or `done` (closing).
    #[serde(default)]
    pub status: Option<String>,
    /// An operator's account id; `null` removes the assignment.
    #[serde(default, with = "serde_with_null")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
mod serde_with_null {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Ok(Some(Option::<String>::deserialize(d)?))
    }
}

pub async fn update(
    State(state): State<AppState>,
    Staff(s): Staff,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TicketUpdate>,
) -> ApiResult<Json<Ticket>> {
    let c = control(&state)?;
    let id = ticket_id(&id)?;
    let status = req
        .status
        .as_deref()
        .map(|t| {
            Status::parse(t).ok_or_else(|| ApiError::field("status", "use new, inProgress or done"))
        })
        .transpose()?;
    Ok(Json(
        store::update(&c.db, &s.account.actor(), id, status, req.assignee).await?,
    ))
}

/// A note's or a reply's text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryText {
    pub text: String,
}

fn entry_text(req: &EntryText) -> ApiResult<String> {
    let text = req.text.trim().to_string();
    if text.is_empty() || text.chars().count() > MAX_ENTRY_CHARS {
        return Err(ApiError::field(
            "text",
            format!("write 1 to {MAX_ENTRY_CHARS} characters"),
        ));
    }
    Ok(text)
}

pub async fn note(
    State(state): State<AppState>,
    Staff(s): Staff,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<EntryText>,
) -> ApiResult<Json<Ticket>> {
    let c = control(&state)?;
    let id = ticket_id(&id)?;
    let text = entry_text(&req)?;
    store::add_entry(&c.db, &s.account.actor(), id, EntryKind::Note, &text, false).await?;
    Ok(Json(store::get(&c.db, id).await?))
}

pub async fn reply(
    State(state): State<AppState>,
    Staff(s): Staff,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<EntryText>,
) -> ApiResult<Json<Ticket>> {
    let c = control(&state)?;
    let id = ticket_id(&id)?;
    let text = entry_text(&req)?;
    let ticket = store::get(&c.db, id).await?;
    let mailed = match (&c.mailer, &ticket.email) {
        (Some(mailer), Some(to)) => {
            let subject = format!("Ihre Anfrage {} an den Tafelrunde-Helpdesk", id.number());
            let body = format!(
                "Guten Tag,\n\nzu Ihrer Anfrage {} schreibt Ihnen der Helpdesk:\n\n{}\n\n-- \nTafelrunde-Helpdesk\n{}\n",
                id.number(),
                text,
                c.public_url
            );
            mailer.send(to, &subject, body).await
        }
        _ => false,
    };
    store::add_entry(
        &c.db,
        &s.account.actor(),
        id,
        EntryKind::Reply,
        &text,
        mailed,
    )
    .await?;
    Ok(Json(store::get(&c.db, id).await?))
}

pub async fn put_hotline(
    State(state): State<AppState>,
    Staff(s): Staff,
    JsonBody(req): JsonBody<Hotline>,
) -> ApiResult<Json<Hotline>> {
    Ok(Json(
        hotline::save(&control(&state)?.db, &s.account.actor(), req).await?,
    ))
}
