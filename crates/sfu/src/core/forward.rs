//! The media path: a publisher's RTP packet → each subscriber's outgoing
//! stream, with rewritten numbers and the subscriber's layer; keyframe
//! requests the other way.

use std::time::{Duration, Instant};

use str0m::bwe::BweKind;
use str0m::media::{KeyframeRequestKind, Mid};
use str0m::rtp::{
    ExtensionValues, RtpPacket, RtpWrite, StreamTxQueueInfo, Vp8Descriptor, Vp8Patch,
};
use str0m::{Event, IceConnectionState};
use tafelrunde_protocol::{ByeReason, MediaKind, ParticipantId, TrackId, TrackSource};
use tracing::{debug, info};

use super::codec::{starts_keyframe, VideoCodec};
use super::participant::{
    subscriber_pt, IncomingCodec, Panicked, Participant, DOWN_QUEUE_DELAY, DOWN_QUEUE_PACKETS,
    DOWN_QUEUE_RESUME, RESEND_PACKETS, RESEND_RATIO_CAP, RESEND_WINDOW,
};
use super::rewrite::RtpRewriter;
use super::vp8::Vp8Numbers;
use super::Shard;

impl Shard {
    pub(super) fn handle_event(&mut self, now: Instant, id: ParticipantId, event: Event) {
        match event {
            Event::RtpPacket(packet) => self.forward(now, id, packet),
            Event::KeyframeRequest(request) => {
                let wanted = self
                    .participants
                    .get(&id)
                    .and_then(|p| p.outgoing.get(&request.mid))
                    .and_then(|out| Some((out.track?, out.current?)));
                if let Some((track, layer)) = wanted {
                    self.request_keyframe(now, track, layer, false);
                }
            }
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                if let Some(p) = self.participants.get_mut(&id) {
                    p.downlink = Some(estimate.as_u64());
                }
            }
            Event::IceConnectionStateChange(state) => {
                debug!(participant = %id, ?state, "ICE state");
                if state == IceConnectionState::Disconnected {
                    self.remove(id, Some(ByeReason::ConnectionLost));
                }
            }
            Event::Connected => info!(participant = %id, "media connected"),
            _ => {}
        }
    }

    /// Forward one packet of `publisher` to everyone subscribed to its track.
    fn forward(&mut self, now: Instant, publisher: ParticipantId, packet: RtpPacket) {
        let Some(source) = self.participants.get_mut(&publisher) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        let Some((mid, rid)) = source
            .rtc
            .direct_api()
            .stream_rx(&ssrc)
            .map(|s| (s.mid(), s.rid()))
        else {
            return;
        };
        let Some(track_id) = source.published.get(&mid).copied() else {
            return;
        };
        let Some(codec) = source.incoming_codec(packet.header.payload_type) else {
            return;
        };
        let room = source.room;
        let (audio_muted, video_muted) = source.muted;
        let Some(track) = self.tracks.get_mut(&track_id) else {
            return;
        };
        // A muted participant is silent for everyone, whatever its browser
        // sends: the mute is enforced here, not only shown.
        let muted = match track.kind {
            MediaKind::Audio => audio_muted,
            MediaKind::Video => video_muted,
        };
        if muted && track.source == TrackSource::Device {
            return;
        }
        let Some(layer) = track.layer_of(rid) else {
            return;
        };
        let packet = Incoming::new(packet, track.kind, codec);
        let keyframe = packet.starts_keyframe();
        let kind = track.kind;
        let replay_ready = {
            let l = &mut track.layers[layer];
            l.meter.add(packet.rtp.payload.len());
            l.last_packet = Some(now);
            if keyframe {
                l.keyframes.keyframe_received();
                self.keyframe_timers.remove((track_id, layer));
            }
            l.pictures.replayable(now)
        };
        if let (MediaKind::Audio, Some(level)) = (kind, packet.rtp.header.ext_vals.audio_level) {
            if let Some(room) = self.rooms.get_mut(room) {
                room.speakers.level(publisher, level.unsigned_abs(), now);
            }
        }

        let mut fanout = std::mem::take(&mut self.fanout);
        fanout.clear();
        fanout.extend_from_slice(&track.subscribers);
        let mut need_keyframe = false;
        let mut starts = Vec::new();
        for &(subscriber, out_mid) in &fanout {
            let Some(sub) = self.participants.get_mut(&subscriber) else {
                continue;
            };
            let Some(out) = sub.outgoing.get_mut(&out_mid) else {
                continue;
            };
            if out.track != Some(track_id) {
                continue;
            }
            // Which layer this subscriber gets: the current one until the
            // target layer's next keyframe, then the target.
            if out.target.is_none() {
                out.current = None;
                continue;
            }
            if out.current != Some(layer) {
                if out.target != Some(layer) {
                    continue;
                }
                if kind == MediaKind::Video && !keyframe {
                    // A fresh start need not wait: the picture group so far
                    // is replayed (after this loop). A switch between layers
                    // waits for the target's keyframe.
                    if out.current.is_none() && replay_ready && !out.resync {
                        starts.push((subscriber, out_mid));
                    } else {
                        need_keyframe = true;
                    }
                    continue;
                }
                if out.current.is_none() {
                    // Resuming after a pause (or starting): no gap in the numbers.
                    out.restart();
                }
                out.current = Some(layer);
            }
            let written = write_rtp(sub, out_mid, &packet, None, now);
            need_keyframe |= matches!(written, Ok(Written::Overflowed));
            self.written(subscriber, written);
        }
        self.fanout = fanout;
        for (subscriber, out_mid) in starts {
            self.start_mid_picture(now, track_id, layer, subscriber, out_mid, &packet);
        }
        if kind == MediaKind::Video {
            if let (Some(track), PacketRef::Owned(rtp)) =
                (self.tracks.get_mut(&track_id), packet.rtp)
            {
                track.layers[layer].pictures.push(now, rtp, keyframe);
            }
        }
        if need_keyframe {
            self.request_keyframe(now, track_id, layer, false);
        }
    }

    /// Start a subscriber on a layer between keyframes: the packets since the
    /// last keyframe, then the live one. Their timestamps are squeezed into
    /// the ticks just before the live packet's, so the browser decodes up to
    /// the present at once instead of playing the past behind everyone.
    fn start_mid_picture(
        &mut self,
        now: Instant,
        track_id: TrackId,
        layer: usize,
        subscriber: ParticipantId,
        out_mid: Mid,
        live: &Incoming,
    ) {
        let Some(track) = self.tracks.get_mut(&track_id) else {
            return;
        };
        // Taken out while it is written to the subscriber (a rare event, not
        // per packet), and put back after.
        let pictures = std::mem::take(&mut track.layers[layer].pictures);
        if let Some(cached) = pictures.picture(now) {
            let cached: Vec<&RtpPacket> = cached.collect();
            let stamps: Vec<u32> = cached.iter().map(|p| p.header.timestamp).collect();
            let squeezed = squeeze(&stamps, live.rtp.header.timestamp);
            if let Some(out) = self
                .participants
                .get_mut(&subscriber)
                .and_then(|s| s.outgoing.get_mut(&out_mid))
            {
                out.restart();
                out.current = Some(layer);
            }
            let replayed = cached.iter().zip(squeezed.into_iter().map(Some));
            let packets = replayed
                .map(|(rtp, timestamp)| (Incoming::borrowed(rtp, live), timestamp))
                .chain([(live.reborrow(), None)]);
            for (packet, timestamp) in packets {
                let Some(sub) = self.participants.get_mut(&subscriber) else {
                    break;
                };
                let written = write_rtp(sub, out_mid, &packet, timestamp, now);
                self.written(subscriber, written);
            }
        }
        if let Some(track) = self.tracks.get_mut(&track_id) {
            track.layers[layer].pictures = pictures;
        }
    }

    /// After a write: a subscriber newly queued is driven by the next
    /// flush; one whose connection panicked ends alone.
    fn written(&mut self, subscriber: ParticipantId, written: Result<Written, Panicked>) {
        match written {
            Ok(Written::Queued) => self.dirty.push_back(subscriber),
            Ok(Written::AlreadyQueued | Written::Dropped | Written::Overflowed) => {}
            Err(Panicked) => self.panicked(subscriber),
        }
    }

    /// Ask the publisher of `track` for a keyframe of `layer`, throttled.
    /// `due` is set when a deferred request's time has come.
    pub(super) fn request_keyframe(
        &mut self,
        now: Instant,
        track_id: TrackId,
        layer: usize,
        due: bool,
    ) {
        let Some(track) = self.tracks.get_mut(&track_id) else {
            return;
        };
        if track.kind != MediaKind::Video {
            return;
        }
        let Some(l) = track.layers.get_mut(layer) else {
            return;
        };
        let send = if due {
            l.keyframes.handle_timeout(now)
        } else {
            l.keyframes.request(now)
        };
        if let Some(at) = l.keyframes.poll_timeout() {
            self.keyframe_timers.set((track_id, layer), at);
        }
        if !send {
            return;
        }
        let (owner, mid, rid) = (track.owner, track.mid, l.rid);
        debug!(participant = %owner, track = %track_id, layer, "requesting keyframe");
        let sent = self.call_rtc(owner, |rtc| {
            if let Some(rx) = rtc.direct_api().stream_rx_by_mid(mid, rid) {
                rx.request_keyframe(KeyframeRequestKind::Pli);
            }
        });
        if sent.is_some() {
            self.touch(owner);
        }
    }
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

