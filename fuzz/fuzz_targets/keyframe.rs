//! Keyframe detection never panics on any RTP payload.
#![no_main]
use tafelrunde_sfu::core::{starts_keyframe, VideoCodec};
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = starts_keyframe(VideoCodec::Vp8, data);
    let _ = starts_keyframe(VideoCodec::H264, data);
});
