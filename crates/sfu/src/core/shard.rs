//! The shard: it routes each datagram to its room and peer, keeps the
//! timers, and drives what an input touched. See the module docs of
//! [`core`](super) for how to drive it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use slotmap::SlotMap;
use str0m::bwe::BweKind;
use str0m::net::{Protocol, Receive};
use str0m::{Event, IceConnectionState, Input, Output, Rtc, RtcError};
use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, ParticipantId, ProtocolError, ServerMessage, TrackId,
};
use tracing::{debug, error, info, warn};

use super::moderation::{Entry, Moderation, Now};
use super::outbox::Outbox;
use super::peer::{Link, Panicked, Peer};
use super::room::Room;
use super::room_id::RoomId;
use super::stun::{is_stun, local_ufrag};
use super::timers::TimerHeap;
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
    /// Its settings, shared with its rooms.
    config: Arc<ShardConfig>,
    pub(super) rooms: SlotMap<RoomId, Room>,
    /// Room name → its key, for joins (the only place a name is looked up).
    room_ids: HashMap<String, RoomId>,
    /// Everyone on the shard, waiting or in, and their room. Someone is in
    /// when the room holds their [`Peer`], and waits otherwise.
    in_room: FxHashMap<ParticipantId, RoomId>,
    /// Our ICE ufrag of each connection → whose (for the first STUN request).
    by_ufrag: HashMap<String, ParticipantId>,
    /// Each network path a connection was seen on → whose.
    by_path: HashMap<(Protocol, SocketAddr), ParticipantId>,
    /// When each connection wants to be driven next.
    timers: TimerHeap<ParticipantId>,
    next_tick: Option<Instant>,
    ticks: u32,
    /// What the rooms' work left to do: connections to drive, keyframe
    /// requests to wake for, messages, who entered, left or panicked.
    outbox: Outbox,
    transmits: VecDeque<Transmit>,
    /// A monotonic instant and the wall-clock milliseconds at it, for chat
    /// time stamps (the core reads no clock).
    wall_clock: Option<(Instant, u64)>,
    /// The time of the input being handled (for removals deep in the call tree).
    now: Option<Instant>,
}

