//! The shard's side of moderation: it passes every moderation message and
//! timeout to the room's [`Moderation`](super::moderation::Moderation) and
//! carries out the effects — messages, admissions, removals, stopped screen
//! shares — and keeps the forwarding path's mute flags in step.

use std::time::Instant;

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, ParticipantId, ProtocolError, ServerMessage, TrackId,
    TrackSource,
};
use tracing::debug;

use super::moderation::{Effect, Now};
use super::room::RoomId;
use super::Shard;

impl Shard {
    /// A moderation message (or `mute`) from a member.
    pub(super) fn moderate(&mut self, now: Instant, id: ParticipantId, message: ClientMessage) {
        let Some(room_id) = self.room_of(id) else {
            return;
        };
        let clock = Now {
            instant: now,
            unix_ms: self.unix_ms(now),
        };
        let mut effects = Vec::new();
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        // Never log the message itself: chat text stays out of every log.
        if let Err(error) = room.moderation.handle(clock, id, message, &mut effects) {
            debug!(participant = %id, code = ?error.code, "moderation refused");
            self.refuse(id, error);
        }
        self.apply(now, room_id, effects);
    }

    /// Someone in the lobby may only wait, ping or leave.
    pub(super) fn message_while_waiting(&mut self, id: ParticipantId, message: ClientMessage) {
        match message {
            ClientMessage::Ping => self.signal(id, ServerMessage::Pong),
            ClientMessage::Leave => self.remove(id, Some(ByeReason::Left)),
            _ => self.refuse(
                id,
                ProtocolError::field(ErrorCode::NotJoined, "type", "you are waiting to be let in"),
            ),
        }
    }

    /// Carry out what the moderation decided, then bring the media path's
    /// mute flags and screen shares in line with it.
    pub(super) fn apply(&mut self, now: Instant, room_id: RoomId, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(to, message) => self.signal(to, message),
                Effect::Admit(id) => {
                    if !self.is_waiting(id) {
                        continue;
                    }
                    let full = self
                        .rooms
                        .get(room_id)
                        .is_some_and(|r| r.media.peers.len() >= self.config.max_room_size);
                    if full {
                        self.in_room.remove(&id);
                        // Admitted from the lobby into a room that filled up meanwhile.
                        let mut more = Vec::new();
                        if let Some(room) = self.rooms.get_mut(room_id) {
                            room.moderation.leave(now, id, true, &mut more);
                        }
                        let message = format!(
                            "the room is full ({} participants)",
                            self.config.max_room_size
                        );
                        self.refuse(id, ProtocolError::new(ErrorCode::RoomFull, message));
                        self.apply(now, room_id, more);
                    } else {
                        self.admit(now, id, room_id);
                    }
                }
                Effect::End(id, reason) => self.remove(id, Some(reason)),
                Effect::StopScreen(id) => self.stop_screen(id),
            }
        }
        self.sync_media(room_id);
    }

    /// The forwarding path drops the packets of what is muted, and screen
    /// shares end when their permission went.
    fn sync_media(&mut self, room_id: RoomId) {
        let Some(room) = self.rooms.get_mut(room_id) else {
            return;
        };
        let mut unshare = Vec::new();
        for (id, p) in room.media.peers.iter_mut() {
            if let Some(muted) = room.moderation.muted(*id) {
                p.muted = muted;
            }
            if !room.moderation.may_share_screen(*id) {
                unshare.push(*id);
            }
        }
        unshare.sort_unstable();
        for id in unshare {
            self.stop_screen(id);
        }
    }

    /// End a member's screen tracks: the others get `trackRemoved`, and
    /// packets on that transceiver are no longer forwarded.
    fn stop_screen(&mut self, id: ParticipantId) {
        let Some(room) = self.room_of(id) else {
            return;
        };
        let Some(r) = self.rooms.get(room) else {
            return;
        };
        let Some(p) = r.media.peers.get(&id) else {
            return;
        };
        let screens: Vec<(str0m::media::Mid, TrackId)> = p
            .published
            .iter()
            .filter(|(_, t)| {
                r.media
                    .tracks
                    .get(t)
                    .is_some_and(|t| t.source == TrackSource::Screen)
            })
            .map(|(m, t)| (*m, *t))
            .collect();
        if screens.is_empty() {
            return;
        }
        for (mid, track) in screens {
            if let Some(p) = self.peer_mut(id) {
                p.published.remove(&mid);
            }
            self.remove_track(room, track);
        }
    }

    /// Moderation timeouts: owner reservations lapse, connection tests end,
    /// idle rooms go. Called from the tick.
    pub(super) fn moderation_tick(&mut self, now: Instant) {
        let mut due = Vec::new();
        for (key, room) in self.rooms.iter_mut() {
            let mut effects = Vec::new();
            room.moderation.handle_timeout(now, &mut effects);
            if !effects.is_empty() || room.is_idle() {
                due.push((key, effects));
            }
        }
        for (key, effects) in due {
            self.apply(now, key, effects);
            self.drop_room_if_idle(key);
        }
    }

    pub(super) fn drop_room_if_idle(&mut self, room_id: RoomId) {
        if self.rooms.get(room_id).is_some_and(|r| r.is_idle()) {
            if let Some(room) = self.rooms.remove(room_id) {
                self.room_ids.remove(&room.name);
            }
        }
    }

    /// Wall-clock milliseconds at `now`, from what the runtime told us.
    fn unix_ms(&self, now: Instant) -> u64 {
        match self.wall_clock {
            Some((at, ms)) => {
                let since = now.saturating_duration_since(at).as_millis() as u64;
                ms + since
            }
            None => 0,
        }
    }
}
