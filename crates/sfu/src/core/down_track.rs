//! One subscriber's copy of one track: which layer it gets, how its
//! numbers run, and the bound on its queue.

use std::time::{Duration, Instant};

use str0m::format::PayloadParams;
use str0m::media::Pt;
use str0m::rtp::{ExtensionValues, RtpWrite, StreamTx, StreamTxQueueInfo, Vp8Descriptor, Vp8Patch};
use str0m::Rtc;
use tafelrunde_protocol::{MediaKind, TrackId};

use super::incoming::Incoming;
use super::rewrite::RtpRewriter;
use super::vp8::{Vp8Numbers, Vp8Rewriter};

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
pub struct DownTrack {
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

impl DownTrack {
    /// Forwarding starts or resumes: the next packet continues the numbers
    /// where they stopped, whatever source it comes from.
    pub fn restart(&mut self) {
        if let Some(rewriter) = &mut self.rewriter {
            rewriter.rebase();
        }
        self.vp8.rebase();
    }

    /// A transceiver that carries nothing yet.
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

    /// This subscriber's payload type for a publisher's codec (cached).
    fn payload_type(&mut self, rtc: &Rtc, incoming_pt: Pt, params: &PayloadParams) -> Option<Pt> {
        if let Some((_, pt)) = self.pt_map.iter().find(|(p, _)| *p == incoming_pt) {
            return *pt;
        }
        let pt = rtc.codec_config().match_params(*params).map(|p| p.pt());
        self.pt_map.push((incoming_pt, pt));
        pt
    }

    /// The packet as this subscriber receives it: its payload type, its
    /// continuous numbers and VP8 picture numbers. `timestamp` replaces the
    /// packet's RTP timestamp (a replayed packet). `None`: not for this
    /// subscriber (no matching payload type, or from before the stream's
    /// current source).
    pub fn prepare(
        &mut self,
        rtc: &Rtc,
        packet: &Incoming,
        timestamp: Option<u32>,
        now: Instant,
    ) -> Option<RtpWrite> {
        let rtp = &*packet.rtp;
        let codec = &packet.codec;
        let pt = self.payload_type(rtc, rtp.header.payload_type, &codec.params)?;
        let clock_rate = codec.params.spec().clock_rate.get();
        let rewriter = self
            .rewriter
            .get_or_insert_with(|| RtpRewriter::new(clock_rate));
        let source_ts = timestamp.unwrap_or(rtp.header.timestamp);
        let numbers = rewriter.rewrite(*rtp.header.ssrc, *rtp.seq_no, source_ts, now)?;
        let ext_vals = ExtensionValues {
            audio_level: rtp.header.ext_vals.audio_level,
            voice_activity: rtp.header.ext_vals.voice_activity,
            video_orientation: rtp.header.ext_vals.video_orientation,
            ..Default::default()
        };
        let mut write = RtpWrite::new(
            pt,
            numbers.seq.into(),
            numbers.timestamp,
            rtp.timestamp,
            rtp.payload.clone(),
        )
        .marker(rtp.header.marker)
        .ext_vals(ext_vals)
        .nackable(packet.kind == MediaKind::Video);
        if let Some(descriptor) = &packet.vp8 {
            let out_numbers = self.vp8.rewrite(
                *rtp.header.ssrc,
                descriptor.picture_id(),
                descriptor.tl0_pic_idx(),
            );
            if let Some(patch) = vp8_patch(descriptor, out_numbers) {
                write = write.vp8_patch(patch);
            }
        }
        Some(write)
    }

    /// Write a prepared packet into str0m's stream of this transceiver,
    /// within the queue's bound. The first write sizes the resend cache.
    pub fn send(
        &mut self,
        tx: &mut StreamTx,
        kind: MediaKind,
        write: RtpWrite,
        now: Instant,
    ) -> Sent {
        if !std::mem::replace(&mut self.resend_cache_sized, true) {
            tx.set_rtx_cache(RESEND_PACKETS, RESEND_WINDOW, RESEND_RATIO_CAP);
        }
        let bound = match (kind, self.resync) {
            (MediaKind::Audio, _) => None,
            (MediaKind::Video, false) => Some(DOWN_QUEUE_DELAY),
            (MediaKind::Video, true) => Some(DOWN_QUEUE_RESUME),
        };
        if bound.is_some_and(|b| backlogged(tx.queue_info(), b, now)) {
            self.current = None;
            self.resync = true;
            return Sent::Overflowed;
        }
        tx.write_rtp(write);
        self.resync = false;
        Sent::Written
    }
}

/// What [`DownTrack::send`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// In str0m's queue.
    Written,
    /// Not written: the queue is full. The stream now waits for a keyframe,
    /// which the caller asks for.
    Overflowed,
}

/// The descriptor patch for rewritten numbers. PictureID keeps its 7- or
/// 15-bit form: a 7-bit one is rewritten within 7 bits.
fn vp8_patch(descriptor: &Vp8Descriptor, numbers: Vp8Numbers) -> Option<Vp8Patch> {
    let build = |picture_id: Option<u16>| {
        let mut builder = descriptor.patch();
        if let Some(p) = picture_id {
            builder = builder.picture_id(p);
        }
        if let Some(t) = numbers.tl0_pic_idx {
            builder = builder.tl0_pic_idx(t);
        }
        builder.build()
    };
    build(numbers.picture_id)
        .or_else(|_| build(numbers.picture_id.map(|p| p & 0x7f)))
        .ok()
}

/// Whether a subscriber's stream holds more than `bound` of queued media
/// (by the age of its oldest unsent packet), or [`DOWN_QUEUE_PACKETS`].
/// str0m samples the queue at each pacer step; no sample means no queue yet.
fn backlogged(queue: Option<&dyn StreamTxQueueInfo>, bound: Duration, now: Instant) -> bool {
    queue.is_some_and(|q| {
        q.packet_count() >= DOWN_QUEUE_PACKETS
            || q.first_unsent()
                .is_some_and(|first| now.saturating_duration_since(first) > bound)
    })
}
