//! A room: its members' media, who speaks, and its moderation.

use tafelrunde_protocol::{ParticipantId, TrackInfo};

use super::forwarder::Forwarder;
use super::moderation::Moderation;
use super::speaker::SpeakerDetector;
use super::track::Track;

slotmap::new_key_type! {
    /// A room on its shard: a copyable key, so that the media path never
    /// clones or hashes the room's name. Keys of removed rooms are not reused.
    pub struct RoomId;
}

/// How many recent speakers are remembered for last-N.
const RECENT_SPEAKERS: usize = 8;
/// A room: the unit of ownership. It owns its members' media connections,
/// the tracks they publish, who speaks, and its moderation state (roles,
/// lobby, chat, hands); nothing of one room is reachable from another.
pub struct Room {
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
}

impl Room {
    /// An empty room.
    pub fn new(name: String, moderation: Moderation) -> Self {
        Self {
            name,
            media: Forwarder::default(),
            moderation,
            speakers: SpeakerDetector::default(),
            recent_speakers: Vec::new(),
        }
    }

    /// Nobody in, nobody waiting, nobody expected back: the room can go.
    pub fn is_idle(&self) -> bool {
        self.media.peers.is_empty() && self.moderation.is_idle()
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
}
