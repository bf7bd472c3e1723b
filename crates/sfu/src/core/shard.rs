//! The shard: it routes each datagram to its room and peer, keeps the
//! timers, and drives what an input touched. See the module docs of
//! [`core`](super) for how to drive it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use slotmap::SlotMap;
use str0m::bwe::BweKind;
use str0m::net::{Protocol, Receive};
use str0m::{Event, IceConnectionState, Input, Output, Rtc, RtcError};
use tafelrunde_protocol::{ByeReason, ParticipantId, ServerMessage, TrackId};
use tracing::{debug, error, info, warn};

use super::peer::{Panicked, Peer};
use super::policy::LayerPolicy;
use super::room::{Room, RoomId};
use super::stun::local_ufrag;
use super::timers::TimerHeap;
use super::wake::Wake;
use super::{policy, Command, ShardConfig, Transmit};

/// Pacer steps one drive takes at most: a keyframe of a screen share is
/// some 100 packets; more waits for the next turn of the loop.
const DRIVE_STEPS: usize = 128;

/// How far ahead of the clock a drive steps a connection. str0m's pacer
/// asks to be woken 1 µs after each packet it lets through (so that time
/// advances between packets); going through the timer heap for that cost a
/// whole wake-up per forwarded packet, twice the work of forwarding it. Such
/// steps are taken at once; a real pacing delay is longer and waits in the
/// heap, and str0m's clock never runs more than this ahead of ours.
const STEP_AHEAD: Duration = Duration::from_micros(250);

/// The state of one shard. See the module docs for how to drive it.
pub struct Shard {
    pub(super) config: ShardConfig,
    /// How layers are chosen (from the config).
    pub(super) policy: LayerPolicy,
    pub(super) rooms: SlotMap<RoomId, Room>,
    /// Room name → its key, for joins (the only place a name is looked up).
    pub(super) room_ids: HashMap<String, RoomId>,
    /// Everyone on the shard, waiting or in, and their room. Someone is in
    /// when the room holds their [`Peer`], and waits otherwise.
    pub(super) in_room: FxHashMap<ParticipantId, RoomId>,
    pub(super) by_ufrag: HashMap<String, ParticipantId>,
    pub(super) by_path: HashMap<(Protocol, SocketAddr), ParticipantId>,
    pub(super) timers: TimerHeap<ParticipantId>,
    pub(super) next_tick: Option<Instant>,
    pub(super) ticks: u32,
    /// What the rooms' media work left to do: connections to drive,
    /// keyframe requests to wake for, connections that panicked.
    pub(super) wake: Wake,
    pub(super) transmits: VecDeque<Transmit>,
    pub(super) signals: VecDeque<(ParticipantId, ServerMessage)>,
    pub(super) next_track: u64,
    /// A monotonic instant and the wall-clock milliseconds at it, for chat
    /// time stamps (the core reads no clock).
    pub(super) wall_clock: Option<(Instant, u64)>,
    /// The time of the input being handled (for removals deep in the call tree).
    pub(super) now: Option<Instant>,
}

impl Shard {
    /// An empty shard.
    pub fn new(config: ShardConfig) -> Self {
        Self {
            policy: LayerPolicy {
                max_videos: config.max_videos,
                bandwidth_estimation: config.bandwidth_estimation,
            },
            config,
            rooms: SlotMap::with_key(),
            room_ids: HashMap::new(),
            in_room: FxHashMap::default(),
            by_ufrag: HashMap::new(),
            by_path: HashMap::new(),
            timers: TimerHeap::default(),
            next_tick: None,
            ticks: 0,
            wake: Wake::default(),
            transmits: VecDeque::new(),
            signals: VecDeque::new(),
            next_track: 1,
            wall_clock: None,
            now: None,
        }
    }

    /// Tell the shard the wall-clock time (milliseconds since 1970) at a
    /// monotonic instant; chat messages are stamped from it.
    pub fn set_wall_clock(&mut self, at: Instant, unix_ms: u64) {
        self.wall_clock = Some((at, unix_ms));
    }

    /// Number of participants on this shard.
    pub fn participant_count(&self) -> usize {
        self.rooms.values().map(|r| r.media.peers.len()).sum()
    }