impl Shard {
    /// An empty shard.
    pub fn new(config: ShardConfig) -> Self {
        Self {
            config: Arc::new(config),
            rooms: SlotMap::with_key(),
            room_ids: HashMap::new(),
            in_room: FxHashMap::default(),
            by_ufrag: HashMap::new(),
            by_path: HashMap::new(),
            timers: TimerHeap::default(),
            next_tick: None,
            ticks: 0,
            outbox: Outbox::default(),
            transmits: VecDeque::new(),
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
            Command::Disconnected { participant } => {
                self.in_room_of(participant, |room, out| {
                    room.connection_lost(now, participant, Link::Signaling, out)
                });
            }
            Command::Resume { participant } => {
                let resumed =
                    self.in_room_of(participant, |room, out| room.resume(now, participant, out));
                if resumed != Some(true) {
                    let error = ProtocolError::new(
                        ErrorCode::ResumeFailed,
                        "this session has ended (or its grace time is over); join again",
                    );
                    self.outbox.signal(participant, error.to_message());
                }
            }
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
        if !is_stun(data) {
            if let Some(peer) = self.peer_mut(id) {
                peer.latched = Some((proto, source));
            }
        }
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
        while let Some((room, track, layer)) = self.outbox.keyframes.pop_due(now) {
            self.keyframe_due(now, room, track, layer);
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
        self.outbox.signals.pop_front()
    }

    /// When [`Shard::handle_timeout`] must be called next.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        if self.rooms.is_empty() {
            self.next_tick = None;
        }
        [
            self.timers.next_due(),
            self.outbox.keyframes.next_due(),
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
        if let Some(oldest) = participant.add_path((proto, source)) {
            self.by_path.remove(&oldest);
        }
        self.by_path.insert((proto, source), id);
        Some(id)
    }

    /// Drive every participant with new input until its next timeout.
    fn flush(&mut self, now: Instant) {
        let mut woken = 0;
        while let Some(id) = self.outbox.dirty.pop_front() {
            woken += 1;
            if let Some(p) = self.peer_mut(id) {
                p.queued = false;
            }
            self.drive(now, id);
            // Forwarding touches subscribers again, but a burst never spins forever.
            if woken > 100_000 {
                warn!("shard: too much work in one flush");
                for id in std::mem::take(&mut self.outbox.dirty) {
                    if let Some(p) = self.peer_mut(id) {
                        p.queued = false;
                    }
                }
            }
        }
    }

    /// Periodic work; called from `handle_timeout`.
    fn tick(&mut self, now: Instant) {
        self.ticks = self.ticks.wrapping_add(1);
        let allocate = self.ticks.is_multiple_of(policy::ALLOCATE_EVERY);
        let rooms: Vec<RoomId> = self.rooms.keys().collect();
        for room_id in rooms {
            if let Some(room) = self.rooms.get_mut(room_id) {
                room.tick(now, allocate, &mut self.outbox);
            }
            self.settle(room_id);
        }
    }

    /// Someone enters a room (opened when nobody is in it).
    fn join(&mut self, now: Instant, id: ParticipantId, room: String, name: String, entry: Entry) {
        if self.in_room.contains_key(&id) {
            let error = ProtocolError::field(ErrorCode::AlreadyJoined, "type", "already joined");
            return self.outbox.signal(id, error.to_message());
        }
        let room_id = match self.room_ids.get(&room) {
            Some(key) => *key,
            None => {
                let moderation = Moderation::new(entry.kind, entry.lobby, self.config.owner_grace);
                let config = Arc::clone(&self.config);
                let name = room.clone();
                let key = self
                    .rooms
                    .insert_with_key(|key| Room::new(key, name, config, moderation));
                self.room_ids.insert(room, key);
                key
            }
        };
        let room = &mut self.rooms[room_id];
        if room.is_full() {
            return self.outbox.signal(id, room.full_error().to_message());
        }
        self.next_tick.get_or_insert(now + policy::TICK);
        self.in_room.insert(id, room_id);
        room.enter(now, id, &name, &entry, &mut self.outbox);
        self.settle(room_id);
    }

    /// A message from someone on the shard, for their room.
    fn message(&mut self, now: Instant, id: ParticipantId, message: ClientMessage) {
        let clock = Now {
            instant: now,
            unix_ms: self.unix_ms(now),
        };
        self.in_room_of(id, |room, out| room.message(clock, id, message, out));
    }

    /// Let the room `id` is in (or waits for) act, then settle what it left
    /// to do. `None` when `id` is in no room here.
    fn in_room_of<T>(
        &mut self,
        id: ParticipantId,
        act: impl FnOnce(&mut Room, &mut Outbox) -> T,
    ) -> Option<T> {
        let room_id = self.room_of(id)?;
        let done = self
            .rooms
            .get_mut(room_id)
            .map(|room| act(room, &mut self.outbox));
        self.settle(room_id);
        done
    }

    /// Someone leaves the shard: their room lets them go, and they get
    /// `bye` (unless their signaling is already gone, `reason: None`).
    fn remove(&mut self, id: ParticipantId, reason: Option<ByeReason>) {
        let now = self.last_now();
        self.in_room_of(id, |room, out| room.leave(now, id, reason, out));
    }

    /// After a room acted: route the media connections it opened, close
    /// those it let go, end those that panicked, and drop the room once it
    /// is idle.
    fn settle(&mut self, room_id: RoomId) {
        for ufrag in self.outbox.retired.drain(..) {
            self.by_ufrag.remove(&ufrag);
        }
        for (id, ufrag) in self.outbox.entered.drain(..) {
            self.by_ufrag.insert(ufrag, id);
        }
        for (id, peer) in std::mem::take(&mut self.outbox.departed) {
            self.in_room.remove(&id);
            let Some(mut peer) = peer else {
                continue;
            };
            let _ = peer.with_rtc(|rtc| rtc.disconnect());
            self.timers.remove(id);
            self.by_ufrag.remove(&peer.ufrag);
            for path in &peer.paths {
                self.by_path.remove(path);
            }
        }
        while let Some(id) = self.outbox.panicked.pop() {
            self.panicked(id);
        }
        if self.rooms.get(room_id).is_some_and(Room::is_idle) {
            if let Some(room) = self.rooms.remove(room_id) {
                self.room_ids.remove(&room.name);
            }
        }
    }

    /// Remember that a connection has input to act on; it is driven once by
    /// the next flush, however often it was touched.
    fn touch(&mut self, id: ParticipantId) {
        let Some(room) = self.room_of(id) else {
            return;
        };
        if let Some(peer) = self
            .rooms
            .get_mut(room)
            .and_then(|r| r.media.peers.get_mut(&id))
        {
            self.outbox.touch(id, peer);
        }
    }

    /// A deferred keyframe request's time has come.
    fn keyframe_due(&mut self, now: Instant, room_id: RoomId, track: TrackId, layer: usize) {
        if let Some(room) = self.rooms.get_mut(room_id) {
            room.media
                .request_keyframe(room_id, now, track, layer, true, &mut self.outbox);
        }
        self.settle(room_id);
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
        let latched = self.peer(id).and_then(|p| p.latched);
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
                Output::Transmit(t) => {
                    // Media follows the browser's path; a STUN answer goes
                    // where its request came from.
                    let destination = match latched {
                        Some((proto, to)) if proto == t.proto && !is_stun(&t.contents) => to,
                        _ => t.destination,
                    };
                    self.transmits.push_back(Transmit {
                        proto: t.proto,
                        source: t.source,
                        destination,
                        contents: t.contents.into(),
                    })
                }
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
                if let Some(room) = self.rooms.get_mut(room_id) {
                    room.forward(now, id, packet, &mut self.outbox);
                }
                if !self.outbox.panicked.is_empty() {
                    self.settle(room_id);
                }
            }
            Event::KeyframeRequest(request) => {
                let Some(room_id) = self.room_of(id) else {
                    return;
                };
                if let Some(room) = self.rooms.get_mut(room_id) {
                    room.keyframe_wanted(now, id, request.mid, &mut self.outbox);
                }
                self.settle(room_id);
            }
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                if let Some(p) = self.peer_mut(id) {
                    p.downlink = Some(estimate.as_u64());
                }
            }
            Event::IceConnectionStateChange(state) => {
                debug!(participant = %id, ?state, "ICE state");
                // A lost path may come back (the same credentials, or new
                // ones after an ICE restart): the member keeps the place
                // for the grace time.
                match state {
                    IceConnectionState::Disconnected => {
                        self.in_room_of(id, |room, out| {
                            room.connection_lost(now, id, Link::Media, out)
                        });
                    }
                    IceConnectionState::Connected | IceConnectionState::Completed => {
                        self.in_room_of(id, |room, out| {
                            room.connection_back(now, id, Link::Media, out)
                        });
                    }
                    _ => {}
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
    fn call_rtc_fallible<T>(
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
    fn room_of(&self, id: ParticipantId) -> Option<RoomId> {
        self.in_room.get(&id).copied()
    }

    /// Someone's media connection, once they are in.
    pub(super) fn peer(&self, id: ParticipantId) -> Option<&Peer> {
        self.rooms.get(self.room_of(id)?)?.media.peers.get(&id)
    }

    fn peer_mut(&mut self, id: ParticipantId) -> Option<&mut Peer> {
        let room = self.room_of(id)?;
        self.rooms.get_mut(room)?.media.peers.get_mut(&id)
    }

    /// The time of the input being handled.
    fn last_now(&self) -> Instant {
        self.now.expect("set by every handle_* call")
    }

    /// Wall-clock milliseconds at `now`, from what the runtime told us.
    fn unix_ms(&self, now: Instant) -> u64 {
        match self.wall_clock {
            Some((at, ms)) => ms + now.saturating_duration_since(at).as_millis() as u64,
            None => 0,
        }
    }
}
