//! One participant's media connection: its str0m `Rtc` and what it sends and
//! receives on which transceiver.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use rustc_hash::FxHashMap;
use str0m::format::PayloadParams;
use str0m::media::{Mid, Pt};
use str0m::net::Protocol;
use str0m::Rtc;
use tafelrunde_protocol::TrackId;

use super::codec::VideoCodec;
use super::rewrite::RtpRewriter;
use super::room::RoomId;
use super::vp8::Vp8Rewriter;

/// At most this many network paths per participant (ICE may try a few).
pub const MAX_PATHS: usize = 8;
/// How far back a subscriber's lost packets are resent: half a second, as
/// Janus' `min_nack_queue`. A resend older than that comes after the
/// browser's jitter buffer gave up on it (and asked for a keyframe) on any
/// path with a round trip under 250 ms; str0m's default of 3 s only costs
/// memory: one cache entry per packet per subscriber per stream, some 60 KiB
/// per video a pupil sees at this window.
pub const RESEND_WINDOW: Duration = Duration::from_millis(500);
/// At most this many packets in that window: half a second of a 720p layer
/// at 2.5 Mbit/s is about 125 packets (str0m's default is 1024).
pub const RESEND_PACKETS: usize = 150;
/// How far one subscriber's copy of a video may fall behind in its queue
/// (str0m's pacer holds what its downlink estimate does not let through).
/// Beyond it the video is dropped up to the next keyframe, and one is asked
/// for: a pupil on a weak link sees a fresh picture after a pause, not one
/// that drifts seconds behind (str0m alone drains only at 2 s). Audio is
/// never paced, so it never waits here behind video.
pub const DOWN_QUEUE_DELAY: Duration = Duration::from_millis(300);
/// The same bound in packets, for a queue that fills faster than it ages.
pub const DOWN_QUEUE_PACKETS: usize = 256;
/// After an overflow, forwarding resumes at a keyframe only when what is
/// still queued is this young; otherwise it waits for the next keyframe.
pub const DOWN_QUEUE_RESUME: Duration = Duration::from_millis(100);
/// Resends are dropped while they exceed this share of what a subscriber is
/// sent (str0m's default): a link that loses more needs a lower layer, not
/// more resends.
pub const RESEND_RATIO_CAP: Option<f32> = Some(0.15);

/// An outgoing transceiver: which track it carries and how its numbers run.
#[derive(Debug)]
pub struct OutStream {
    /// The track forwarded on it, if any.
    pub track: Option<TrackId>,
    /// Continuous numbering across whatever sources it carried.
    pub rewriter: Option<RtpRewriter>,
    /// Continuous VP8 picture numbers, likewise.
    pub vp8: Vp8Rewriter,
    /// The layer being forwarded; `None` before the first keyframe or while paused.
    pub current: Option<usize>,
    /// The layer the allocator wants; the switch happens at its next keyframe.
    pub target: Option<usize>,
    /// Publisher payload type → this subscriber's payload type.
    pub pt_map: Vec<(Pt, Option<Pt>)>,
    /// str0m's resend cache of the stream was sized ([`RESEND_WINDOW`]).
    pub resend_cache_sized: bool,
    /// The subscriber's queue overflowed ([`DOWN_QUEUE_DELAY`]): video is
    /// dropped until a keyframe finds the queue drained ([`DOWN_QUEUE_RESUME`]).
    pub resync: bool,
}

impl OutStream {
    /// Forwarding starts or resumes: the next packet continues the numbers
    /// where they stopped, whatever source it comes from.
    pub fn restart(&mut self) {
        if let Some(rewriter) = &mut self.rewriter {
            rewriter.rebase();
        }
        self.vp8.rebase();
    }

    pub fn new() -> Self {
        Self {
            track: None,
            rewriter: None,
            vp8: Vp8Rewriter::default(),
            current: None,
            target: None,
            pt_map: Vec::new(),
            resend_cache_sized: false,
            resync: false,
        }
    }
}

