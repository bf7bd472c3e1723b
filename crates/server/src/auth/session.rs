//! Login sessions: a random secret in an HttpOnly, SameSite=Lax cookie
//! (Secure when the service is reached over https), its hash in the
//! database with a CSRF token. Every request that changes something must
//! carry that token in the `X-CSRF-Token` header. A session ends at logout,
//! at "logout everywhere", when it expires, when the account is deactivated
//! or deleted, and at once when its school switches to BigBlueButton.

use axum::extract::FromRequestParts;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use sqlx::Row;

use super::token;
use crate::accounts::{self, Account, Status};
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::control::Control;
use crate::schools::Service;
use crate::storage::{self, Db};

pub const COOKIE_NAME: &str = "tafelrunde_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session lasts this long after login.
pub const LIFETIME_SECS: i64 = 12 * 3600;

/// A logged-in account and its session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
    hash: String,
}

/// Starts a session; returns the cookie's secret and the CSRF token.
pub async fn create(db: &Db, account_id: &str) -> Result<(String, String), sqlx::Error> {
    let secret = token::new_secret();
    let csrf = token::new_secret();
    let now = storage::now();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("INSERT INTO sessions (hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token::hash(&secret))
        .bind(account_id)
        .bind(&csrf)
        .bind(now)
        .bind(now + LIFETIME_SECS)
        .execute(db.pool())
        .await?;
    Ok((secret, csrf))
}

/// The `Set-Cookie` value for a new session, or for ending one (`None`).
pub fn cookie(secret: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = match secret {
        Some(s) => format!(
            "{COOKIE_NAME}={s}; Path=/; HttpOnly; SameSite=Lax; Max-Age={LIFETIME_SECS}{secure}"
        ),
        None => format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).expect("cookie is ASCII")
}

pub fn set_cookie(headers: &mut HeaderMap, secret: Option<&str>, secure: bool) {
    headers.insert(SET_COOKIE, cookie(secret, secure));
}

/// The session secret from the `Cookie` header.
pub fn secret_from(headers: &HeaderMap) -> Option<String> {
    crate::cookies::get(headers, COOKIE_NAME).filter(|v| !v.is_empty())
}

/// Why a cookie is no (longer a) session.
pub enum Invalid {
    /// Unknown, expired, or the account is not active.
    Gone,
    /// The account's school uses BigBlueButton; the session was ended.
    SchoolUsesBbb(String),
}

/// The session of a cookie secret. Ends it (deletes it) when the account is
/// no longer active or its school no longer uses Tafelrunde.
pub async fn lookup(db: &Db, secret: &str) -> Result<Result<Session, Invalid>, sqlx::Error> {
    let hash = token::hash(secret);
    let row = sqlx::query(&format!(
        "SELECT s.csrf, s.expires_at, sc.service, {} FROM sessions s JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN schools sc ON sc.number = a.school WHERE s.hash = $1",
        accounts::COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Err(Invalid::Gone));
    };
    let account = accounts::from_row(&row)?;
    let service: Option<String> = row.try_get("service")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if let Some(school) = account.school_str() {
        if service.as_deref() != Some(Service::Tafelrunde.as_str()) {
            end(db, &hash).await?;
            return Ok(Err(Invalid::SchoolUsesBbb(school.to_string())));
        }
    }
    if expires_at <= storage::now() || account.status != Status::Active {
        end(db, &hash).await?;
        return Ok(Err(Invalid::Gone));
    }
    Ok(Ok(Session {
        account,
        csrf: row.try_get("csrf")?,
        hash,
    }))
}

async fn end(db: &Db, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE hash = $1")
        .bind(hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

impl Session {
    /// Ends this session.
    pub async fn end(&self, db: &Db) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE hash = $1")
            .bind(&self.hash)
            .execute(db.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of this account ("logout everywhere").
    pub async fn end_all(&self, db: &Db) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(&self.account.id.0)
            .execute(db.pool())
            .await?
            .rows_affected())
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The control plane, or 503 when this server runs without one.
pub fn control(state: &AppState) -> Result<&Control, ApiError> {
    state.control.as_deref().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "noAccounts",
            "this server runs without accounts",
        )
    })
}

/// Resolves the session of a request and checks its CSRF token.
async fn from_parts(
    parts: &Parts,
    state: &AppState,
    check_csrf: bool,
) -> Result<Session, ApiError> {
    let control = control(state)?;
    let secret = secret_from(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
    let session = match lookup(&control.db, &secret).await? {
        Ok(s) => s,
        Err(Invalid::Gone) => return Err(ApiError::unauthenticated()),
        Err(Invalid::SchoolUsesBbb(school)) => {
            let guidance = crate::settings::load(&control.db).await?.guidance_url;
            return Err(ApiError {
                status: axum::http::StatusCode::UNAUTHORIZED,
                ..ApiError::school_uses_bbb(&school, &guidance)
            });
        }
    };
    if check_csrf && !is_safe(&parts.method) {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !token::constant_time_eq(sent, &session.csrf) {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                "missing or wrong X-CSRF-Token header",
            ));
        }
    }
    Ok(session)
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        from_parts(parts, state, true).await
    }
}

/// A session if there is a valid one (no CSRF check: for reading only).
pub struct MaybeSession(pub Option<Session>, pub Option<ApiError>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match from_parts(parts, state, false).await {
            Ok(s) => Ok(Self(Some(s), None)),
            Err(e) if e.status.is_server_error() => Err(e),
            Err(e) if e.code == "notLoggedIn" => Ok(Self(None, None)),
            Err(e) => Ok(Self(None, Some(e))),
        }
    }
}
