//! A room: its members' media, who speaks, and its moderation. Everything a
//! member does — enter, offer, lay out tiles, moderate, leave — is carried
//! out here, and told to the room's other members; what the shard must do
//! afterwards (drive a connection, route a new ufrag, close a connection)
//! goes into its [`Outbox`].

use std::sync::Arc;
use std::time::Instant;

use str0m::bwe::Bitrate;
use str0m::rtp::RtpPacket;
use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, ParticipantId, ProtocolError, PublishedTrack,
    ServerMessage, Subscription, TileSize, TrackId, TrackInfo, PROTOCOL_VERSION,
};
use tracing::{debug, info, warn};

use super::forwarder::Forwarder;
use super::moderation::{Effect, Entered, Entry, Moderation, Now, Welcome};
use super::outbox::Outbox;
use super::peer::{Link, Panicked, Peer, INITIAL_DOWNLINK_KBPS};
use super::policy::LayerPolicy;
use super::room_id::RoomId;
use super::sdp_check::check_offer;
use super::speaker::SpeakerDetector;
use super::track::Track;
use super::ShardConfig;

/// How many recent speakers are remembered for last-N.
const RECENT_SPEAKERS: usize = 8;
/// Tiles a client may report in one `layout`.
const MAX_TILES: usize = 500;

/// A room: the unit of ownership. It owns its members' media connections,
/// the tracks they publish, who speaks, and its moderation state (roles,
/// lobby, chat, hands); nothing of one room is reachable from another.
pub struct Room {
    /// Its key on the shard.
    pub id: RoomId,
    /// Its name, as the signaling side and the room's link know it.
    pub name: String,
    /// Its members' media connections and tracks.
    pub media: Forwarder,
    /// Roles, permissions, lobby, chat, hands.
    pub moderation: Moderation,
    /// Dominant-speaker detection.
    pub speakers: SpeakerDetector<ParticipantId>,
    /// Recent dominant speakers, most recent first.
    pub recent_speakers: Vec<ParticipantId>,
    /// The shard's settings (room size, keyframe throttle, connections).
    config: Arc<ShardConfig>,
    /// How layers are chosen.
    policy: LayerPolicy,
    /// The next track's id (ids count per room).
    next_track: u64,
}

impl Room {
    /// An empty room.
    pub fn new(id: RoomId, name: String, config: Arc<ShardConfig>, moderation: Moderation) -> Self {
        Self {
            id,
            name,
            media: Forwarder::default(),
            moderation,
            speakers: SpeakerDetector::default(),
            recent_speakers: Vec::new(),
            policy: LayerPolicy::of(&config),
            config,
            next_track: 1,
        }
    }

    /// Nobody in, nobody waiting, nobody expected back: the room can go.
    pub fn is_idle(&self) -> bool {
        self.media.peers.is_empty() && self.moderation.is_idle()
    }

    /// No more members fit in.
    pub fn is_full(&self) -> bool {
        self.media.peers.len() >= self.config.max_room_size
    }

    /// The error for someone who does not fit in.
    pub fn full_error(&self) -> ProtocolError {
        let message = format!(
            "the room is full ({} participants)",
            self.config.max_room_size
        );
        ProtocolError::new(ErrorCode::RoomFull, message)
    }

    /// The tracks published in it, oldest first (for a newcomer's `joined`).
    pub fn track_infos(&self) -> Vec<TrackInfo> {
        let mut tracks: Vec<TrackInfo> = self.media.tracks.values().map(Track::info).collect();
        tracks.sort_unstable_by_key(|t| t.id);
        tracks
    }

    /// Someone became the dominant speaker.
    pub fn spoke(&mut self, who: ParticipantId) {
        self.recent_speakers.retain(|p| *p != who);
        self.recent_speakers.insert(0, who);
        self.recent_speakers.truncate(RECENT_SPEAKERS);
    }

    /// Someone wants in: the moderation decides whether they are in, wait,
    /// or are refused (then they leave the shard at once).
    pub fn enter(
        &mut self,
        now: Instant,
        id: ParticipantId,
        name: &str,
        entry: &Entry,
        out: &mut Outbox,
    ) {
        // The same person, back with a fresh join (a reloaded page, a
        // resume that failed): their old self that waits to reconnect goes,
        // so that nobody sees them twice.
        for old in self.moderation.members_of(&entry.key) {
            if self
                .media
                .peers
                .get(&old)
                .is_some_and(|p| p.away.since.is_some())
            {
                self.leave(now, old, Some(ByeReason::ConnectionLost), out);
            }
        }
        let mut effects = Vec::new();
        match self.moderation.enter(now, id, name, entry, &mut effects) {
            Entered::Admitted => self.admit(now, id, out),
            Entered::Waiting(_) => {}
            Entered::Refused(error) => {
                out.signal(id, error.to_message());
                out.departed.push((id, None));
                return;
            }
        }
        self.apply(now, effects, out);
    }

