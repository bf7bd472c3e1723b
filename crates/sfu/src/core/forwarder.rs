//! The media path of one room: a publisher's RTP packet → its ingress
//! (track and layer) → each subscriber's down-track, with rewritten numbers
//! and the subscriber's layer; keyframe requests the other way.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use str0m::media::{KeyframeRequestKind, Mid};
use str0m::rtp::RtpPacket;
use tafelrunde_protocol::{
    MediaKind, ParticipantId, PublishedTrack, Subscription, TrackId, TrackInfo, TrackSource,
};
use tracing::debug;

use super::down_track::DownTrack;
use super::incoming::{Incoming, PacketRef};
use super::outbox::Outbox;
use super::peer::{Ingress, Panicked, Peer};
use super::room_id::RoomId;
use super::track::Track;

/// The media of one room: its members' connections and the tracks they
/// publish. Forwarding never leaves the room.
#[derive(Default)]
pub struct Forwarder {
    /// Members with a media connection. Who is a member, and in which order
    /// they came, is the moderation's to say; this holds their connections.
    pub peers: FxHashMap<ParticipantId, Peer>,
    /// The tracks its members publish.
    pub tracks: FxHashMap<TrackId, Track>,
}

/// A subscriber that starts on a layer between keyframes.
struct Start {
    track: TrackId,
    layer: usize,
    subscriber: ParticipantId,
    mid: Mid,
}

