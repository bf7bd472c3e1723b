//! An offer's text is read without panicking, in the order the shard reads
//! it: our pre-check of mids and directions, then str0m's SDP parser (which
//! runs outside the per-participant panic guard, so a panic there would end
//! the whole shard).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tafelrunde_sfu::core::offered_media(text);
        let _ = str0m::change::SdpOffer::from_sdp_string(text);
    }
});
