//! The JSON API under `/api`: everything the admin pages do, for scripts
//! too (docs/api.md; the OpenAPI description is at `/api/openapi.json`).
//! Who may call what is in [`ROUTES`]; the authorization matrix test checks
//! every route against every role.

pub mod error;
mod handlers_accounts;
mod handlers_auth;
mod handlers_privacy;
mod handlers_schools;
pub mod openapi;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use error::ApiError;

/// Who may call a route (the documented answer for everyone else is 401 or 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account.
    Public,
    /// Any logged-in account.
    LoggedIn,
    /// Operators and school admins (a school admin sees only their school).
    Admin,
    /// Operators only.
    Operator,
    /// Teachers and school admins (accounts of a school).
    SchoolAccount,
}

/// Every route: method, path, access, summary. The router below must match
/// it (a test checks), and the OpenAPI description is made from it.
pub const ROUTES: &[(&str, &str, Access, &str)] = &[
    (
        "GET",
        "/api/session",
        Access::Public,
        "The current session: account, CSRF token, whether setup is needed",
    ),
    (
        "POST",
        "/api/setup",
        Access::Public,
        "Create the first operator with the setup link's token",
    ),
    (
        "POST",
        "/api/login",
        Access::Public,
        "Log in with e-mail address and password",
    ),
    ("POST", "/api/logout", Access::LoggedIn, "End this session"),
    (
        "POST",
        "/api/logout-everywhere",
        Access::LoggedIn,
        "End every session of this account",
    ),
    (
        "POST",
        "/api/activate",
        Access::Public,
        "Activate an account with its link's token and a new password",
    ),
    (
        "POST",
        "/api/password-reset",
        Access::Public,
        "Ask for a password reset link by mail",
    ),
    (
        "POST",
        "/api/password-reset/complete",
        Access::Public,
        "Set a new password with a reset link's token",
    ),
    (
        "GET",
        "/api/rooms/{name}/policy",
        Access::Public,
        "Whether a room can be joined, and its school's service",
    ),
    (
        "GET",
        "/api/schools",
        Access::LoggedIn,
        "Schools: all for the operator, one's own for others",
    ),
    (
        "POST",
        "/api/schools/import",
        Access::Operator,
        "Import the school list (CSV or XLSX body)",
    ),
    (
        "GET",
        "/api/schools/{id}",
        Access::LoggedIn,
        "One school (others' schools: 404 for non-operators)",
    ),
    (
        "PUT",
        "/api/schools/{id}/service",
        Access::Operator,
        "Change a school's video service, with a reason",
    ),
    (
        "GET",
        "/api/settings",
        Access::Admin,
        "Allowed e-mail domains and the guidance link",
    ),
    (
        "PUT",
        "/api/settings",
        Access::Operator,
        "Change the settings",
    ),
    (
        "GET",
        "/api/accounts",
        Access::Admin,
        "Accounts: all (or ?school=) for the operator, one's school's for a school admin",
    ),
    (
        "POST",
        "/api/accounts",
        Access::Admin,
        "Create an account; answers with its activation link",
    ),
    (
        "POST",
        "/api/accounts/bulk",
        Access::Admin,
        "Create teacher accounts from a list of e-mail addresses (?school=)",
    ),
    (
        "POST",
        "/api/accounts/{id}/deactivate",
        Access::Admin,
        "Deactivate an account (its sessions end)",
    ),
    (
        "POST",
        "/api/accounts/{id}/reactivate",
        Access::Admin,
        "Reactivate an account",
    ),
    (
        "POST",
        "/api/accounts/{id}/link",
        Access::Admin,
        "A new activation (pending) or password reset (active) link",
    ),
    (
        "DELETE",
        "/api/accounts/{id}",
        Access::Admin,
        "Delete an account with its sessions and rooms",
    ),
    (
        "GET",
        "/api/audit",
        Access::Admin,
        "The audit log (a school admin's: their school only)",
    ),
    (
        "GET",
        "/api/rooms",
        Access::SchoolAccount,
        "The rooms of the logged-in teacher",
    ),
    (
        "POST",
        "/api/rooms",
        Access::SchoolAccount,
        "Create a room (or update one's own) from learning group and short name",
    ),
    (
        "PUT",
        "/api/rooms/{name}",
        Access::SchoolAccount,
        "Change a room's settings",
    ),
    (
        "DELETE",
        "/api/rooms/{name}",
        Access::SchoolAccount,
        "Delete a room of one's own",
    ),
    (
        "GET",
        "/api/privacy/template",
        Access::Operator,
        "The values filled into every school's data-protection documents",
    ),
    (
        "PUT",
        "/api/privacy/template",
        Access::Operator,
        "Change the document values (controller, data protection officer, legal basis, hosting, imprint)",
    ),
    (
        "GET",
        "/api/privacy/checklists",
        Access::Operator,
        "Every school's data-protection checklist",
    ),
    (
        "GET",
        "/api/schools/{id}/checklist",
        Access::Admin,
        "A school's data-protection checklist",
    ),
    (
        "PUT",
        "/api/schools/{id}/checklist/{item}",
        Access::Admin,
        "Tick an item of a school's checklist (status, date)",
    ),
    (
        "GET",
        "/api/schools/{id}/documents/{kind}/{format}",
        Access::Admin,
        "A school's data-protection document as pdf or printable html",
    ),
    (
        "GET",
        "/api/me/export",
        Access::LoggedIn,
        "Everything stored about the logged-in account (JSON download)",
    ),
    (
        "DELETE",
        "/api/me",
        Access::SchoolAccount,
        "Delete one's own account (confirm with one's e-mail address)",
    ),
    (
        "GET",
        "/api/oidc/login",
        Access::Public,
        "Start a login at the state's identity provider (303 there)",
    ),
    (
        "GET",
        "/api/oidc/callback",
        Access::Public,
        "The identity provider's answer (303 to /konto, or to /login with the error)",
    ),
    (
        "GET",
        "/api/openapi.json",
        Access::Public,
        "This API's OpenAPI description",
    ),
    (
        "GET",
        "/api/helpdesk/form",
        Access::Public,
        "What the helpdesk form needs: its spam token, the hotline",
    ),
    (
        "POST",
        "/api/helpdesk/tickets",
        Access::Public,
        "File a helpdesk request; answers with its ticket number",
    ),
    (
        "GET",
        "/api/helpdesk/tickets",
        Access::Operator,
        "The helpdesk queue (?status=new|inProgress|done)",
    ),
    (
        "GET",
        "/api/helpdesk/tickets/{id}",
        Access::Operator,
        "One ticket with its notes and replies",
    ),
    (
        "PUT",
        "/api/helpdesk/tickets/{id}",
        Access::Operator,
        "Change a ticket's status (done closes it) or assignee",
    ),
    (
        "POST",
        "/api/helpdesk/tickets/{id}/notes",
        Access::Operator,
        "Add an internal note",
    ),
    (
        "POST",
        "/api/helpdesk/tickets/{id}/replies",
        Access::Operator,
        "Reply to the requester (mailed when SMTP and an address are there)",
    ),
    (
        "PUT",
        "/api/helpdesk/hotline",
        Access::Operator,
        "Set the hotline's number and hours shown beside the form",
    ),
];