    /// Handle a command from the signaling side.
    pub fn handle_command(&mut self, now: Instant, command: Command) {
        self.now = Some(now);
        match command {
            Command::Join {
                participant,
                room,
                name,
                entry,
            } => self.join(now, participant, room, name, entry),
            Command::Message {
                participant,
                message,
            } => self.message(now, participant, message),
            Command::Disconnected { participant } => self.remove(participant, None),
            Command::Shutdown => {
                let all: Vec<_> = self.in_room.keys().copied().collect();
                for id in all {
                    self.remove(id, Some(ByeReason::ServerShutdown));
                }
            }
        }
        self.flush(now);
    }

    /// A datagram (UDP) or a whole RFC 4571 frame (TCP) arrived. `destination`
    /// is the announced candidate address of the socket it arrived on.
    /// Returns the participant it was routed to.
    pub fn handle_receive(
        &mut self,
        now: Instant,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        data: &[u8],
    ) -> Option<ParticipantId> {
        let id = self.receive(now, proto, source, destination, data);
        self.drive_touched(now);
        id
    }

    /// [`Shard::handle_receive`] without driving the subscribers it wrote
    /// to: call [`Shard::drive_touched`] after the last datagram of a batch.
    pub fn receive(
        &mut self,
        now: Instant,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        data: &[u8],
    ) -> Option<ParticipantId> {
        self.now = Some(now);
        let id = self.route(proto, source, data)?;
        let Ok(contents) = data.try_into() else {
            debug!(participant = %id, "dropping unrecognised datagram");
            return None;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto,
                source,
                destination,
                contents,
            },
        );
        if self
            .call_rtc_fallible(id, |rtc| rtc.handle_input(input))
            .is_some()
        {
            self.drive(now, id);
        }
        Some(id)
    }

    /// Drive every connection that input since the last call touched.
    pub fn drive_touched(&mut self, now: Instant) {
        self.now = Some(now);
        self.flush(now);
    }

    /// Time passed: wake the connections and keyframe requests that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        while let Some(id) = self.timers.pop_due(now) {
            self.touch(id);
        }
        while let Some((room, track, layer)) = self.wake.keyframes.pop_due(now) {
            self.request_keyframe(now, room, track, layer, true);
        }
        if self.next_tick.is_some_and(|t| now >= t) {
            self.tick(now);
            self.next_tick = Some(now + policy::TICK);
        }
        self.flush(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next signaling message to a participant. After a
    /// [`ServerMessage::Bye`] the participant is gone from the shard.
    pub fn poll_signal(&mut self) -> Option<(ParticipantId, ServerMessage)> {
        self.signals.pop_front()
    }

    /// When [`Shard::handle_timeout`] must be called next.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        if self.rooms.is_empty() {
            self.next_tick = None;
        }
        [
            self.timers.next_due(),
            self.wake.keyframes.next_due(),
            self.next_tick,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Find the participant a datagram belongs to: by our ufrag in a STUN
    /// request, else by the path it came on. Never a scan over participants.
    fn route(&mut self, proto: Protocol, source: SocketAddr, data: &[u8]) -> Option<ParticipantId> {
        if let Some(id) = self.by_path.get(&(proto, source)) {
            return Some(*id);
        }
        let id = *self.by_ufrag.get(local_ufrag(data)?)?;
        let participant = self.peer_mut(id)?;
        if participant.add_path((proto, source)) {
            self.by_path.insert((proto, source), id);
        }
        Some(id)
    }

    /// Drive every participant with new input until its next timeout.
    fn flush(&mut self, now: Instant) {
        let mut woken = 0;
        while let Some(id) = self.wake.dirty.pop_front() {
            woken += 1;
            if let Some(p) = self.peer_mut(id) {
                p.queued = false;
            }
            self.drive(now, id);
            // Forwarding touches subscribers again, but a burst never spins forever.
            if woken > 100_000 {
                warn!("shard: too much work in one flush");
                for id in std::mem::take(&mut self.wake.dirty) {
                    if let Some(p) = self.peer_mut(id) {
                        p.queued = false;
                    }
                }
            }
        }
    }

    /// Periodic work; called from `handle_timeout`.
    pub(super) fn tick(&mut self, now: Instant) {
        self.ticks = self.ticks.wrapping_add(1);
        self.moderation_tick(now);
        let mut changes = Vec::new();
        for (key, room) in self.rooms.iter_mut() {
            if let Some(speaker) = room.speakers.tick(now) {
                if let Some(who) = speaker {
                    room.spoke(who);
                }
                changes.push((key, speaker));
            }
        }
        for (room, speaker) in changes {
            let message = ServerMessage::DominantSpeaker {
                participant_id: speaker,
            };
            self.broadcast(room, ParticipantId(0), message);
        }
        if self.ticks.is_multiple_of(policy::ALLOCATE_EVERY) {
            let mut peers = Vec::new();
            let mut tracks = Vec::new();
            for (key, room) in self.rooms.iter_mut() {
                for track in room.media.tracks.values_mut() {
                    track.layers.iter_mut().for_each(|l| l.meter.tick(now));
                    tracks.push((key, track.id));
                }
                peers.extend(room.media.peers.keys().copied());
            }
            for id in peers {
                self.reallocate(now, id);
            }
            for (room, track) in tracks {
                self.update_publish_layers(now, room, track);
            }
        }
    }

    /// Choose the target layer of every video `id` receives.
    pub(super) fn reallocate(&mut self, now: Instant, id: ParticipantId) {
        let Some(room_id) = self.room_of(id) else {
            return;
        };
        if let Some(room) = self.rooms.get_mut(room_id) {
            self.policy
                .reallocate(room, room_id, now, id, &mut self.wake);
        }
        self.end_panicked();
    }

    /// Tell a publisher which layers of a track anybody needs.
    pub(super) fn update_publish_layers(&mut self, now: Instant, room: RoomId, track: TrackId) {
        let change = self
            .rooms
            .get_mut(room)
            .and_then(|r| self.policy.publish_layers(&mut r.media, now, track));
        if let Some((owner, message)) = change {
            self.signal(owner, message);
        }
    }

    /// Remember that a connection has input to act on; it is driven once by
    /// the next flush, however often it was touched.
    pub(super) fn touch(&mut self, id: ParticipantId) {
        let Some(room) = self.room_of(id) else {
            return;
        };
        if let Some(peer) = self
            .rooms
            .get_mut(room)
            .and_then(|r| r.media.peers.get_mut(&id))
        {
            self.wake.touch(id, peer);
        }
    }

    /// Ask the publisher of a track for a keyframe of `layer`, throttled.
    /// `due` is set when a deferred request's time has come.
    pub(super) fn request_keyframe(
        &mut self,
        now: Instant,
        room_id: RoomId,
        track: TrackId,
        layer: usize,
        due: bool,
    ) {
        if let Some(room) = self.rooms.get_mut(room_id) {
            room.media
                .request_keyframe(room_id, now, track, layer, due, &mut self.wake);
        }
        self.end_panicked();
    }

    /// Connections whose str0m call panicked end with `bye {internalError}`.
    fn end_panicked(&mut self) {
        while let Some(id) = self.wake.panicked.pop() {
            self.panicked(id);
        }
    }

    /// Move one connection's time forward and handle all it has to say.
    ///
    /// str0m's pacer releases one packet per time step, and asks for the
    /// next step a microsecond later while it lets the burst through. Those
    /// steps are taken here rather than through the timer heap
    /// ([`STEP_AHEAD`]), so one subscriber's packets leave side by side (and
    /// go as one offloaded message); the number of steps is bounded so that
    /// no connection holds the shard.
    fn drive(&mut self, now: Instant, id: ParticipantId) {
        let (mut steps, mut fed) = (0, now);
        if self
            .call_rtc_fallible(id, |rtc| rtc.handle_input(Input::Timeout(now)))
            .is_none()
        {
            return;
        }
        loop {
            let alive = self.peer(id).map(|p| p.rtc.is_alive());
            match alive {
                None => return,
                Some(false) => return self.remove(id, Some(ByeReason::ConnectionLost)),
                Some(true) => {}
            }
            let Some(output) = self.call_rtc_fallible(id, |rtc| rtc.poll_output()) else {
                return;
            };
            match output {
                // Only a step forward helps: a timeout at or before the time
                // just given is one str0m handles only once time has passed.
                Output::Timeout(at)
                    if at > fed && at <= now + STEP_AHEAD && steps < DRIVE_STEPS =>
                {
                    steps += 1;
                    fed = at;
                    if self
                        .call_rtc_fallible(id, |rtc| rtc.handle_input(Input::Timeout(at)))
                        .is_none()
                    {
                        return;
                    }
                }
                Output::Timeout(at) => {
                    self.timers.set(id, at);
                    return;
                }
                Output::Transmit(t) => self.transmits.push_back(Transmit {
                    proto: t.proto,
                    source: t.source,
                    destination: t.destination,
                    contents: t.contents.into(),
                }),
                Output::Event(event) => self.handle_event(now, id, event),
            }
        }
    }

    /// Something str0m told about a connection.
    fn handle_event(&mut self, now: Instant, id: ParticipantId, event: Event) {
        match event {
            Event::RtpPacket(packet) => {
                let Some(room_id) = self.room_of(id) else {
                    return;
                };
                let Some(room) = self.rooms.get_mut(room_id) else {
                    return;
                };
                let level = room.media.forward(room_id, now, id, packet, &mut self.wake);
                if let Some(level) = level {
                    room.speakers.level(id, level, now);
                }
                self.end_panicked();
            }
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

    /// Run `f` on a participant's connection. A panic inside str0m ends that
    /// participant with `bye {internalError}` — never the shard. `None` then,
    /// or when the participant is gone.
    pub(super) fn call_rtc<T>(
        &mut self,
        id: ParticipantId,
        f: impl FnOnce(&mut Rtc) -> T,
    ) -> Option<T> {
        let participant = self.peer_mut(id)?;
        match participant.with_rtc(f) {
            Ok(value) => Some(value),
            Err(Panicked) => {
                self.panicked(id);
                None
            }
        }
    }

    /// A call into a participant's connection panicked: that participant
    /// ends with `bye {internalError}`, the shard and the others go on.
    fn panicked(&mut self, id: ParticipantId) {
        error!(participant = %id, "media connection panicked; ending this participant only");
        self.remove(id, Some(ByeReason::InternalError));
    }

    /// [`Self::call_rtc`] for str0m calls that can fail: an error ends that
    /// participant with `bye {connectionLost}`.
    pub(super) fn call_rtc_fallible<T>(
        &mut self,
        id: ParticipantId,
        f: impl FnOnce(&mut Rtc) -> Result<T, RtcError>,
    ) -> Option<T> {
        match self.call_rtc(id, f)? {
            Ok(value) => Some(value),
            Err(e) => {
                warn!(participant = %id, error = %e, "media connection failed");
                self.remove(id, Some(ByeReason::ConnectionLost));
                None
            }
        }
    }

    /// The room someone is in or waits for.
    pub(super) fn room_of(&self, id: ParticipantId) -> Option<RoomId> {
        self.in_room.get(&id).copied()
    }

    /// Someone's media connection, once they are in.
    pub(super) fn peer(&self, id: ParticipantId) -> Option<&Peer> {
        self.rooms.get(self.room_of(id)?)?.media.peers.get(&id)
    }

    pub(super) fn peer_mut(&mut self, id: ParticipantId) -> Option<&mut Peer> {
        let room = self.room_of(id)?;
        self.rooms.get_mut(room)?.media.peers.get_mut(&id)
    }

    /// Someone on the shard who is not in their room yet (the lobby, or a
    /// room not yet open).
    pub(super) fn is_waiting(&self, id: ParticipantId) -> bool {
        self.room_of(id).is_some() && self.peer(id).is_none()
    }

    /// The time of the input being handled.
    pub(super) fn last_now(&self) -> Instant {
        self.now.expect("set by every handle_* call")
    }

    pub(super) fn signal(&mut self, to: ParticipantId, message: ServerMessage) {
        self.signals.push_back((to, message));
    }

    /// Send to every member of `room` except `except`.
    pub(super) fn broadcast(
        &mut self,
        room: RoomId,
        except: ParticipantId,
        message: ServerMessage,
    ) {
        let Some(room) = self.rooms.get(room) else {
            return;
        };
        for member in room.media.peers.keys().filter(|m| **m != except) {
            self.signals.push_back((*member, message.clone()));
        }
    }
}