    /// Someone the moderation let in: create the media connection, send
    /// `joined`, tell the others.
    fn admit(&mut self, now: Instant, id: ParticipantId, out: &mut Outbox) {
        let Some(welcome) = self.moderation.welcome(id) else {
            return;
        };
        let muted = (welcome.you.audio_muted, welcome.you.video_muted);
        let peer = match Peer::new(&self.config, now, muted) {
            Ok(peer) => peer,
            Err(e) => {
                warn!(participant = %id, error = %e, "cannot create media connection");
                let mut effects = Vec::new();
                self.moderation.leave(now, id, true, &mut effects);
                let reason = ByeReason::InternalError;
                out.signal(id, ServerMessage::Bye { reason });
                out.departed.push((id, None));
                return self.apply(now, effects, out);
            }
        };
        out.entered.push((id, peer.ufrag.clone()));
        self.media.peers.insert(id, peer);
        info!(participant = %id, members = welcome.others.len() + 1, "joined");
        let you = welcome.you.clone();
        self.welcome(now, id, welcome, false, out);
        let joined = ServerMessage::ParticipantJoined { participant: you };
        self.broadcast(id, joined, out);
    }

    /// Tell a member the room as it is now (`joined`), who speaks, and, a
    /// moderator, who waits in the lobby.
    fn welcome(
        &mut self,
        now: Instant,
        id: ParticipantId,
        welcome: Welcome,
        resumed: bool,
        out: &mut Outbox,
    ) {
        let joined = ServerMessage::Joined {
            version: PROTOCOL_VERSION,
            participant_id: id,
            room: self.name.clone(),
            participants: welcome.others,
            tracks: self.track_infos(),
            ice_servers: Vec::new(),
            you: welcome.you,
            settings: welcome.settings,
            chat: welcome.chat,
            hands: welcome.hands,
            // The runtime that holds the tokens fills it in.
            resume_token: String::new(),
            resume_within_ms: self.config.reconnect_grace.as_millis() as u64,
            resumed,
        };
        out.signal(id, joined);
        // A newcomer learns who speaks now, not only who speaks next.
        if let Some(speaker) = self.speakers.dominant() {
            let participant_id = Some(speaker);
            out.signal(id, ServerMessage::DominantSpeaker { participant_id });
        }
        let mut after = Vec::new();
        self.moderation.after_joined(id, &mut after);
        self.apply(now, after, out);
    }

    /// One of a member's connections dropped: they keep their place, role,
    /// hand, mutes and permissions for the grace time, nothing is forwarded
    /// to them meanwhile, and the others see them as reconnecting. Someone
    /// waiting whose signaling dropped just leaves.
    pub fn connection_lost(
        &mut self,
        now: Instant,
        id: ParticipantId,
        link: Link,
        out: &mut Outbox,
    ) {
        let Some(peer) = self.media.peers.get_mut(&id) else {
            if link == Link::Signaling {
                self.leave(now, id, None, out);
            }
            return;
        };
        if peer.away.lost(link, now) {
            info!(participant = %id, ?link, "connection lost; keeping the place");
            let mut effects = Vec::new();
            self.moderation.set_reconnecting(id, true, &mut effects);
            self.apply(now, effects, out);
        }
    }

    /// One of a member's connections is back; once both are, forwarding to
    /// them resumes (each video at a keyframe) and the others are told.
    pub fn connection_back(
        &mut self,
        now: Instant,
        id: ParticipantId,
        link: Link,
        out: &mut Outbox,
    ) {
        let Some(peer) = self.media.peers.get_mut(&id) else {
            return;
        };
        if !peer.away.back(link) {
            return;
        }
        info!(participant = %id, "connection back");
        // What the estimator learnt before the drop (or from the silence
        // during it) says nothing about the path now: start afresh, as for
        // a newcomer, and choose layers at once rather than at the next tick.
        if self.config.bandwidth_estimation {
            peer.downlink = None;
            let initial = Bitrate::kbps(INITIAL_DOWNLINK_KBPS);
            if peer.with_rtc(|rtc| rtc.bwe().reset(initial)).is_err() {
                out.panicked.push(id);
                return;
            }
        }
        self.reallocate(now, id, out);
        let mut effects = Vec::new();
        self.moderation.set_reconnecting(id, false, &mut effects);
        self.apply(now, effects, out);
        let wanted: Vec<_> = peer_videos(self.media.peers.get(&id));
        for (track, layer) in wanted {
            self.media
                .request_keyframe(self.id, now, track, layer, false, out);
        }
    }

