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
use crate::auth::known_device;
use crate::auth::session::{self, control, MaybeSession, Session};
use crate::client_ip::network_key;
use crate::cpu::CpuError;
use crate::limits::Limit;
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
    /// The operator's guidance link for schools on BigBlueButton, shown with
    /// their notice (also after a refused login through the identity
    /// provider, whose address carries only the error code).
    pub guidance_url: Option<String>,
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
        guidance_url: Some(crate::settings::load(&c.db).await?.guidance_url)
            .filter(|g| !g.is_empty()),
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
    let account =
        lifecycle::complete_setup(&c.db, &state.cpu, &req.token, &req.email, &req.password).await?;
    login_response(&state, &account).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// Logs in. The limits (see `crate::limits`) count the try *before* the
/// password is hashed, and a right password hands it back:
///
/// - from a browser with this account's known-device cookie: only that
///   device's own limit ([`Limit::LoginKnownDevice`]), so neither a flood
///   of failures from the school's shared address nor a guessing campaign
///   against the account from many networks locks its owner out;
/// - from anywhere else: the client's network ([`Limit::LoginNetwork`]),
///   the account from that network ([`Limit::LoginAccountNetwork`]) and
///   the account from anywhere ([`Limit::LoginAccount`], far higher).
///
/// The hash runs on the bounded CPU pool; a full pool answers 503.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let email = req.email.trim().to_lowercase();
    let network = network_key(ip);
    let found = accounts::by_email(&c.db, &email).await?;
    let device = match (
        &found,
        crate::cookies::get(&headers, known_device::COOKIE_NAME),
    ) {
        (Some((account, _)), Some(cookie)) => {
            known_device::verify(&c.db, &account.id.0, &cookie).await?
        }
        _ => None,
    };
    let keys = match &device {
        Some(device) => vec![c.limits.key(Limit::LoginKnownDevice, &[&email, device])],
        None => vec![
            c.limits.key(Limit::LoginNetwork, &[&network]),
            c.limits
                .key(Limit::LoginAccountNetwork, &[&email, &network]),
            c.limits.key(Limit::LoginAccount, &[&email]),
        ],
    };
    let taken = match c.limits.take(&keys, Instant::now()) {
        Ok(taken) => taken,
        Err(wait) => {
            return Ok(ApiError::too_many(
                "tooManyAttempts",
                "too many failed logins",
                wait.secs(),
            ))
        }
    };
    let hash = found.as_ref().and_then(|(_, h)| h.clone());
    let ok = match password::verify_on(&state.cpu, req.password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked, so not counted.
            c.limits.give_back(taken, Instant::now());
            return match e {
                CpuError::Busy => Ok(ApiError::busy()),
                CpuError::Panicked => Err(ApiError::internal("checking a password", e)),
            };
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrongLogin",
            "the e-mail address or the password is wrong",
        ));
    };
    c.limits.give_back(taken, Instant::now());
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
    // Whoever logged in here with the password is this account's known device.
    let device = known_device::issue(&c.db, &account.id.0).await?;
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        known_device::cookie(&device, c.secure_cookies),
    );
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
    let account = lifecycle::activate(&c.db, &state.cpu, &req.token, &req.password).await?;
    login_response(&state, &account).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    email: String,
}

/// Always 202, whether the address is known or not, and in the same time:
/// the account is looked up and the mail sent in the background (at most
/// `MAIL_JOBS` at once; beyond that 503 for everyone alike). Limited per
/// client network and per address asked for, known or not, counted first.
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<ResetRequest>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let email = req.email.trim().to_lowercase();
    let keys = [
        c.limits.key(Limit::ResetNetwork, &[&network_key(ip)]),
        c.limits.key(Limit::ResetAddress, &[&email]),
    ];
    if let Err(wait) = c.limits.take(&keys, Instant::now()) {
        return Ok(ApiError::too_many(
            "tooManyRequests",
            "too many password-reset requests",
            wait.secs(),
        ));
    }
    let Some(mailer) = c.mailer.clone() else {
        return Ok(StatusCode::ACCEPTED.into_response());
    };
    let Ok(job) = c.mail_jobs.clone().try_acquire_owned() else {
        return Ok(ApiError::busy());
    };
    let control = state.control.clone().expect("checked above");
    tokio::spawn(async move {
        let _job = job;
        // A database error was logged where it arose (ApiError::internal).
        if let Ok(Some(link)) =
            lifecycle::reset_link_for(&control.db, &control.public_url, &email).await
        {
            let body = format!("Guten Tag,\n\nmit diesem Link setzen Sie ein neues Passwort für Tafelrunde (2 Stunden gültig):\n\n{link}\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.\n");
            mailer
                .send(&email, "Tafelrunde: neues Passwort", body)
                .await;
        }
    });
    Ok(StatusCode::ACCEPTED.into_response())
}

pub async fn complete_reset(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<TokenPassword>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let account = lifecycle::reset_password(&c.db, &state.cpu, &req.token, &req.password).await?;
    login_response(&state, &account).await
}

/// Off to the identity provider, with the cookie that binds the login to
/// this browser (or back to the login page when it cannot start now).
pub async fn oidc_login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let oidc = c
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::not_found("login through an identity provider"))?;
    Ok(oidc.start_response(client, c.secure_cookies).await)
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
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<Callback>,
) -> ApiResult<Response> {
    let c = control(&state)?;
    let oidc = c
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::not_found("login through an identity provider"))?;
    let result = match (q.code, q.state, q.error) {
        (Some(code), Some(st), None) => oidc.login(&c.db, &code, &st, &headers).await,
        (_, _, error) => Err(ApiError::bad_request(
            "oidcRefused",
            format!(
                "the identity provider refused: {}",
                error.unwrap_or_default()
            ),
        )),
    };
    let mut response = match result {
        Ok(account) => {
            let (secret, _) = session::create(&c.db, &account.id.0).await?;
            tracing::info!(account = %account.id.0, role = account.role.as_str(), "login through the identity provider");
            let mut response = axum::response::Redirect::to("/konto").into_response();
            session::set_cookie(response.headers_mut(), Some(&secret), c.secure_cookies);
            response
        }
        // Only the code: the login page takes nothing else from its address.
        Err(e) => axum::response::Redirect::to(&format!("/login#error={}", e.code)).into_response(),
    };
    // The login is over, either way.
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        crate::auth::oidc::login_cookie(None, c.secure_cookies),
    );
    Ok(response)
}
