//! The media path: a publisher's RTP packet → each subscriber's outgoing
//! stream, with rewritten numbers and the subscriber's layer; keyframe
//! requests the other way.

use std::time::Instant;

use str0m::bwe::BweKind;
use str0m::media::KeyframeRequestKind;
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite, Vp8Descriptor, Vp8Patch};
use str0m::{Event, IceConnectionState};
use tafelrunde_protocol::{ByeReason, MediaKind, ParticipantId, TrackId, TrackSource};
use tracing::{debug, info};

use super::codec::{starts_keyframe, VideoCodec};
use super::participant::{subscriber_pt, RESEND_PACKETS, RESEND_RATIO_CAP, RESEND_WINDOW};
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

        // The VP8 descriptor is parsed once per packet: for the keyframe and
        // for every subscriber's picture-number patch.
        let vp8 = match codec.video {
            Some(VideoCodec::Vp8) => Vp8Descriptor::parse(&packet.payload).ok(),
            _ => None,
        };
        let keyframe = match (&vp8, codec.video) {
            (Some(descriptor), _) => descriptor.starts_keyframe(&packet.payload),
            (None, Some(VideoCodec::Vp8)) | (None, None) => false,
            (None, Some(c)) => starts_keyframe(c, &packet.payload),
        };
        let kind = track.kind;
        {
            let l = &mut track.layers[layer];
            l.meter.add(packet.payload.len());
            l.last_packet = Some(now);
            if keyframe {
                l.keyframes.keyframe_received();
                self.keyframe_timers.remove((track_id, layer));
            }
        }
        if let (MediaKind::Audio, Some(level)) = (kind, packet.header.ext_vals.audio_level) {
            if let Some(room) = self.rooms.get_mut(room) {
                room.speakers.level(publisher, level.unsigned_abs(), now);
            }
        }
        let clock_rate = codec.params.spec().clock_rate.get();
        let ext_vals = ExtensionValues {
            audio_level: packet.header.ext_vals.audio_level,
            voice_activity: packet.header.ext_vals.voice_activity,
            video_orientation: packet.header.ext_vals.video_orientation,
            ..Default::default()
        };

        let mut fanout = std::mem::take(&mut self.fanout);
        fanout.clear();
        fanout.extend_from_slice(&track.subscribers);
        let mut need_keyframe = false;
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
                    need_keyframe = true;
                    continue;
                }
                if out.current.is_none() {
                    // Resuming after a pause (or starting): no gap in the numbers.
                    if let Some(rewriter) = &mut out.rewriter {
                        rewriter.rebase();
                    }
                    out.vp8.rebase();
                }
                out.current = Some(layer);
            }
            let Some(pt) = subscriber_pt(&sub.rtc, out, packet.header.payload_type, &codec.params)
            else {
                continue;
            };
            let rewriter = out
                .rewriter
                .get_or_insert_with(|| RtpRewriter::new(clock_rate));
            let Some(numbers) =
                rewriter.rewrite(*ssrc, *packet.seq_no, packet.header.timestamp, now)
            else {
                continue;
            };
            let mut write = RtpWrite::new(
                pt,
                numbers.seq.into(),
                numbers.timestamp,
                packet.timestamp,
                packet.payload.clone(),
            )
            .marker(packet.header.marker)
            .ext_vals(ext_vals.clone())
            .nackable(kind == MediaKind::Video);
            if let Some(descriptor) = &vp8 {
                let out_numbers =
                    out.vp8
                        .rewrite(*ssrc, descriptor.picture_id(), descriptor.tl0_pic_idx());
                if let Some(patch) = vp8_patch(descriptor, out_numbers) {
                    write = write.vp8_patch(patch);
                }
            }
            let size_cache = !std::mem::replace(&mut out.resend_cache_sized, true);
            let written = self.call_rtc(subscriber, |rtc| {
                match rtc.direct_api().stream_tx_by_mid(out_mid, None) {
                    Some(tx) => {
                        if size_cache {
                            tx.set_rtx_cache(RESEND_PACKETS, RESEND_WINDOW, RESEND_RATIO_CAP);
                        }
                        tx.write_rtp(write);
                        true
                    }
                    None => false,
                }
            });
            if written == Some(true) {
                self.touch(subscriber);
            }
        }
        self.fanout = fanout;
        if need_keyframe {
            self.request_keyframe(now, track_id, layer, false);
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
