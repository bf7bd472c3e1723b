//! Who is in which room, and what they publish and receive: join, offer,
//! mute, leave. The shard is the authority; every change is told to the
//! room's other members.

use std::collections::HashMap;
use std::time::Instant;

use rustc_hash::FxHashMap;
use str0m::bwe::Bitrate;
use str0m::change::SdpOffer;
use str0m::media::Mid;
use str0m::net::TcpType;
use str0m::{Candidate, Rtc};
use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, MediaKind, ParticipantId, ProtocolError, PublishedTrack,
    ServerMessage, Subscription, TrackId, TrackSource, PROTOCOL_VERSION,
};
use tracing::{info, warn};

use super::down_track::DownTrack;
use super::moderation::{Entered, Entry, Moderation};
use super::peer::Peer;
use super::policy::INITIAL_DOWNLINK_KBPS;
use super::room::{Room, RoomId};
use super::sdp_check::{check_layers, offered_media};
use super::track::Track;
use super::Shard;

/// Tiles a client may report in one `layout`.
const MAX_TILES: usize = 500;

impl Shard {
    pub(super) fn join(
        &mut self,
        now: Instant,
        id: ParticipantId,
        room_name: String,
        name: String,
        entry: Entry,
    ) {
        if self.in_room.contains_key(&id) {
            return self.refuse(
                id,
                ProtocolError::field(ErrorCode::AlreadyJoined, "type", "already joined"),
            );
        }
        let existing = self.room_ids.get(&room_name).copied();
        let members = existing
            .and_then(|r| self.rooms.get(r))
            .map_or(0, |r| r.media.peers.len());
        if members >= self.config.max_room_size {
            let message = format!(
                "the room is full ({} participants)",
                self.config.max_room_size
            );
            return self.refuse(id, ProtocolError::new(ErrorCode::RoomFull, message));
        }
        self.next_tick.get_or_insert(now + super::policy::TICK);
        let grace = self.config.owner_grace;
        let room_id = match existing {
            Some(key) => key,
            None => {
                let moderation = Moderation::new(entry.kind, entry.lobby, grace);
                let key = self.rooms.insert(Room::new(room_name.clone(), moderation));
                self.room_ids.insert(room_name, key);
                key
            }
        };
        let room = &mut self.rooms[room_id];
        let mut effects = Vec::new();
        let entered = room.moderation.enter(now, id, &name, &entry, &mut effects);
        match entered {
            Entered::Admitted => self.admit(now, id, room_id),
            Entered::Waiting(_) => {
                self.in_room.insert(id, room_id);
            }
            Entered::Refused(error) => {
                self.refuse(id, error);
                self.drop_room_if_idle(room_id);
                return;
            }
        }
        self.apply(now, room_id, effects);
    }

    /// Someone the moderation let in: create the media connection, send
    /// `joined`, tell the others.
    pub(super) fn admit(&mut self, now: Instant, id: ParticipantId, room_id: RoomId) {
        let mut rtc = match self.new_rtc(now) {
            Ok(rtc) => rtc,
            Err(e) => {
                warn!(participant = %id, error = %e, "cannot create media connection");
                self.in_room.remove(&id);
                let mut effects = Vec::new();
                if let Some(room) = self.rooms.get_mut(room_id) {
                    room.moderation.leave(now, id, true, &mut effects);
                }
                self.signal(
                    id,
                    ServerMessage::Bye {
                        reason: ByeReason::InternalError,
                    },
                );
                self.apply(now, room_id, effects);
                return;
            }
        };
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let Some(welcome) = room.moderation.welcome(id) else {
            return;
        };
        let ufrag = rtc.direct_api().local_ice_credentials().ufrag;
        let room_name = room.name.clone();
        let tracks = room.track_infos();
        let mut after = Vec::new();
        room.moderation.after_joined(id, &mut after);
        self.by_ufrag.insert(ufrag.clone(), id);
        self.in_room.insert(id, room_id);
        room.media.peers.insert(
            id,
            Peer {
                muted: (welcome.you.audio_muted, welcome.you.video_muted),
                room: room_id,
                rtc,
                ufrag,
                paths: Vec::new(),
                published: FxHashMap::default(),
                outgoing: FxHashMap::default(),
                incoming_codecs: Vec::new(),
                layout: None,
                downlink: None,
                desired: 0,
                queued: false,
            },
        );
        info!(participant = %id, members = welcome.others.len() + 1, "joined");
        let you = welcome.you.clone();
        self.signal(
            id,
            ServerMessage::Joined {
                version: PROTOCOL_VERSION,
                participant_id: id,
                room: room_name,
                participants: welcome.others,
                tracks,
                ice_servers: Vec::new(),
                you: welcome.you,
                settings: welcome.settings,
                chat: welcome.chat,
                hands: welcome.hands,
            },
        );
        self.broadcast(
            room_id,
            id,
            ServerMessage::ParticipantJoined { participant: you },
        );
        // A newcomer learns who speaks now, not only who speaks next.
        let speaker = self.rooms.get(room_id).and_then(|r| r.speakers.dominant());
        if speaker.is_some() {
            self.signal(
                id,
                ServerMessage::DominantSpeaker {
                    participant_id: speaker,
                },
            );
        }
        self.apply(now, room_id, after);
    }

