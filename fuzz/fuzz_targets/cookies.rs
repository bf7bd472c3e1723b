//! Reading cookies from `Cookie` headers never panics, and a value found
//! never spans two cookies.
#![no_main]

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Each line is one `Cookie` header, as far as it is a valid header value.
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n').take(8) {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    for name in [
        "tafelrunde_session",
        "tafelrunde_device",
        "tafelrunde_known_device",
        "",
    ] {
        if let Some(value) = tafelrunde::cookies::get(&headers, name) {
            assert!(!value.contains(';'), "{value:?} spans two cookies");
        }
    }
    let _ = tafelrunde::auth::session::secret_from(&headers);
    if let Some(device) = tafelrunde::device::from_headers(&headers) {
        assert_eq!(device.len(), 22);
    }
});
