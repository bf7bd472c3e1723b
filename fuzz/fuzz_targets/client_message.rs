//! Every signaling frame a browser can send is parsed without panicking.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tafelrunde_protocol::parse_client_message(text);
    }
});