    /// A new signaling connection continues `id`'s session: it gets the
    /// room as it is now. False when `id` is no longer a member.
    pub fn resume(&mut self, now: Instant, id: ParticipantId, out: &mut Outbox) -> bool {
        let Some(welcome) = self
            .media
            .peers
            .contains_key(&id)
            .then(|| self.moderation.welcome(id))
            .flatten()
        else {
            return false;
        };
        self.welcome(now, id, welcome, true, out);
        self.connection_back(now, id, Link::Signaling, out);
        true
    }

    /// Members whose connection stayed away for the whole grace time leave.
    fn end_lapsed(&mut self, now: Instant, out: &mut Outbox) {
        let grace = self.config.reconnect_grace;
        let lapsed: Vec<ParticipantId> = self
            .media
            .peers
            .iter()
            .filter(|(_, p)| p.away.since.is_some_and(|since| now >= since + grace))
            .map(|(id, _)| *id)
            .collect();
        for id in lapsed {
            info!(participant = %id, "did not come back within the grace time");
            self.leave(now, id, Some(ByeReason::ConnectionLost), out);
        }
    }

    /// A message from someone in the room or waiting for it.
    pub fn message(
        &mut self,
        clock: Now,
        id: ParticipantId,
        message: ClientMessage,
        out: &mut Outbox,
    ) {
        let now = clock.instant;
        if !self.media.peers.contains_key(&id) {
            // Someone in the lobby may only wait, ping or leave.
            return match message {
                ClientMessage::Ping => out.signal(id, ServerMessage::Pong),
                ClientMessage::Leave => self.leave(now, id, Some(ByeReason::Left), out),
                _ => {
                    let error = "you are waiting to be let in";
                    let error = ProtocolError::field(ErrorCode::NotJoined, "type", error);
                    out.signal(id, error.to_message());
                }
            };
        }
        if Moderation::handles(&message) {
            let mut effects = Vec::new();
            // Never log the message itself: chat text stays out of every log.
            if let Err(error) = self.moderation.handle(clock, id, message, &mut effects) {
                debug!(participant = %id, code = ?error.code, "moderation refused");
                out.signal(id, error.to_message());
            }
            return self.apply(now, effects, out);
        }
        let refused = match message {
            ClientMessage::Offer {
                sdp,
                publish,
                subscribe,
            } => self.offer(now, id, &sdp, &publish, &subscribe, out).err(),
            ClientMessage::Layout { tiles } => self.layout(now, id, &tiles, out).err(),
            ClientMessage::Leave => {
                self.leave(now, id, Some(ByeReason::Left), out);
                None
            }
            ClientMessage::Ping => {
                out.signal(id, ServerMessage::Pong);
                None
            }
            ClientMessage::Join { .. } | ClientMessage::Resume { .. } => Some(
                ProtocolError::field(ErrorCode::AlreadyJoined, "type", "already joined"),
            ),
            // Handled by the moderation above.
            _ => None,
        };
        if let Some(error) = refused {
            out.signal(id, error.to_message());
        }
    }

    /// Apply an offer: check it fully first, then accept it, then update what
    /// the member publishes and receives.
    fn offer(
        &mut self,
        now: Instant,
        id: ParticipantId,
        sdp: &str,
        publish: &[PublishedTrack],
        subscribe: &[Subscription],
        out: &mut Outbox,
    ) -> Result<(), ProtocolError> {
        let may_share = self.moderation.may_share_screen(id);
        let offer = check_offer(sdp, publish, subscribe, may_share)?;
        let Some(peer) = self.media.peers.get_mut(&id) else {
            return Ok(());
        };
        let answer = match peer.with_rtc(|rtc| rtc.sdp_api().accept_offer(offer)) {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => {
                let message = format!("offer not accepted: {e}");
                return Err(ProtocolError::field(ErrorCode::BadSdp, "sdp", message));
            }
            Err(Panicked) => {
                out.panicked.push(id);
                return Ok(());
            }
        };
        let sdp = answer.to_sdp_string();
        out.signal(id, ServerMessage::Answer { sdp });
        // An offer with new ICE credentials restarts ICE, and str0m answers
        // with new ones of its own: the first STUN request of the new path
        // is routed by them.
        let ufrag = peer.rtc.direct_api().local_ice_credentials().ufrag;
        if ufrag != peer.ufrag {
            debug!(participant = %id, "ICE restart");
            out.retired
                .push(std::mem::replace(&mut peer.ufrag, ufrag.clone()));
            out.entered.push((id, ufrag));
        }
        let interval = self.config.keyframe_interval;
        let (added, gone) = self
            .media
            .publish(now, id, publish, &mut self.next_track, interval);
        for track in gone {
            self.remove_track(track, out);
        }
        for track in added {
            self.broadcast(id, ServerMessage::TrackAdded { track }, out);
        }
        self.media.subscribe(id, subscribe);
        self.reallocate(now, id, out);
        self.update_layers_of_subscriptions(now, id, out);
        if let Some(peer) = self.media.peers.get_mut(&id) {
            out.touch(id, peer);
        }
        Ok(())
    }