    fn new_rtc(&self, now: Instant) -> Result<Rtc, str0m::error::IceError> {
        let mut builder = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            .set_dtls_cert(self.config.dtls_cert.clone())
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .enable_h264(true);
        if self.config.bandwidth_estimation {
            builder = builder.enable_bwe(Some(Bitrate::kbps(INITIAL_DOWNLINK_KBPS)));
        }
        let mut rtc = builder.build(now);
        rtc.add_local_candidate(Candidate::host(self.config.udp_candidate, "udp")?);
        if let Some(tcp) = self.config.tcp_candidate {
            rtc.add_local_candidate(
                Candidate::builder()
                    .tcp()
                    .host(tcp)
                    .tcptype(TcpType::Passive)
                    .build()?,
            );
        }
        Ok(rtc)
    }

    pub(super) fn message(&mut self, now: Instant, id: ParticipantId, message: ClientMessage) {
        if self.is_waiting(id) {
            return self.message_while_waiting(id, message);
        }
        if self.peer(id).is_none() {
            return;
        }
        if Moderation::handles(&message) {
            return self.moderate(now, id, message);
        }
        match message {
            ClientMessage::Offer {
                sdp,
                publish,
                subscribe,
            } => {
                if let Err(e) = self.offer(now, id, &sdp, &publish, &subscribe) {
                    self.refuse(id, e);
                }
            }
            ClientMessage::Layout { tiles } => {
                if tiles.len() > MAX_TILES {
                    let message = format!("at most {MAX_TILES} tiles");
                    return self.refuse(
                        id,
                        ProtocolError::field(ErrorCode::InvalidField, "tiles", message),
                    );
                }
                let Some(p) = self.peer_mut(id) else {
                    return;
                };
                let tiles = tiles.iter().enumerate();
                p.layout = Some(tiles.map(|(i, t)| (t.track_id, (t.height, i))).collect());
                self.reallocate(now, id);
                self.update_layers_of_subscriptions(now, id);
            }
            ClientMessage::Leave => self.remove(id, Some(ByeReason::Left)),
            ClientMessage::Ping => self.signal(id, ServerMessage::Pong),
            ClientMessage::Join { .. } => self.refuse(
                id,
                ProtocolError::field(ErrorCode::AlreadyJoined, "type", "already joined"),
            ),
            // Handled by the moderation above.
            _ => {}
        }
    }