/// What became of a write into a subscriber's stream.
enum Written {
    /// Written; the subscriber must be queued to be driven.
    Queued,
    /// Written; the subscriber waits to be driven already.
    AlreadyQueued,
    /// Not written (no such stream, no matching payload type, a packet from
    /// before the stream's current source).
    Dropped,
    /// Not written: the subscriber's queue is full. The stream now waits for
    /// a keyframe, which the caller asks for.
    Overflowed,
}

/// Write one packet into a subscriber's stream: its payload type, its
/// continuous numbers and VP8 picture numbers. `timestamp` replaces the
/// packet's RTP timestamp (a replayed packet). Takes the subscriber looked
/// up once by the caller: this runs for every subscriber of every packet.
fn write_rtp(
    sub: &mut Participant,
    out_mid: Mid,
    packet: &Incoming,
    timestamp: Option<u32>,
    now: Instant,
) -> Result<Written, Panicked> {
    let Some(out) = sub.outgoing.get_mut(&out_mid) else {
        return Ok(Written::Dropped);
    };
    let rtp = &*packet.rtp;
    let codec = &packet.codec;
    let Some(pt) = subscriber_pt(&sub.rtc, out, rtp.header.payload_type, &codec.params) else {
        return Ok(Written::Dropped);
    };
    let clock_rate = codec.params.spec().clock_rate.get();
    let rewriter = out
        .rewriter
        .get_or_insert_with(|| RtpRewriter::new(clock_rate));
    let source_ts = timestamp.unwrap_or(rtp.header.timestamp);
    let Some(numbers) = rewriter.rewrite(*rtp.header.ssrc, *rtp.seq_no, source_ts, now) else {
        return Ok(Written::Dropped);
    };
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
        let out_numbers = out.vp8.rewrite(
            *rtp.header.ssrc,
            descriptor.picture_id(),
            descriptor.tl0_pic_idx(),
        );
        if let Some(patch) = vp8_patch(descriptor, out_numbers) {
            write = write.vp8_patch(patch);
        }
    }
    let size_cache = !std::mem::replace(&mut out.resend_cache_sized, true);
    let resync = out.resync;
    let bound = match (packet.kind, resync) {
        (MediaKind::Audio, _) => None,
        (MediaKind::Video, false) => Some(DOWN_QUEUE_DELAY),
        (MediaKind::Video, true) => Some(DOWN_QUEUE_RESUME),
    };
    let written = sub.with_rtc(
        |rtc| match rtc.direct_api().stream_tx_by_mid(out_mid, None) {
            Some(tx) => {
                if size_cache {
                    tx.set_rtx_cache(RESEND_PACKETS, RESEND_WINDOW, RESEND_RATIO_CAP);
                }
                if bound.is_some_and(|b| backlogged(tx.queue_info(), b, now)) {
                    return Some(false);
                }
                tx.write_rtp(write);
                Some(true)
            }
            None => None,
        },
    )?;
    match written {
        None => return Ok(Written::Dropped),
        Some(false) => {
            if let Some(out) = sub.outgoing.get_mut(&out_mid) {
                out.current = None;
                out.resync = true;
            }
            return Ok(Written::Overflowed);
        }
        Some(true) if resync => {
            if let Some(out) = sub.outgoing.get_mut(&out_mid) {
                out.resync = false;
            }
        }
        Some(true) => {}
    }
    Ok(if sub.queue() {
        Written::Queued
    } else {
        Written::AlreadyQueued
    })
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

