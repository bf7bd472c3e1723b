//! str0m's SDP parser reads any text without panicking. The shard calls it
//! on every offer after our pre-check (`sdp_media`), outside the
//! per-participant panic guard: a panic there would end the whole shard.
//! Slow unoptimised (a few hundred inputs in a CI run); run it longer by
//! hand (fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = str0m::change::SdpOffer::from_sdp_string(text);
    }
});