    /// Apply an offer: check it fully first, then accept it, then update what
    /// the participant publishes and receives.
    fn offer(
        &mut self,
        now: Instant,
        id: ParticipantId,
        sdp: &str,
        publish: &[PublishedTrack],
        subscribe: &[Subscription],
    ) -> Result<(), ProtocolError> {
        let bad = |field: &str, message: String| {
            ProtocolError::field(ErrorCode::InvalidField, field, message)
        };
        let may_share = self
            .room_of(id)
            .and_then(|r| self.rooms.get(r))
            .is_some_and(|r| r.moderation.may_share_screen(id));
        if let Some(i) = publish
            .iter()
            .position(|p| p.source == TrackSource::Screen)
            .filter(|_| !may_share)
        {
            return Err(ProtocolError::field(
                ErrorCode::NotAllowed,
                format!("publish[{i}]"),
                "sharing the screen needs a moderator's permission",
            ));
        }
        let media = offered_media(sdp);
        for (i, p) in publish.iter().enumerate() {
            let m = media.iter().find(|m| m.mid == p.mid).ok_or_else(|| {
                bad(
                    &format!("publish[{i}].mid"),
                    format!("no media section with mid {:?}", p.mid),
                )
            })?;
            if m.kind != Some(p.kind) || !m.direction.sends() {
                return Err(bad(
                    &format!("publish[{i}]"),
                    format!("mid {:?} is not a sending {:?} section", p.mid, p.kind),
                ));
            }
            check_layers(i, p, &m.send_rids)?;
        }
        for (i, s) in subscribe.iter().enumerate() {
            let m = media.iter().find(|m| m.mid == s.mid).ok_or_else(|| {
                bad(
                    &format!("subscribe[{i}].mid"),
                    format!("no media section with mid {:?}", s.mid),
                )
            })?;
            if !m.direction.receives() {
                return Err(bad(
                    &format!("subscribe[{i}]"),
                    format!("mid {:?} does not receive", s.mid),
                ));
            }
        }
        let offer = SdpOffer::from_sdp_string(sdp).map_err(|e| {
            ProtocolError::field(
                ErrorCode::BadSdp,
                "sdp",
                format!("unreadable SDP offer: {e}"),
            )
        })?;

        let answer = match self.call_rtc(id, |rtc| rtc.sdp_api().accept_offer(offer)) {
            Some(Ok(answer)) => answer,
            Some(Err(e)) => {
                return Err(ProtocolError::field(
                    ErrorCode::BadSdp,
                    "sdp",
                    format!("offer not accepted: {e}"),
                ));
            }
            None => return Ok(()),
        };
        self.signal(
            id,
            ServerMessage::Answer {
                sdp: answer.to_sdp_string(),
            },
        );
        self.update_published(now, id, publish);
        self.update_subscriptions(now, id, subscribe);
        self.touch(id);
        Ok(())
    }

