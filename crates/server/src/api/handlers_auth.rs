//! Session, first-start setup, login, logout, activation, password reset.

use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{ClientIp, JsonBody};
use crate::accounts::{self, lifecycle, password, Account, Status};
use crate::app::AppState;
use crate::auth::limiter::{PER_ACCOUNT, PER_CLIENT};
use crate::auth::session::{self, control, MaybeSession, Session};
use crate::schools::{self, School, Service};

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub account: Option<Account>,
    /// Send it as `X-CSRF-Token` with every request that changes something.
    pub csrf: Option<String>,
    /// No operator yet: the setup link printed at start creates one.
    pub setup_required: bool,
    pub school: Option<School>,
    /// Why the last session ended, e.g. `schoolUsesBigBlueButton`.
    pub ended: Option<ApiError>,
    /// The label of the identity provider's login button, when there is one.
    pub oidc: Option<String>,
}

async fn info(
    state: &AppState,
    session: Option<&Session>,
    ended: Option<ApiError>,
) -> ApiResult<SessionInfo> {
    let c = control(state)?;
    let school = match session.and_then(|s| s.account.school_str()) {
        Some(id) => schools::get(&c.db, id).await?,
        None => None,
    };
    Ok(SessionInfo {
        account: session.map(|s| s.account.clone()),
        csrf: session.map(|s| s.csrf.clone()),
        setup_required: !accounts::operator_exists(&c.db).await?,
        school,
        ended,
        oidc: c.oidc.as_ref().map(|o| o.label().to_string()),
    })
}

pub async fn session(
    State(state): State<AppState>,
    MaybeSession(s, ended): MaybeSession,
) -> ApiResult<Response> {
    let mut response = Json(info(&state, s.as_ref(), ended.clone()).await?).into_response();
    if ended.is_some() {
        // The cookie names a session that is gone: let the browser forget it.
        session::set_cookie(
            response.headers_mut(),
            None,
            control(&state)?.secure_cookies,
        );
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    token: String,
    email: String,
    password: String,
}

pub async fn setup(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SetupRequest>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let account = lifecycle::complete_setup(&c.db, &req.token, &req.email, &req.password).await?;
    login_response(&state, &account).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let email = req.email.trim().to_lowercase();
    let account_key = format!("account:{email}");
    let mut keys = vec![(account_key.clone(), PER_ACCOUNT)];
    if let Some(ip) = ip {
        keys.push((format!("client:{ip}"), PER_CLIENT));
    }
    let now = Instant::now();
    if let Err(wait) = c.limiter.check(&keys, now) {
        return Ok(ApiError::too_many(
            "tooManyAttempts",
            "too many failed logins",
            wait,
        ));
    }
    let found = accounts::by_email(&c.db, &email).await?;
    let hash = found.as_ref().and_then(|(_, h)| h.clone());
    let ok = password::verify(
        &req.password,
        hash.as_deref().unwrap_or(password::dummy_hash()),
    ) && hash.is_some();
    let Some((account, _)) = found.filter(|_| ok) else {
        c.limiter.fail(&keys, now);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrongLogin",
            "the e-mail address or the password is wrong",
        ));
    };
    c.limiter.succeed(&account_key);
    // Only someone who knows the password learns why the account cannot log in.
    if let Some(school) = account.school_str() {
        if schools::get(&c.db, school).await?.map(|s| s.service) != Some(Service::Tafelrunde) {
            let guidance = crate::settings::load(&c.db).await?.guidance_url;
            return Err(ApiError::school_uses_bbb(school, &guidance));
        }
    }
    match account.status {
        Status::Active => {}
        Status::Pending => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "notActivated",
                "this account is not activated yet; open its activation link",
            ))
        }
        Status::Deactivated => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "deactivated",
                "this account is deactivated; ask your school admin",
            ))
        }
    }
    tracing::info!(account = %account.id.0, role = account.role.as_str(), "login");
    login_response(&state, &account).await
}

async fn login_response(state: &AppState, account: &Account) -> ApiResult<Response> {
    let c = control(state)?;
    let (secret, _) = session::create(&c.db, &account.id.0).await?;
    let s = session::lookup(&c.db, &secret)
        .await?
        .map_err(|_| ApiError::unauthenticated())?;
    let mut response = Json(info(state, Some(&s), None).await?).into_response();
    session::set_cookie(response.headers_mut(), Some(&secret), c.secure_cookies);
    Ok(response)
}

fn logged_out(state: &AppState) -> ApiResult<Response> {
    let mut headers = HeaderMap::new();
    session::set_cookie(&mut headers, None, control(state)?.secure_cookies);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

pub async fn logout(State(state): State<AppState>, s: Session) -> ApiResult<Response> {
    s.end(&control(&state)?.db).await?;
    logged_out(&state)
}

pub async fn logout_everywhere(State(state): State<AppState>, s: Session) -> ApiResult<Response> {
    let n = s.end_all(&control(&state)?.db).await?;
    tracing::info!(account = %s.account.id.0, sessions = n, "logout everywhere");
    logged_out(&state)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPassword {
    token: String,
    password: String,
}

pub async fn activate(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<TokenPassword>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let account = lifecycle::activate(&c.db, &req.token, &req.password).await?;
    login_response(&state, &account).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    email: String,
}

/// Always 202, whether the address is known or not (no account probing).
pub async fn request_reset(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ResetRequest>,
) -> ApiResult<StatusCode> {
    let c = control(&state)?;
    if let Some(mailer) = &c.mailer {
        if let Some(link) = lifecycle::reset_link_for(&c.db, &c.public_url, &req.email).await? {
            let body = format!("Guten Tag,\n\nmit diesem Link setzen Sie ein neues Passwort für Tafelrunde (2 Stunden gültig):\n\n{link}\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.\n");
            mailer
                .send(req.email.trim(), "Tafelrunde: neues Passwort", body)
                .await;
        }
    }
    Ok(StatusCode::ACCEPTED)
}

pub async fn complete_reset(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<TokenPassword>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let account = lifecycle::reset_password(&c.db, &req.token, &req.password).await?;
    login_response(&state, &account).await
}

/// Off to the identity provider.
pub async fn oidc_login(State(state): State<AppState>) -> ApiResult<Response> {
    let c = control(&state)?;
    let oidc = c
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::not_found("login through an identity provider"))?;
    Ok(axum::response::Redirect::to(&oidc.start().await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Back from the identity provider: a session, or the login page with the reason.
pub async fn oidc_callback(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<Callback>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let oidc = c
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::not_found("login through an identity provider"))?;
    let result = match (q.code, q.state, q.error) {
        (Some(code), Some(st), None) => oidc.login(&c.db, &code, &st).await,
        (_, _, error) => Err(ApiError::bad_request(
            "oidcRefused",
            format!(
                "the identity provider refused: {}",
                error.unwrap_or_default()
            ),
        )),
    };
    match result {
        Ok(account) => {
            let (secret, _) = session::create(&c.db, &account.id.0).await?;
            tracing::info!(account = %account.id.0, role = account.role.as_str(), "login through the identity provider");
            let mut response = axum::response::Redirect::to("/konto").into_response();
            session::set_cookie(response.headers_mut(), Some(&secret), c.secure_cookies);
            Ok(response)
        }
        Err(e) => {
            let mut to = format!("/login#error={}", e.code);
            if let Some(g) = &e.guidance_url {
                to += &format!("&guidance={}", url_escape(g));
            }
            Ok(axum::response::Redirect::to(&to).into_response())
        }
    }
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