/// A publisher's packet as the forwarder needs it: the VP8 descriptor is
/// parsed once, for the keyframe and for every subscriber's patch.
struct Incoming<'a> {
    rtp: PacketRef<'a>,
    kind: MediaKind,
    codec: IncomingCodec,
    vp8: Option<Vp8Descriptor>,
}

/// The live packet (owned, it goes to the picture cache afterwards) or a
/// cached one. Not boxed: that would allocate for every packet.
#[allow(clippy::large_enum_variant)]
enum PacketRef<'a> {
    Owned(RtpPacket),
    Borrowed(&'a RtpPacket),
}

impl std::ops::Deref for PacketRef<'_> {
    type Target = RtpPacket;
    fn deref(&self) -> &RtpPacket {
        match self {
            PacketRef::Owned(p) => p,
            PacketRef::Borrowed(p) => p,
        }
    }
}

impl<'a> Incoming<'a> {
    fn new(rtp: RtpPacket, kind: MediaKind, codec: IncomingCodec) -> Self {
        Self::of(PacketRef::Owned(rtp), kind, codec)
    }

    /// A cached packet of the same track as `live`.
    fn borrowed(rtp: &'a RtpPacket, live: &Incoming) -> Self {
        Self::of(PacketRef::Borrowed(rtp), live.kind, live.codec.clone())
    }