/// A participant of a room on this shard.
pub struct Participant {
    /// Drop the camera's and microphone's packets: the participant is muted
    /// (own switch, a moderator, or on arrival). Screen shares are not
    /// affected; they need their own permission. (audio, video)
    pub muted: (bool, bool),
    /// Its room.
    pub room: RoomId,
    /// The WebRTC connection.
    pub rtc: Rtc,
    /// Our ICE ufrag in this connection.
    pub ufrag: String,
    /// Network paths this connection was seen on.
    pub paths: Vec<(Protocol, SocketAddr)>,
    /// Transceivers the browser sends on, and the track each carries.
    pub published: FxHashMap<Mid, TrackId>,
    /// Transceivers the browser receives on.
    pub outgoing: FxHashMap<Mid, OutStream>,
    /// Codec of each incoming payload type, learnt on first use.
    pub incoming_codecs: Vec<(Pt, Option<IncomingCodec>)>,
    /// Visible tiles: their heights and places in the layout; `None` until the first `layout`
    /// (then every video counts as visible and large).
    pub layout: Option<HashMap<TrackId, (u32, usize)>>,
    /// Estimated downlink (str0m's TWCC estimate), bit/s.
    pub downlink: Option<u64>,
    /// What the estimator was last told we would like to send, bit/s.
    pub desired: u64,
    /// Waiting in the shard's queue of connections to drive.
    pub queued: bool,
}

/// What the SFU needs to know about a publisher's payload type.
#[derive(Debug, Clone)]
pub struct IncomingCodec {
    /// The full parameters, to find the subscriber's matching payload type.
    pub params: PayloadParams,
    /// The video codec, for keyframe detection; `None` for audio.
    pub video: Option<VideoCodec>,
}

/// A call into str0m panicked; the participant must end.
#[derive(Debug)]
pub struct Panicked;

impl Participant {
    /// Mark it as waiting to be driven; true when it was not waiting yet (the
    /// caller then puts it in the shard's queue).
    pub fn queue(&mut self) -> bool {
        !std::mem::replace(&mut self.queued, true)
    }

    /// Run `f` on the connection; a panic inside str0m is caught so that it
    /// ends this participant only, never the shard.
    pub fn with_rtc<T>(&mut self, f: impl FnOnce(&mut Rtc) -> T) -> Result<T, Panicked> {
        catch_unwind(AssertUnwindSafe(|| f(&mut self.rtc))).map_err(|_| Panicked)
    }

    /// The codec behind an incoming payload type (cached).
    pub fn incoming_codec(&mut self, pt: Pt) -> Option<IncomingCodec> {
        if let Some((_, codec)) = self.incoming_codecs.iter().find(|(p, _)| *p == pt) {
            return codec.clone();
        }
        let codec = self
            .rtc
            .codec_config()
            .find(|p| p.pt() == pt)
            .map(|params| IncomingCodec {
                params: *params,
                video: match params.spec().codec {
                    str0m::format::Codec::Vp8 => Some(VideoCodec::Vp8),
                    str0m::format::Codec::H264 => Some(VideoCodec::H264),
                    _ => None,
                },
            });
        self.incoming_codecs.push((pt, codec.clone()));
        codec
    }

    /// Remember a network path, up to [`MAX_PATHS`]. Returns false when full.
    pub fn add_path(&mut self, path: (Protocol, SocketAddr)) -> bool {
        if self.paths.contains(&path) {
            return true;
        }
        if self.paths.len() >= MAX_PATHS {
            return false;
        }
        self.paths.push(path);
        true
    }
}

/// This subscriber's payload type for a publisher's codec (cached per stream).
pub fn subscriber_pt(
    rtc: &Rtc,
    out: &mut OutStream,
    incoming_pt: Pt,
    params: &PayloadParams,
) -> Option<Pt> {
    if let Some((_, pt)) = out.pt_map.iter().find(|(p, _)| *p == incoming_pt) {
        return *pt;
    }
    let pt = rtc.codec_config().match_params(*params).map(|p| p.pt());
    out.pt_map.push((incoming_pt, pt));
    pt
}
