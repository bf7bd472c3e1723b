//! The browser client, embedded at build time, and the security headers on
//! every response.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../web/dist"]
struct Dist;

/// What the client is made of; nothing else in the bundle is served (a
/// source map an old build left behind, for one).
const SERVED: [&str; 5] = [".js", ".css", ".svg", ".txt", ".html"];

/// Serve `/assets/*` from the bundle; every other path is a page of the
/// single-page client and gets `index.html`.
pub async fn serve(uri: Uri) -> impl IntoResponse {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("assets/") {
        if !SERVED.iter().any(|ext| path.ends_with(ext)) {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
        return match Dist::get(path) {
            Some(file) => {
                let mime = mime_guess::from_path(path).first_or_octet_stream();
                Response::builder()
                    .header(header::CONTENT_TYPE, mime.as_ref())
                    .header(header::CACHE_CONTROL, "no-cache")
                    .body(Body::from(file.data.into_owned()))
                    .expect("valid response")
            }
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        };
    }
    match Dist::get("index.html") {
        Some(file) => Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from(file.data.into_owned()))
            .expect("valid response"),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "client missing").into_response(),
    }
}

/// No request of the client may leave this server: no CDN, no fonts, no
/// third-party STUN (a strict Content-Security-Policy enforces it).
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Browsers that once reached the service over https keep to https for a
/// year (only sent when the service is reached over https).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Add the security headers to every response: pages, assets, API answers,
/// errors and 404s alike (the layer wraps the fallback too).
pub async fn security_headers(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    let https = state
        .control
        .as_deref()
        .is_some_and(|c| c.public_url.starts_with("https://"));
    let headers = response.headers_mut();
    if https {
        headers.insert(
            "strict-transport-security",
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set("content-security-policy", CONTENT_SECURITY_POLICY);
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("x-frame-options", "DENY");
    set(
        "permissions-policy",
        "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
    );
    set("cross-origin-opener-policy", "same-origin");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_client_is_served_without_its_source_map() {
        let map = serve(Uri::from_static("/assets/app.js.map"))
            .await
            .into_response();
        assert_eq!(map.status(), StatusCode::NOT_FOUND);
        let js = Dist::get("assets/app.js").expect("the client is embedded");
        let js = String::from_utf8_lossy(&js.data);
        assert!(!js.contains("sourceMappingURL"), "app.js points to a map");
        assert!(
            Dist::iter().all(|f| !f.ends_with(".map")),
            "no source map is embedded"
        );
    }
}
