//! One error type for the JSON API: a status, a machine-readable code, a
//! sentence for people, and where it helps the field or the line of an
//! upload. Internal details go to the log, never into the response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(skip)]
    #[schema(ignore)]
    pub status: StatusCode,
    /// Machine-readable, stable: the client translates it.
    #[schema(value_type = String)]
    pub code: &'static str,
    /// English explanation (the client shows its own translation of `code`).
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Line of an uploaded list (1 = the header line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Where the users of a school on BigBlueButton find their guidance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance_url: Option<String>,
    /// Every problem of an upload, when there is more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// One bad line of an uploaded list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Problem {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[schema(value_type = String)]
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a ApiError,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            line: None,
            guidance_url: None,
            problems: Vec::new(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A request field with an invalid value.
    /// `429` with `Retry-After`: wait `seconds`; `what` says what was too
    /// much, e.g. "too many failed logins".
    pub fn too_many(code: &'static str, what: &str, seconds: u64) -> Response {
        let message = format!("{what}; try again in {} minutes", seconds.div_ceil(60));
        let mut response = Self::new(StatusCode::TOO_MANY_REQUESTS, code, message).into_response();
        response
            .headers_mut()
            .insert("retry-after", axum::http::HeaderValue::from(seconds));
        response
    }

    /// `503` with `Retry-After`: the bounded CPU pool (`crate::cpu`) is full;
    /// nothing was done, the same request may simply be sent again.
    pub fn busy() -> Response {
        Self::server_busy().into_response()
    }

    /// [`ApiError::busy`] as an error value, for code that returns
    /// [`ApiResult`]; its response carries the same `Retry-After`.
    pub fn server_busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serverBusy",
            "the server is busy; try again in a moment",
        )
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::bad_request("invalidField", message)
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "notLoggedIn", "log in first")
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role may not do this",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("{what} does not exist"),
        )
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// The school uses BigBlueButton in itslearning: no Tafelrunde account works.
    pub fn school_uses_bbb(school: &str, guidance_url: &str) -> Self {
        Self {
            guidance_url: Some(guidance_url.to_string()),
            ..Self::new(
                StatusCode::FORBIDDEN,
                "schoolUsesBigBlueButton",
                format!("school {school} uses BigBlueButton in itslearning; Tafelrunde accounts of this school do not work"),
            )
        }
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Something broke inside; the details go to the log only.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internalError",
            "internal error; see the server log",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        // Two requests raced for the same address or name: the later one loses cleanly.
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Self::conflict(
                    "alreadyExists",
                    "this exists already (created at the same moment?); reload and check",
                );
            }
        }
        Self::internal("database error", e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(Body { error: &self })).into_response();
        if self.code == "serverBusy" {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(2u64));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