    /// The live packet again, borrowed (the replay writes it last).
    fn reborrow(&self) -> Incoming<'_> {
        Incoming {
            rtp: PacketRef::Borrowed(&self.rtp),
            kind: self.kind,
            codec: self.codec.clone(),
            vp8: self.vp8,
        }
    }

    fn of(rtp: PacketRef<'a>, kind: MediaKind, codec: IncomingCodec) -> Self {
        let vp8 = match codec.video {
            Some(VideoCodec::Vp8) => Vp8Descriptor::parse(&rtp.payload).ok(),
            _ => None,
        };
        Self {
            rtp,
            kind,
            codec,
            vp8,
        }
    }

    fn starts_keyframe(&self) -> bool {
        match (&self.vp8, self.codec.video) {
            (Some(descriptor), _) => descriptor.starts_keyframe(&self.rtp.payload),
            (None, Some(VideoCodec::Vp8)) | (None, None) => false,
            (None, Some(c)) => starts_keyframe(c, &self.rtp.payload),
        }
    }
}

/// The timestamps replayed packets get: every earlier frame one tick apart,
/// oldest first, just before the live packet's `live`; packets of the live
/// packet's own frame keep it. Frames are ranked by their age relative to
/// the live packet, not by arrival, so a packet that arrived out of order
/// keeps its frame's timestamp.
fn squeeze(stamps: &[u32], live: u32) -> Vec<u32> {
    // Age in ticks before the live packet (negative: after it, a late live packet).
    let age = |ts: u32| live.wrapping_sub(ts) as i32;
    let mut frames: Vec<i32> = stamps
        .iter()
        .map(|ts| age(*ts))
        .filter(|a| *a != 0)
        .collect();
    frames.sort_unstable_by(|a, b| b.cmp(a));
    frames.dedup();
    stamps
        .iter()
        .map(|ts| match frames.iter().position(|a| *a == age(*ts)) {
            // The oldest of n frames goes n ticks before the live packet.
            Some(rank) => live.wrapping_sub((frames.len() - rank) as u32),
            None => live,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::squeeze;

    #[test]
    fn replayed_frames_are_squeezed_before_the_live_one_in_the_order_of_their_age() {
        // Frames at 0, 3000, 6000; the live packet belongs to 9000, whose
        // first packet is cached already.
        let stamps = [0, 0, 3000, 6000, 6000, 9000];
        assert_eq!(squeeze(&stamps, 9000), [8997, 8997, 8998, 8999, 8999, 9000]);
    }

    #[test]
    fn a_packet_out_of_order_keeps_its_frames_timestamp() {
        // The last packet of frame 3000 arrived after the first of 9000 (the
        // live frame), and one of 6000 before the rest of 3000.
        let stamps = [0, 3000, 6000, 3000, 9000, 3000];
        assert_eq!(squeeze(&stamps, 9000), [8997, 8998, 8999, 8998, 9000, 8998]);
        // A late live packet, older than the cached frames after it: no
        // overflow, and every frame still gets a timestamp of its own before
        // the live one's.
        assert_eq!(squeeze(&[0, 6000, 9000], 3000), [2997, 2998, 2999]);
    }

    #[test]
    fn timestamps_that_wrap_around_are_ranked_by_age() {
        let stamps = [u32::MAX - 2999, 1000, 4000];
        assert_eq!(squeeze(&stamps, 7000), [6997, 6998, 6999]);
    }
}