pub fn router() -> Router<AppState> {
    use crate::helpdesk::handlers as helpdesk;
    use handlers_accounts as acc;
    use handlers_auth as auth;
    use handlers_privacy as prv;
    use handlers_schools as sch;
    let upload = DefaultBodyLimit::max(crate::tables::MAX_UPLOAD_BYTES);
    Router::new()
        .route("/api/session", get(auth::session))
        .route("/api/setup", post(auth::setup))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/logout-everywhere", post(auth::logout_everywhere))
        .route("/api/activate", post(auth::activate))
        .route("/api/password-reset", post(auth::request_reset))
        .route("/api/password-reset/complete", post(auth::complete_reset))
        .route("/api/rooms/{name}/policy", get(sch::room_policy))
        .route("/api/schools", get(sch::list))
        .route(
            "/api/schools/import",
            post(sch::import).layer(upload.clone()),
        )
        .route("/api/schools/{id}", get(sch::get))
        .route("/api/schools/{id}/service", put(sch::set_service))
        .route(
            "/api/settings",
            get(sch::get_settings).put(sch::put_settings),
        )
        .route("/api/accounts", get(acc::list).post(acc::create))
        .route("/api/accounts/bulk", post(acc::bulk).layer(upload))
        .route("/api/accounts/{id}/deactivate", post(acc::deactivate))
        .route("/api/accounts/{id}/reactivate", post(acc::reactivate))
        .route("/api/accounts/{id}/link", post(acc::new_link))
        .route("/api/accounts/{id}", axum::routing::delete(acc::delete))
        .route("/api/audit", get(acc::audit))
        .route("/api/rooms", get(acc::rooms).post(acc::create_room))
        .route(
            "/api/rooms/{name}",
            put(acc::update_room).delete(acc::delete_room),
        )
        .route(
            "/api/privacy/template",
            get(prv::get_template).put(prv::put_template),
        )
        .route("/api/privacy/checklists", get(prv::checklists))
        .route("/api/schools/{id}/checklist", get(prv::get_checklist))
        .route(
            "/api/schools/{id}/checklist/{item}",
            put(prv::put_checklist),
        )
        .route(
            "/api/schools/{id}/documents/{kind}/{format}",
            get(prv::document),
        )
        .route("/api/me/export", get(prv::export_me))
        .route("/api/me", axum::routing::delete(prv::delete_me))
        .route("/api/oidc/login", get(auth::oidc_login))
        .route("/api/oidc/callback", get(auth::oidc_callback))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/helpdesk/form", get(helpdesk::form))
        .route(
            "/api/helpdesk/tickets",
            get(helpdesk::list).post(helpdesk::create),
        )
        .route(
            "/api/helpdesk/tickets/{id}",
            get(helpdesk::get).put(helpdesk::update),
        )
        .route("/api/helpdesk/tickets/{id}/notes", post(helpdesk::note))
        .route("/api/helpdesk/tickets/{id}/replies", post(helpdesk::reply))
        .route("/api/helpdesk/hotline", put(helpdesk::put_hotline))
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::not_found("this API route") }),
        )
}

/// A JSON body whose errors are answered in the API's error format, naming
/// the field serde complained about.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) => Err(ApiError::bad_request("invalidJson", e.body_text())),
        }
    }
}

/// The client's IP address, when the server knows it (not in `oneshot`
/// tests); behind a trusted reverse proxy, the address the proxy forwards for.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(Self(None));
        };
        let forwarded_for = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(Self(Some(match &state.control {
            Some(c) => c.trusted_proxies.client(peer, forwarded_for),
            None => peer,
        })))
    }
}
