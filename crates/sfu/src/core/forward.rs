//! The media path: a publisher's RTP packet → each subscriber's outgoing
//! stream, with rewritten numbers and the subscriber's layer; keyframe
//! requests the other way.

use std::time::Instant;

use str0m::bwe::BweKind;
use str0m::media::{KeyframeRequestKind, Mid};
use str0m::rtp::RtpPacket;
use str0m::{Event, IceConnectionState};
use tafelrunde_protocol::{ByeReason, MediaKind, ParticipantId, TrackId, TrackSource};
use tracing::{debug, info};

use super::incoming::{Incoming, PacketRef};
use super::peer::{Panicked, Written};
use super::room::RoomId;
use super::Shard;

impl Shard {
    pub(super) fn handle_event(&mut self, now: Instant, id: ParticipantId, event: Event) {
        match event {
            Event::RtpPacket(packet) => self.forward(now, id, packet),
            Event::KeyframeRequest(request) => {
                let wanted = self
                    .peer(id)
                    .and_then(|p| p.outgoing.get(&request.mid))
                    .and_then(|out| Some((out.track?, out.current?)));
                if let (Some((track, layer)), Some(room)) = (wanted, self.room_of(id)) {
                    self.request_keyframe(now, room, track, layer, false);
                }
            }
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                if let Some(p) = self.peer_mut(id) {
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
        let Some(room_id) = self.room_of(publisher) else {
            return;
        };
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let Some(source) = room.peers.get_mut(&publisher) else {
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
        let (audio_muted, video_muted) = source.muted;
        let Some(track) = room.tracks.get_mut(&track_id) else {
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
                self.keyframe_timers.remove((room_id, track_id, layer));
            }
            l.pictures.replayable(now)
        };
        if let (MediaKind::Audio, Some(level)) = (kind, packet.rtp.header.ext_vals.audio_level) {
            room.speakers.level(publisher, level.unsigned_abs(), now);
        }

        let mut fanout = std::mem::take(&mut self.fanout);
        fanout.clear();
        fanout.extend_from_slice(&track.subscribers);
        let mut need_keyframe = false;
        let mut starts = Vec::new();
        let mut panicked = Vec::new();
        for &(subscriber, out_mid) in &fanout {
            let Some(sub) = room.peers.get_mut(&subscriber) else {
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
            match sub.write(out_mid, &packet, None, now) {
                Ok(Written::Queued) => self.dirty.push_back(subscriber),
                Ok(Written::Overflowed) => need_keyframe = true,
                Ok(Written::AlreadyQueued | Written::Dropped) => {}
                Err(Panicked) => panicked.push(subscriber),
            }
        }
        self.fanout = fanout;
        for subscriber in panicked {
            self.panicked(subscriber);
        }
        for (subscriber, out_mid) in starts {
            self.start_mid_picture(now, room_id, track_id, layer, subscriber, out_mid, &packet);
        }
        if kind == MediaKind::Video {
            let track = self
                .rooms
                .get_mut(room_id)
                .and_then(|r| r.tracks.get_mut(&track_id));
            if let (Some(track), PacketRef::Owned(rtp)) = (track, packet.rtp) {
                track.layers[layer].pictures.push(now, rtp, keyframe);
            }
        }
        if need_keyframe {
            self.request_keyframe(now, room_id, track_id, layer, false);
        }
    }

    /// Start a subscriber on a layer between keyframes: the packets since the
    /// last keyframe, then the live one. Their timestamps are squeezed into
    /// the ticks just before the live packet's, so the browser decodes up to
    /// the present at once instead of playing the past behind everyone.
    #[allow(clippy::too_many_arguments)] // one call site, each argument named there
    fn start_mid_picture(
        &mut self,
        now: Instant,
        room_id: RoomId,
        track_id: TrackId,
        layer: usize,
        subscriber: ParticipantId,
        out_mid: Mid,
        live: &Incoming,
    ) {
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let Some(track) = room.tracks.get_mut(&track_id) else {
            return;
        };
        // Taken out while it is written to the subscriber (a rare event, not
        // per packet), and put back after.
        let mut panicked = false;
        let pictures = std::mem::take(&mut track.layers[layer].pictures);
        if let Some(cached) = pictures.picture(now) {
            let cached: Vec<&RtpPacket> = cached.collect();
            let stamps: Vec<u32> = cached.iter().map(|p| p.header.timestamp).collect();
            let squeezed = squeeze(&stamps, live.rtp.header.timestamp);
            if let Some(out) = room
                .peers
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
                let Some(sub) = room.peers.get_mut(&subscriber) else {
                    break;
                };
                match sub.write(out_mid, &packet, timestamp, now) {
                    Ok(Written::Queued) => self.dirty.push_back(subscriber),
                    Ok(_) => {}
                    Err(Panicked) => {
                        panicked = true;
                        break;
                    }
                }
            }
        }
        if let Some(track) = room.tracks.get_mut(&track_id) {
            track.layers[layer].pictures = pictures;
        }
        if panicked {
            self.panicked(subscriber);
        }
    }

    /// Ask the publisher of `track` for a keyframe of `layer`, throttled.
    /// `due` is set when a deferred request's time has come.
    pub(super) fn request_keyframe(
        &mut self,
        now: Instant,
        room_id: RoomId,
        track_id: TrackId,
        layer: usize,
        due: bool,
    ) {
        let Some(track) = self
            .rooms
            .get_mut(room_id)
            .and_then(|r| r.tracks.get_mut(&track_id))
        else {
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
            self.keyframe_timers.set((room_id, track_id, layer), at);
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
