//! Just enough of the VP8 and H.264 RTP payload formats to see where a
//! keyframe starts: a new subscriber is started there, so its decoder never
//! sees a frame that refers to one it did not get.
//!
//! Network input: every function here returns `false` for anything it does
//! not understand and never panics (see the fuzz target `keyframe`).

use str0m::rtp::Vp8Descriptor;

/// The video codecs the SFU forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoCodec {
    /// VP8 (RFC 7741).
    Vp8,
    /// H.264 (RFC 6184).
    H264,
}

/// Does this RTP payload start a keyframe?
pub fn starts_keyframe(codec: VideoCodec, payload: &[u8]) -> bool {
    match codec {
        VideoCodec::Vp8 => vp8_starts_keyframe(payload),
        VideoCodec::H264 => h264_starts_keyframe(payload),
    }
}

/// VP8 goes through str0m's descriptor parser, the same one the forwarding
/// path uses to rewrite picture numbers.
fn vp8_starts_keyframe(p: &[u8]) -> bool {
    Vp8Descriptor::parse(p).is_ok_and(|d| d.starts_keyframe(p))
}

const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_STAP_A: u8 = 24;
const NAL_FU_A: u8 = 28;

fn h264_starts_keyframe(p: &[u8]) -> bool {
    let Some(&header) = p.first() else {
        return false;
    };
    match header & 0x1f {
        NAL_IDR | NAL_SPS => true,
        NAL_STAP_A => {
            let mut i = 1;
            while i + 2 < p.len() {
                let size = u16::from_be_bytes([p[i], p[i + 1]]) as usize;
                let Some(&nal) = p.get(i + 2) else {
                    return false;
                };
                if size > 0 && matches!(nal & 0x1f, NAL_IDR | NAL_SPS) {
                    return true;
                }
                i += 2 + size;
            }
            false
        }
        NAL_FU_A => p
            .get(1)
            .is_some_and(|fu| fu & 0x80 != 0 && fu & 0x1f == NAL_IDR),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vp8_keyframe_with_picture_id() {
        // X=1 S=1 PID=0 | I=1 | M=1 picture id (2 bytes) | P=0
        assert!(starts_keyframe(
            VideoCodec::Vp8,
            &[0x90, 0x80, 0x81, 0x23, 0x10, 0x02]
        ));
        // same, P=1: an interframe
        assert!(!starts_keyframe(
            VideoCodec::Vp8,
            &[0x90, 0x80, 0x81, 0x23, 0x11, 0x02]
        ));
    }

    #[test]
    fn vp8_keyframe_without_extension() {
        assert!(starts_keyframe(VideoCodec::Vp8, &[0x10, 0x00]));
        // not the start of the partition
        assert!(!starts_keyframe(VideoCodec::Vp8, &[0x00, 0x00]));
    }

    #[test]
    fn vp8_with_all_optional_fields() {
        // X I L T/K, 1-byte picture id, TL0PICIDX, TID byte, then P=0
        assert!(starts_keyframe(
            VideoCodec::Vp8,
            &[0x90, 0xf0, 0x05, 0x01, 0x20, 0x00]
        ));
    }

    #[test]
    fn h264_keyframes() {
        assert!(starts_keyframe(VideoCodec::H264, &[0x65, 0x88]));
        assert!(starts_keyframe(VideoCodec::H264, &[0x67, 0x42]));
        // STAP-A holding SPS (size 2) then PPS
        assert!(starts_keyframe(
            VideoCodec::H264,
            &[0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68]
        ));
        // FU-A start of an IDR, and a continuation
        assert!(starts_keyframe(VideoCodec::H264, &[0x7c, 0x85, 0x00]));
        assert!(!starts_keyframe(VideoCodec::H264, &[0x7c, 0x05, 0x00]));
        // non-IDR slice
        assert!(!starts_keyframe(VideoCodec::H264, &[0x41, 0x9a]));
    }

    #[test]
    fn truncated_input_is_not_a_keyframe_and_does_not_panic() {
        for codec in [VideoCodec::Vp8, VideoCodec::H264] {
            assert!(!starts_keyframe(codec, &[]));
            for len in 0..8 {
                let _ = starts_keyframe(codec, &[0xff; 8][..len]);
                let _ = starts_keyframe(codec, &[0x90, 0xff, 0xff][..len.min(3)]);
                let _ = starts_keyframe(codec, &[0x78, 0xff, 0xff, 0x67][..len.min(4)]);
            }
        }
    }
}
