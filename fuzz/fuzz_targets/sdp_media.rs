//! The offer pre-check reads any text without panicking.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tafelrunde_sfu::core::offered_media(text);
    }
});
