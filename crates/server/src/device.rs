//! The pseudonymous device cookie `tafelrunde_device`: 128 random bits that
//! let a room recognise a guest who was removed and comes back. No expiry
//! date (it ends with the browser session), HttpOnly, SameSite=Strict. It
//! names no person. The server keeps it in the room's memory, and its
//! SHA-256 for two hours as the room's admission (rooms::admissions), so that
//! pupils come back without the lobby after a server restart.

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::app::AppState;

pub const COOKIE_NAME: &str = "tafelrunde_device";

/// A new device id: 16 random bytes, base64url.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The device id from the `Cookie` header, if it looks like one of ours.
pub fn from_headers(headers: &HeaderMap) -> Option<String> {
    crate::cookies::get(headers, COOKIE_NAME).filter(|v| {
        v.len() == 22
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The `Set-Cookie` value for a device id (a session cookie: no Max-Age).
pub fn cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("cookie is ASCII")
}

/// Cookies get `Secure` when the service is reached over https.
pub fn secure(state: &AppState) -> bool {
    state.control.as_ref().is_some_and(|c| c.secure_cookies)
}

/// Middleware: HTML pages hand out a device cookie to browsers without one,
/// so that the signaling socket opened from the page carries it.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let missing = from_headers(request.headers()).is_none();
    let secure = secure(&state);
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if missing && html {
        response
            .headers_mut()
            .append(SET_COOKIE, cookie(&new_id(), secure));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn ids_are_128_bit_and_read_back() {
        let id = new_id();
        assert_eq!(id.len(), 22);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE_NAME}={id}")).unwrap(),
        );
        assert_eq!(from_headers(&headers), Some(id));
        headers.insert(COOKIE, HeaderValue::from_static("tafelrunde_device=../etc"));
        assert_eq!(from_headers(&headers), None, "only ids of our shape");
        let c = cookie("x", false);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Max-Age"));
    }
}
