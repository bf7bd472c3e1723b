//! A room: who is in it, who speaks, and its moderation.

use tafelrunde_protocol::ParticipantId;

use super::moderation::Moderation;
use super::speaker::SpeakerDetector;

slotmap::new_key_type! {
    /// A room on its shard: a copyable key, so that the media path never
    /// clones or hashes the room's name. Keys of removed rooms are not reused.
    pub struct RoomId;
}

/// How many recent speakers are remembered for last-N.
const RECENT_SPEAKERS: usize = 8;
/// A room: who is in it, in the order they came, who speaks, and its
/// moderation state (roles, lobby, chat, hands).
#[derive(Debug)]
pub struct Room {
    /// Its name, as the signaling side and the room's link know it.
    pub name: String,
    /// Members with a media connection, in order of arrival.
    pub members: Vec<ParticipantId>,
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
            members: Vec::new(),
            moderation,
            speakers: SpeakerDetector::default(),
            recent_speakers: Vec::new(),
        }
    }

    /// Nobody in, nobody waiting, nobody expected back: the room can go.
    pub fn is_idle(&self) -> bool {
        self.members.is_empty() && self.moderation.is_idle()
    }

    /// Someone became the dominant speaker.
    pub fn spoke(&mut self, who: ParticipantId) {
        self.recent_speakers.retain(|p| *p != who);
        self.recent_speakers.insert(0, who);
        self.recent_speakers.truncate(RECENT_SPEAKERS);
    }
}