    /// The member's tiles changed: the layers it receives follow.
    fn layout(
        &mut self,
        now: Instant,
        id: ParticipantId,
        tiles: &[TileSize],
        out: &mut Outbox,
    ) -> Result<(), ProtocolError> {
        if tiles.len() > MAX_TILES {
            let message = format!("at most {MAX_TILES} tiles");
            return Err(ProtocolError::field(
                ErrorCode::InvalidField,
                "tiles",
                message,
            ));
        }
        let Some(p) = self.media.peers.get_mut(&id) else {
            return Ok(());
        };
        let tiles = tiles.iter().enumerate();
        p.layout = Some(tiles.map(|(i, t)| (t.track_id, (t.height, i))).collect());
        self.reallocate(now, id, out);
        self.update_layers_of_subscriptions(now, id, out);
        Ok(())
    }

    /// Someone leaves, waiting or in: their tracks end, the room is told,
    /// and they get `bye` (unless their signaling is already gone,
    /// `reason: None`).
    pub fn leave(
        &mut self,
        now: Instant,
        id: ParticipantId,
        reason: Option<ByeReason>,
        out: &mut Outbox,
    ) {
        // Only a dropped connection keeps an owner's role for the grace time.
        let on_purpose = !matches!(
            reason,
            None | Some(ByeReason::ConnectionLost | ByeReason::InternalError)
        );
        let mut effects = Vec::new();
        let Some(peer) = self.media.peers.remove(&id) else {
            // Someone waiting: no media connection, no tracks yet.
            self.moderation.leave(now, id, on_purpose, &mut effects);
            if let Some(reason) = reason {
                out.signal(id, ServerMessage::Bye { reason });
            }
            out.departed.push((id, None));
            return self.apply(now, effects, out);
        };
        info!(participant = %id, ?reason, "left");
        for track in peer.published.values() {
            self.remove_track(*track, out);
        }
        self.media.unsubscribe_all(id, &peer);
        self.speakers.remove(id);
        self.recent_speakers.retain(|s| *s != id);
        self.moderation.leave(now, id, on_purpose, &mut effects);
        let left = ServerMessage::ParticipantLeft { participant_id: id };
        self.broadcast(id, left, out);
        if let Some(reason) = reason {
            out.signal(id, ServerMessage::Bye { reason });
        }
        out.departed.push((id, Some(peer)));
        self.apply(now, effects, out);
    }

    /// Carry out what the moderation decided, then bring the media path's
    /// mute flags and screen shares in line with it.
    fn apply(&mut self, now: Instant, effects: Vec<Effect>, out: &mut Outbox) {
        for effect in effects {
            match effect {
                Effect::Send(to, message) => out.signal(to, message),
                Effect::Admit(id) if self.media.peers.contains_key(&id) => {}
                Effect::Admit(id) if self.is_full() => {
                    // Admitted from the lobby into a room that filled up meanwhile.
                    let mut more = Vec::new();
                    self.moderation.leave(now, id, true, &mut more);
                    out.signal(id, self.full_error().to_message());
                    out.departed.push((id, None));
                    self.apply(now, more, out);
                }
                Effect::Admit(id) => self.admit(now, id, out),
                Effect::End(id, reason) => self.leave(now, id, Some(reason), out),
                Effect::StopScreen(id) => self.stop_screen(id, out),
            }
        }
        self.sync_media(out);
    }

    /// The forwarding path drops the packets of what is muted, and screen
    /// shares end when their permission went.
    fn sync_media(&mut self, out: &mut Outbox) {
        let mut unshare = Vec::new();
        for (id, p) in self.media.peers.iter_mut() {
            if let Some(muted) = self.moderation.muted(*id) {
                p.muted = muted;
            }
            if !self.moderation.may_share_screen(*id) {
                unshare.push(*id);
            }
        }
        unshare.sort_unstable();
        for id in unshare {
            self.stop_screen(id, out);
        }
    }

