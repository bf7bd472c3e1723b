//! The media path: a publisher's RTP packet → each subscriber's outgoing
//! stream, with rewritten numbers; keyframe requests the other way.

use std::time::Instant;

use str0m::media::{KeyframeRequestKind, MediaKind as StrMediaKind};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite};
use str0m::{Event, IceConnectionState};
use tafelrunde_protocol::{ByeReason, MediaKind, ParticipantId, TrackId};
use tracing::{debug, info};

use super::codec::starts_keyframe;
use super::participant::subscriber_pt;
use super::rewrite::RtpRewriter;
use super::Shard;

impl Shard {
    pub(super) fn handle_event(&mut self, now: Instant, id: ParticipantId, event: Event) {
        match event {
            Event::RtpPacket(packet) => self.forward(now, id, packet),
            Event::KeyframeRequest(request) => {
                let track = self
                    .participants
                    .get(&id)
                    .and_then(|p| p.outgoing.get(&request.mid))
                    .and_then(|out| out.track);
                if let Some(track) = track {
                    self.request_keyframe(now, track, false);
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
        let Some(source) = self.participants.get_mut(&publisher) else { return };
        let ssrc = packet.header.ssrc;
        let Some(mid) = source.rtc.direct_api().stream_rx(&ssrc).map(|s| s.mid()) else { return };
        let Some(track_id) = source.published.get(&mid).copied() else { return };
        let Some(codec) = source.incoming_codec(packet.header.payload_type) else { return };
        let Some(track) = self.tracks.get_mut(&track_id) else { return };

        let keyframe = codec.video.is_some_and(|c| starts_keyframe(c, &packet.payload));
        if keyframe {
            track.keyframes.keyframe_received();
            self.keyframe_timers.remove(track_id);
        }
        let kind = track.kind;
        let clock_rate = codec.params.spec().clock_rate.get();
        let ext_vals = ExtensionValues {
            audio_level: packet.header.ext_vals.audio_level,
            voice_activity: packet.header.ext_vals.voice_activity,
            video_orientation: packet.header.ext_vals.video_orientation,
            ..Default::default()
        };

        let subscribers = track.subscribers.clone();
        let mut need_keyframe = false;
        for (subscriber, out_mid) in subscribers {
            let Some(sub) = self.participants.get_mut(&subscriber) else { continue };
            let Some(out) = sub.outgoing.get_mut(&out_mid) else { continue };
            if out.track != Some(track_id) {
                continue;
            }
            if out.waiting_for_keyframe && kind == MediaKind::Video {
                if !keyframe {
                    need_keyframe = true;
                    continue;
                }
                out.waiting_for_keyframe = false;
            }
            let Some(pt) = subscriber_pt(&sub.rtc, out, packet.header.payload_type, &codec.params) else {
                continue;
            };
            let rewriter = out.rewriter.get_or_insert_with(|| RtpRewriter::new(clock_rate));
            let Some(numbers) = rewriter.rewrite(*ssrc, *packet.seq_no, packet.header.timestamp, now) else {
                continue;
            };
            let write = RtpWrite::new(pt, numbers.seq.into(), numbers.timestamp, packet.timestamp, packet.payload.clone())
                .marker(packet.header.marker)
                .ext_vals(ext_vals.clone())
                .nackable(kind == MediaKind::Video);
            let written = self.call_rtc(subscriber, |rtc| match rtc.direct_api().stream_tx_by_mid(out_mid, None) {
                Some(tx) => {
                    tx.write_rtp(write);
                    true
                }
                None => false,
            });
            if written == Some(true) {
                self.dirty.push(subscriber);
            }
        }
        if need_keyframe {
            self.request_keyframe(now, track_id, false);
        }
    }

    /// Ask the publisher of `track` for a keyframe, throttled. `due` is set
    /// when a deferred request's time has come.
    pub(super) fn request_keyframe(&mut self, now: Instant, track_id: TrackId, due: bool) {
        let Some(track) = self.tracks.get_mut(&track_id) else { return };
        if track.kind != MediaKind::Video {
            return;
        }
        let send = if due { track.keyframes.handle_timeout(now) } else { track.keyframes.request(now) };
        if let Some(at) = track.keyframes.poll_timeout() {
            self.keyframe_timers.set(track_id, at);
        }
        if !send {
            return;
        }
        let (owner, mid) = (track.owner, track.mid);
        debug!(participant = %owner, track = %track_id, "requesting keyframe");
        let sent = self.call_rtc(owner, |rtc| {
            let is_video = rtc.media(mid).is_some_and(|m| m.kind() == StrMediaKind::Video);
            if let Some(rx) = rtc.direct_api().stream_rx_by_mid(mid, None).filter(|_| is_video) {
                rx.request_keyframe(KeyframeRequestKind::Pli);
            }
        });
        if sent.is_some() {
            self.dirty.push(owner);
        }
    }
}