    fn update_published(&mut self, now: Instant, id: ParticipantId, publish: &[PublishedTrack]) {
        let Some(room) = self.room_of(id) else {
            return;
        };
        let Some(p) = self
            .rooms
            .get_mut(room)
            .and_then(|r| r.media.peers.get_mut(&id))
        else {
            return;
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
        // In the order the client listed them, so that track ids are stable.
        for spec in publish {
            let mid = Mid::from(spec.mid.as_str());
            if let std::collections::hash_map::Entry::Vacant(slot) = p.published.entry(mid) {
                let track = TrackId(self.next_track);
                self.next_track += 1;
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
                    self.config.keyframe_interval,
                ));
            }
        }
        for (mid, _) in &gone {
            p.published.remove(mid);
        }
        for (_, track) in gone {
            self.remove_track(room, track);
        }
        for track in added {
            let info = track.info();
            if let Some(r) = self.rooms.get_mut(room) {
                r.media.tracks.insert(track.id, track);
            }
            self.broadcast(room, id, ServerMessage::TrackAdded { track: info });
        }
    }

    fn update_subscriptions(
        &mut self,
        now: Instant,
        id: ParticipantId,
        subscribe: &[Subscription],
    ) {
        let Some(room) = self.room_of(id).and_then(|r| self.rooms.get_mut(r)) else {
            return;
        };
        // Only tracks of others in the same room; a track that ended while
        // the offer was on its way is skipped, the client learns of it anyway.
        let tracks = &mut room.media.tracks;
        let wanted: HashMap<Mid, TrackId> = subscribe
            .iter()
            .filter(|s| tracks.get(&s.track_id).is_some_and(|t| t.owner != id))
            .map(|s| (Mid::from(s.mid.as_str()), s.track_id))
            .collect();
        let Some(p) = room.media.peers.get_mut(&id) else {
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
                // target from the allocator below.
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
        self.reallocate(now, id);
        self.update_layers_of_subscriptions(now, id);
    }

    /// Resume layers that `id`'s subscriptions need now.
    fn update_layers_of_subscriptions(&mut self, now: Instant, id: ParticipantId) {
        let (Some(room), Some(p)) = (self.room_of(id), self.peer(id)) else {
            return;
        };
        let tracks: Vec<TrackId> = p.outgoing.values().filter_map(|o| o.track).collect();
        for track in tracks {
            self.update_publish_layers(now, room, track);
        }
    }

    pub(super) fn remove_track(&mut self, room: RoomId, track_id: TrackId) {
        let Some(r) = self.rooms.get_mut(room) else {
            return;
        };
        let Some(track) = r.media.tracks.remove(&track_id) else {
            return;
        };
        for layer in 0..track.layers.len() {
            self.wake.keyframes.remove((room, track_id, layer));
        }
        for (subscriber, mid) in &track.subscribers {
            if let Some(out) = r
                .media
                .peers
                .get_mut(subscriber)
                .and_then(|s| s.outgoing.get_mut(mid))
            {
                out.track = None;
            }
        }
        self.broadcast(room, track.owner, ServerMessage::TrackRemoved { track_id });
    }

    /// Remove a participant: its tracks end, the room is told, and it gets
    /// `bye` (unless its signaling is already gone, `reason: None`).
    pub(super) fn remove(&mut self, id: ParticipantId, reason: Option<ByeReason>) {
        // Only a dropped connection keeps an owner's role for the grace time.
        let on_purpose = !matches!(
            reason,
            None | Some(ByeReason::ConnectionLost | ByeReason::InternalError)
        );
        let now = self.last_now();
        let Some(room_id) = self.room_of(id) else {
            return;
        };
        let Some(mut p) = self
            .rooms
            .get_mut(room_id)
            .and_then(|r| r.media.peers.remove(&id))
        else {
            // Someone waiting: no media connection, no tracks yet.
            self.in_room.remove(&id);
            let mut effects = Vec::new();
            if let Some(room) = self.rooms.get_mut(room_id) {
                room.moderation.leave(now, id, on_purpose, &mut effects);
            }
            if let Some(reason) = reason {
                self.signal(id, ServerMessage::Bye { reason });
            }
            self.apply(now, room_id, effects);
            self.drop_room_if_idle(room_id);
            return;
        };
        self.in_room.remove(&id);
        info!(participant = %id, ?reason, "left");
        let _ = p.with_rtc(|rtc| rtc.disconnect());
        self.timers.remove(id);
        self.by_ufrag.remove(&p.ufrag);
        for path in &p.paths {
            self.by_path.remove(path);
        }
        for track in p.published.values() {
            self.remove_track(p.room, *track);
        }
        let mut effects = Vec::new();
        if let Some(room) = self.rooms.get_mut(p.room) {
            for (mid, out) in &p.outgoing {
                if let Some(t) = out.track.and_then(|t| room.media.tracks.get_mut(&t)) {
                    t.subscribers.retain(|s| *s != (id, *mid));
                }
            }
            room.speakers.remove(id);
            room.recent_speakers.retain(|s| *s != id);
            room.moderation.leave(now, id, on_purpose, &mut effects);
        }
        self.broadcast(
            p.room,
            id,
            ServerMessage::ParticipantLeft { participant_id: id },
        );
        if let Some(reason) = reason {
            self.signal(id, ServerMessage::Bye { reason });
        }
        self.apply(now, p.room, effects);
        self.drop_room_if_idle(p.room);
    }

    pub(super) fn refuse(&mut self, id: ParticipantId, error: ProtocolError) {
        self.signal(id, error.to_message());
    }
}
