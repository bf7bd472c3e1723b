//! What synthetic publishers send: VP8-shaped video in one or three simulcast
//! layers and Opus-shaped audio, each packet stamped with its send time so a
//! subscriber can measure the added delay on the same clock.
//!
//! The payloads are not decodable, but their headers are what an SFU looks at:
//! the VP8 payload descriptor (with a 15-bit picture id, as browsers send it)
//! and, on the first packet of a keyframe, the VP8 frame tag, start code and
//! picture size (Janus reads those to find keyframes).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The stamp at the end of every payload: magic, send time, packet counter.
pub const STAMP_LEN: usize = 16;
const MAGIC: [u8; 4] = *b"TFB1";
/// Payload bytes per video packet at most (a browser's MTU leaves about this).
pub const MAX_VIDEO_PAYLOAD: usize = 1100;

/// The process-wide epoch the stamps count from; publishers and subscribers
/// live in one process, so both read the same clock.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Write the stamp into the last [`STAMP_LEN`] bytes of `payload`.
pub fn stamp(payload: &mut [u8], sent: Instant, counter: u32) {
    let n = payload.len();
    let ns = sent.saturating_duration_since(epoch()).as_nanos() as u64;
    payload[n - 16..n - 12].copy_from_slice(&MAGIC);
    payload[n - 12..n - 4].copy_from_slice(&ns.to_be_bytes());
    payload[n - 4..].copy_from_slice(&counter.to_be_bytes());
}

/// The send time in a stamped payload, if it carries a stamp.
pub fn read_stamp(payload: &[u8]) -> Option<Instant> {
    let n = payload.len();
    if n < STAMP_LEN || payload[n - 16..n - 12] != MAGIC {
        return None;
    }
    let ns = u64::from_be_bytes(payload[n - 12..n - 4].try_into().ok()?);
    Some(epoch() + Duration::from_nanos(ns))
}

/// One simulcast layer as a browser encodes a 720p camera.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    /// RTP stream id.
    pub rid: &'static str,
    pub width: u16,
    pub height: u16,
    pub bitrate: u32,
    pub fps: u32,
}

/// The three layers, low to high (BENCHMARKS.md: 150 kbit/s, 500 kbit/s, 1.5 Mbit/s).
pub const LAYERS: [Layer; 3] = [
    Layer {
        rid: "q",
        width: 320,
        height: 180,
        bitrate: 150_000,
        fps: 30,
    },
    Layer {
        rid: "h",
        width: 640,
        height: 360,
        bitrate: 500_000,
        fps: 30,
    },
    Layer {
        rid: "f",
        width: 1280,
        height: 720,
        bitrate: 1_500_000,
        fps: 30,
    },
];

/// A shared screen: a separate single-layer track.
pub const SCREEN: Layer = Layer {
    rid: "s",
    width: 1920,
    height: 1080,
    bitrate: 1_000_000,
    fps: 15,
};

/// A layer by its rid.
pub fn layer(rid: &str) -> Option<Layer> {
    LAYERS.iter().copied().find(|l| l.rid == rid)
}

/// The layer a tile of this height needs (what an SFU should pick).
pub fn layer_for_height(height: u32) -> usize {
    match height {
        h if h > 360 => 2,
        h if h > 180 => 1,
        _ => 0,
    }
}

/// A keyframe is this many times the size of an average frame.
const KEYFRAME_FACTOR: usize = 4;

/// The packet payloads of one video frame of `layer`.
pub fn video_frame(
    layer: &Layer,
    picture_id: u16,
    keyframe: bool,
    now: Instant,
    counter: &mut u32,
) -> Vec<Vec<u8>> {
    let average = (layer.bitrate / 8 / layer.fps) as usize;
    let total = if keyframe {
        average * KEYFRAME_FACTOR
    } else {
        average
    };
    let packets = total.div_ceil(MAX_VIDEO_PAYLOAD).max(1);
    let size = (total / packets).max(40);
    let pid = picture_id & 0x7fff;
    (0..packets)
        .map(|i| {
            let mut p = vec![0u8; size];
            // Payload descriptor: X, S on the first packet; I with a 15-bit picture id.
            p[0] = if i == 0 { 0x90 } else { 0x80 };
            p[1] = 0x80;
            p[2] = 0x80 | (pid >> 8) as u8;
            p[3] = pid as u8;
            if i == 0 {
                // Frame tag: P bit 0 for a keyframe, show_frame set.
                p[4] = if keyframe { 0x10 } else { 0x11 };
                p[5] = 0x02;
                p[6] = 0x00;
                if keyframe {
                    p[7..10].copy_from_slice(&[0x9d, 0x01, 0x2a]);
                    p[10..12].copy_from_slice(&layer.width.to_le_bytes());
                    p[12..14].copy_from_slice(&layer.height.to_le_bytes());
                }
            }
            for (j, b) in p.iter_mut().enumerate().skip(14) {
                *b = j as u8;
            }
            *counter = counter.wrapping_add(1);
            stamp(&mut p, now, *counter);
            p
        })
        .collect()
}

/// One 20 ms Opus-shaped packet (about 32 kbit/s).
pub fn audio_packet(now: Instant, counter: &mut u32) -> Vec<u8> {
    let mut p = vec![0x5au8; 80];
    p[0] = 0xfc; // TOC: CELT fullband 20 ms, one frame
    *counter = counter.wrapping_add(1);
    stamp(&mut p, now, *counter);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip() {
        let now = epoch() + Duration::from_millis(1234);
        let mut c = 0;
        let p = audio_packet(now, &mut c);
        assert_eq!(read_stamp(&p), Some(now));
        assert_eq!(read_stamp(&[0u8; 20]), None);
    }

    #[test]
    fn keyframes_are_larger_and_split_at_the_mtu() {
        let mut c = 0;
        let f = layer("f").unwrap();
        let key = video_frame(&f, 7, true, epoch(), &mut c);
        let delta = video_frame(&f, 8, false, epoch(), &mut c);
        assert!(key.len() > delta.len());
        assert!(key.iter().all(|p| p.len() <= MAX_VIDEO_PAYLOAD));
        assert_eq!(key[0][0] & 0x10, 0x10);
        assert_eq!(key[1][0] & 0x10, 0);
        assert_eq!(&key[0][7..10], &[0x9d, 0x01, 0x2a]);
        assert_eq!(delta[0][4] & 1, 1);
        let q = layer("q").unwrap();
        assert_eq!(video_frame(&q, 1, false, epoch(), &mut c).len(), 1);
    }
}
