//! Rooms and the tracks published in them.

use std::time::Duration;

use str0m::media::Mid;
use tafelrunde_protocol::{MediaKind, ParticipantId, TrackId, TrackInfo};

use super::keyframe::KeyframeThrottle;

/// A room: who is in it, in the order they came.
#[derive(Debug, Default)]
pub struct Room {
    /// Members in order of arrival.
    pub members: Vec<ParticipantId>,
}

/// A track one participant publishes, and who receives it.
#[derive(Debug)]
pub struct Track {
    /// The track's id.
    pub id: TrackId,
    /// The publisher.
    pub owner: ParticipantId,
    /// The publisher's transceiver.
    pub mid: Mid,
    /// Audio or video.
    pub kind: MediaKind,
    /// Subscribers and the transceiver each receives it on.
    pub subscribers: Vec<(ParticipantId, Mid)>,
    /// Keyframe requests towards the publisher.
    pub keyframes: KeyframeThrottle,
}

impl Track {
    /// A new track without subscribers.
    pub fn new(id: TrackId, owner: ParticipantId, mid: Mid, kind: MediaKind, keyframe_interval: Duration) -> Self {
        Self { id, owner, mid, kind, subscribers: Vec::new(), keyframes: KeyframeThrottle::new(keyframe_interval) }
    }

    /// How the others learn about it.
    pub fn info(&self) -> TrackInfo {
        TrackInfo { id: self.id, participant_id: self.owner, kind: self.kind }
    }
}
