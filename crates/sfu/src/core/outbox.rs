//! What a room's work leaves for its shard: connections to drive, keyframe
//! requests to wake up for, messages to send, and who entered, left or
//! panicked (the shard keeps the indexes that route datagrams and commands).

use std::collections::VecDeque;

use tafelrunde_protocol::{ParticipantId, ServerMessage, TrackId};

use super::peer::{Panicked, Peer, Written};
use super::room_id::RoomId;
use super::timers::TimerHeap;

/// The shard's to-do list, filled by its rooms.
#[derive(Default)]
pub struct Outbox {
    /// Connections with new input that must be driven to their timeout, in
    /// the order they were touched; each at most once (`Peer::queued`).
    pub dirty: VecDeque<ParticipantId>,
    /// Deferred keyframe requests of each room's tracks, by layer.
    pub keyframes: TimerHeap<(RoomId, TrackId, usize)>,
    /// Connections whose str0m call panicked: they end, alone.
    pub panicked: Vec<ParticipantId>,
    /// Messages to participants, in the order they must arrive.
    pub signals: VecDeque<(ParticipantId, ServerMessage)>,
    /// Members who got a media connection, with its ICE ufrag (to route
    /// its first STUN request).
    pub entered: Vec<(ParticipantId, String)>,
    /// ICE ufrags no longer in use (an ICE restart replaced them; the new
    /// one comes in `entered`).
    pub retired: Vec<String>,
    /// Who left a room, with the media connection they had, if any (to
    /// close it and forget its network paths).
    pub departed: Vec<(ParticipantId, Option<Peer>)>,
}

impl Outbox {
    /// Remember that a connection has input to act on; it is driven once by
    /// the next flush, however often it was touched.
    pub fn touch(&mut self, id: ParticipantId, peer: &mut Peer) {
        if peer.queue() {
            self.dirty.push_back(id);
        }
    }

    /// After a write into a subscriber's stream: one newly queued is driven
    /// by the next flush; one whose connection panicked ends. True when the
    /// subscriber's queue overflowed (the caller asks for a keyframe).
    pub fn written(
        &mut self,
        subscriber: ParticipantId,
        written: Result<Written, Panicked>,
    ) -> bool {
        match written {
            Ok(Written::Queued) => self.dirty.push_back(subscriber),
            Ok(Written::Overflowed) => return true,
            Ok(Written::AlreadyQueued | Written::Dropped) => {}
            Err(Panicked) => self.panicked.push(subscriber),
        }
        false
    }

    /// A message to one participant.
    pub fn signal(&mut self, to: ParticipantId, message: ServerMessage) {
        self.signals.push_back((to, message));
    }
}