impl Forwarder {
    /// Forward one packet of `publisher` to everyone subscribed to its
    /// track: ingress → layer choice → each subscriber's down-track. Returns
    /// the audio level of a forwarded audio packet, for speaker detection.
    pub fn forward(
        &mut self,
        room_id: RoomId,
        now: Instant,
        publisher: ParticipantId,
        packet: RtpPacket,
        outbox: &mut Outbox,
    ) -> Option<u8> {
        let source = self.peers.get_mut(&publisher)?;
        let Ingress {
            track: track_id,
            rid,
            codec,
        } = source.ingress(&packet)?;
        let (audio_muted, video_muted) = source.muted;
        let track = self.tracks.get_mut(&track_id)?;
        // A muted participant is silent for everyone, whatever its browser
        // sends: the mute is enforced here, not only shown.
        let muted = match track.kind {
            MediaKind::Audio => audio_muted,
            MediaKind::Video => video_muted,
        };
        if muted && track.source == TrackSource::Device {
            return None;
        }
        let layer = track.layer_of(rid)?;
        let packet = Incoming::new(packet, track.kind, codec);
        let keyframe = packet.starts_keyframe();
        let kind = track.kind;
        let replay_ready = {
            let l = &mut track.layers[layer];
            l.meter.add(packet.rtp.payload.len());
            l.last_packet = Some(now);
            if keyframe {
                l.keyframes.keyframe_received();
                outbox.keyframes.remove((room_id, track_id, layer));
            }
            l.pictures.replayable(now)
        };
        let level = match kind {
            MediaKind::Audio => packet.rtp.header.ext_vals.audio_level,
            MediaKind::Video => None,
        };

        let mut need_keyframe = false;
        let mut starts = Vec::new();
        for &(subscriber, out_mid) in &track.subscribers {
            let Some(sub) = self.peers.get_mut(&subscriber) else {
                continue;
            };
            let Some(out) = sub.outgoing.get_mut(&out_mid) else {
                continue;
            };
            if out.track != Some(track_id) {
                continue;
            }
            // Nothing reaches a member whose connection dropped; when it is
            // back, each video starts afresh, as a tile that came on screen.
            if sub.away.since.is_some() {
                out.current = None;
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
            need_keyframe |= outbox.written(subscriber, sub.write(out_mid, &packet, None, now));
        }
        for (subscriber, out_mid) in starts {
            let start = Start {
                track: track_id,
                layer,
                subscriber,
                mid: out_mid,
            };
            self.start_mid_picture(now, start, &packet, outbox);
        }
        if kind == MediaKind::Video {
            if let (Some(track), PacketRef::Owned(rtp)) =
                (self.tracks.get_mut(&track_id), packet.rtp)
            {
                track.layers[layer].pictures.push(now, rtp, keyframe);
            }
        }
        if need_keyframe {
            self.request_keyframe(room_id, now, track_id, layer, false, outbox);
        }
        level.map(|l| l.unsigned_abs())
    }

    /// Start a subscriber on a layer between keyframes: the packets since the
    /// last keyframe, then the live one. Their timestamps are squeezed into
    /// the ticks just before the live packet's, so the browser decodes up to
    /// the present at once instead of playing the past behind everyone.
    fn start_mid_picture(
        &mut self,
        now: Instant,
        start: Start,
        live: &Incoming,
        outbox: &mut Outbox,
    ) {
        let Start {
            track: track_id,
            layer,
            subscriber,
            mid: out_mid,
        } = start;
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
                let Some(sub) = self.peers.get_mut(&subscriber) else {
                    break;
                };
                let written = sub.write(out_mid, &packet, timestamp, now);
                let panicked = written.is_err();
                outbox.written(subscriber, written);
                if panicked {
                    break;
                }
            }
        }
        if let Some(track) = self.tracks.get_mut(&track_id) {
            track.layers[layer].pictures = pictures;
        }
    }

    /// Ask the publisher of `track` for a keyframe of `layer`, throttled.
    /// `due` is set when a deferred request's time has come.
    pub fn request_keyframe(
        &mut self,
        room_id: RoomId,
        now: Instant,
        track_id: TrackId,
        layer: usize,
        due: bool,
        outbox: &mut Outbox,
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
            outbox.keyframes.set((room_id, track_id, layer), at);
        }
        if !send {
            return;
        }
        let (owner, mid, rid) = (track.owner, track.mid, l.rid);
        debug!(participant = %owner, track = %track_id, layer, "requesting keyframe");
        let Some(peer) = self.peers.get_mut(&owner) else {
            return;
        };
        let sent = peer.with_rtc(|rtc| {
            if let Some(rx) = rtc.direct_api().stream_rx_by_mid(mid, rid) {
                rx.request_keyframe(KeyframeRequestKind::Pli);
            }
        });
        match sent {
            Ok(()) => outbox.touch(owner, peer),
            Err(Panicked) => outbox.panicked.push(owner),
        }
    }
    /// Bring what `id` publishes in line with its offer: transceivers newly
    /// listed become tracks (numbered in the order listed, so that ids are
    /// stable), those no longer listed end. Returns the new tracks' infos and
    /// the ended tracks, which the caller removes with [`Self::remove_track`].
    pub fn publish(
        &mut self,
        now: Instant,
        id: ParticipantId,
        publish: &[PublishedTrack],
        next_track: &mut u64,
        keyframe_interval: Duration,
    ) -> (Vec<TrackInfo>, Vec<TrackId>) {
        let Some(p) = self.peers.get_mut(&id) else {
            return (Vec::new(), Vec::new());
        };
        let wanted: HashMap<Mid, &PublishedTrack> = publish
            .iter()
            .map(|t| (Mid::from(t.mid.as_str()), t))
            .collect();
        let gone: Vec<(Mid, TrackId)> = p
            .published
            .iter()
            .filter(|(mid, _)| !wanted.contains_key(*mid))
            .map(|(m, t)| (*m, *t))
            .collect();
        let mut added = Vec::new();
        for spec in publish {
            let mid = Mid::from(spec.mid.as_str());
            if let Entry::Vacant(slot) = p.published.entry(mid) {
                let track = TrackId(*next_track);
                *next_track += 1;
                slot.insert(track);
                let layers: Vec<(String, u32)> = spec
                    .layers
                    .iter()
                    .map(|l| (l.rid.clone(), l.height))
                    .collect();
                added.push(Track::new(
                    track,
                    id,
                    mid,
                    spec.kind,
                    spec.source,
                    &layers,
                    now,
                    keyframe_interval,
                ));
            }
        }
        for (mid, _) in &gone {
            p.published.remove(mid);
        }
        let infos = added.iter().map(Track::info).collect();
        self.tracks.extend(added.into_iter().map(|t| (t.id, t)));
        (infos, gone.into_iter().map(|(_, t)| t).collect())
    }

    /// Bring what `id` receives in line with its offer. Only tracks of
    /// others count; a track that ended while the offer was on its way is
    /// skipped (the client learns of its end anyway).
    pub fn subscribe(&mut self, id: ParticipantId, subscribe: &[Subscription]) {
        let tracks = &mut self.tracks;
        let wanted: HashMap<Mid, TrackId> = subscribe
            .iter()
            .filter(|s| tracks.get(&s.track_id).is_some_and(|t| t.owner != id))
            .map(|s| (Mid::from(s.mid.as_str()), s.track_id))
            .collect();
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        let mut started = Vec::new();
        let mut stopped = Vec::new();
        for (mid, out) in p.outgoing.iter_mut() {
            if out.track.is_some() && out.track != wanted.get(mid).copied() {
                stopped.push((out.track.take().expect("some"), *mid));
            }
        }
        for (mid, track) in &wanted {
            let out = p.outgoing.entry(*mid).or_insert_with(DownTrack::new);
            if out.track != Some(*track) {
                let audio = tracks
                    .get(track)
                    .is_some_and(|t| t.kind == MediaKind::Audio);
                out.track = Some(*track);
                out.current = None;
                // Audio has one layer and needs no keyframe; video gets its
                // target from the layer policy.
                out.target = audio.then_some(0);
                started.push((*track, *mid));
            }
        }
        for (track, mid) in stopped {
            if let Some(t) = tracks.get_mut(&track) {
                t.subscribers.retain(|s| *s != (id, mid));
            }
        }
        for (track, mid) in started {
            if let Some(t) = tracks.get_mut(&track) {
                t.subscribers.push((id, mid));
            }
        }
    }

    /// End a track: its deferred keyframe requests are dropped and its
    /// subscribers' down-tracks fall silent. Returns it, for its owner.
    pub fn remove_track(
        &mut self,
        room_id: RoomId,
        track_id: TrackId,
        outbox: &mut Outbox,
    ) -> Option<Track> {
        let track = self.tracks.remove(&track_id)?;
        for layer in 0..track.layers.len() {
            outbox.keyframes.remove((room_id, track_id, layer));
        }
        for (subscriber, mid) in &track.subscribers {
            if let Some(out) = self
                .peers
                .get_mut(subscriber)
                .and_then(|s| s.outgoing.get_mut(mid))
            {
                out.track = None;
            }
        }
        Some(track)
    }

    /// Take `id`'s screen shares off its published transceivers; the caller
    /// ends the returned tracks.
    pub fn unpublish_screens(&mut self, id: ParticipantId) -> Vec<TrackId> {
        let Some(p) = self.peers.get_mut(&id) else {
            return Vec::new();
        };
        let tracks = &self.tracks;
        let is_screen = |t: &TrackId| {
            tracks
                .get(t)
                .is_some_and(|t| t.source == TrackSource::Screen)
        };
        let screens: Vec<(Mid, TrackId)> = p
            .published
            .iter()
            .filter(|(_, t)| is_screen(t))
            .map(|(m, t)| (*m, *t))
            .collect();
        for (mid, _) in &screens {
            p.published.remove(mid);
        }
        screens.into_iter().map(|(_, t)| t).collect()
    }

    /// A peer that left no longer receives anything.
    pub fn unsubscribe_all(&mut self, id: ParticipantId, peer: &Peer) {
        for (mid, out) in &peer.outgoing {
            if let Some(t) = out.track.and_then(|t| self.tracks.get_mut(&t)) {
                t.subscribers.retain(|s| *s != (id, *mid));
            }
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