    /// End a member's screen tracks: the others get `trackRemoved`, and
    /// packets on that transceiver are no longer forwarded.
    fn stop_screen(&mut self, id: ParticipantId, out: &mut Outbox) {
        for track in self.media.unpublish_screens(id) {
            self.remove_track(track, out);
        }
    }

    /// End a track and tell everyone but its owner.
    fn remove_track(&mut self, track_id: TrackId, out: &mut Outbox) {
        if let Some(track) = self.media.remove_track(self.id, track_id, out) {
            let removed = ServerMessage::TrackRemoved { track_id };
            self.broadcast(track.owner, removed, out);
        }
    }

    /// Periodic work: moderation timeouts (owner reservations lapse,
    /// connection tests end), the dominant speaker, and, when `allocate`,
    /// every subscriber's layers and every publisher's needed layers.
    pub fn tick(&mut self, now: Instant, allocate: bool, out: &mut Outbox) {
        let mut effects = Vec::new();
        self.moderation.handle_timeout(now, &mut effects);
        if !effects.is_empty() {
            self.apply(now, effects, out);
        }
        self.end_lapsed(now, out);
        if let Some(speaker) = self.speakers.tick(now) {
            if let Some(who) = speaker {
                self.spoke(who);
            }
            let message = ServerMessage::DominantSpeaker {
                participant_id: speaker,
            };
            self.broadcast(ParticipantId(0), message, out);
        }
        if !allocate {
            return;
        }
        let mut tracks = Vec::new();
        for track in self.media.tracks.values_mut() {
            track.layers.iter_mut().for_each(|l| l.meter.tick(now));
            tracks.push(track.id);
        }
        let peers: Vec<ParticipantId> = self.media.peers.keys().copied().collect();
        for id in peers {
            self.reallocate(now, id, out);
        }
        for track in tracks {
            self.update_publish_layers(now, track, out);
        }
    }

    /// Forward a publisher's packet, and hear its audio level.
    pub fn forward(
        &mut self,
        now: Instant,
        publisher: ParticipantId,
        packet: RtpPacket,
        out: &mut Outbox,
    ) {
        if let Some(level) = self.media.forward(self.id, now, publisher, packet, out) {
            self.speakers.level(publisher, level, now);
        }
    }

    /// A subscriber asked for a keyframe on transceiver `mid`: ask the
    /// publisher of what it receives there, throttled.
    pub fn keyframe_wanted(
        &mut self,
        now: Instant,
        subscriber: ParticipantId,
        mid: str0m::media::Mid,
        out: &mut Outbox,
    ) {
        let wanted = self
            .media
            .peers
            .get(&subscriber)
            .and_then(|p| p.outgoing.get(&mid))
            .and_then(|down| Some((down.track?, down.current?)));
        if let Some((track, layer)) = wanted {
            self.media
                .request_keyframe(self.id, now, track, layer, false, out);
        }
    }

    /// Choose the target layer of every video `id` receives.
    fn reallocate(&mut self, now: Instant, id: ParticipantId, out: &mut Outbox) {
        let room = (self.id, &mut self.media, self.recent_speakers.as_slice());
        self.policy.reallocate(room, now, id, out);
    }

    /// Tell a publisher which layers of a track anybody needs.
    fn update_publish_layers(&mut self, now: Instant, track: TrackId, out: &mut Outbox) {
        if let Some((owner, message)) = self.policy.publish_layers(&mut self.media, now, track) {
            out.signal(owner, message);
        }
    }

    /// Resume layers that `id`'s subscriptions need now.
    fn update_layers_of_subscriptions(
        &mut self,
        now: Instant,
        id: ParticipantId,
        out: &mut Outbox,
    ) {
        let Some(p) = self.media.peers.get(&id) else {
            return;
        };
        let tracks: Vec<TrackId> = p.outgoing.values().filter_map(|o| o.track).collect();
        for track in tracks {
            self.update_publish_layers(now, track, out);
        }
    }

    /// Send to every member except `except`.
    fn broadcast(&self, except: ParticipantId, message: ServerMessage, out: &mut Outbox) {
        for member in self.media.peers.keys().filter(|m| **m != except) {
            out.signal(*member, message.clone());
        }
    }
}

/// The (track, layer) of every video a member receives now.
fn peer_videos(peer: Option<&Peer>) -> Vec<(TrackId, usize)> {
    let Some(peer) = peer else {
        return Vec::new();
    };
    peer.outgoing
        .values()
        .filter_map(|down| Some((down.track?, down.target?)))
        .collect()
}
