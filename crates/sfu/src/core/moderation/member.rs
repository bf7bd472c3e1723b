//! One admitted person as the moderation rules see them.

use std::time::Instant;

use tafelrunde_protocol::{ParticipantId, ParticipantInfo, Permissions, Role, RoomSettings};

/// An admitted member of a room.
#[derive(Debug, Clone)]
pub struct Member {
    /// Their participant id.
    pub id: ParticipantId,
    /// Who they are across connections: account id, or device cookie.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Owner, moderator or participant.
    pub role: Role,
    /// A teacher of the room (see [`Entry::teacher`](super::Entry)).
    pub teacher: bool,
    /// Microphone off (own switch, forced, or on arrival).
    pub audio_muted: bool,
    /// Camera off.
    pub video_muted: bool,
    /// What a moderator allowed them beyond the room's settings.
    pub granted: Permissions,
    /// When they last reacted (reactions are rate limited).
    pub last_reaction: Option<Instant>,
    /// Their connection dropped and may come back (shown to the others).
    pub reconnecting: bool,
}

impl Member {
    /// A member with microphone and camera off.
    pub fn new(id: ParticipantId, key: String, name: String, role: Role, teacher: bool) -> Self {
        Self {
            id,
            key,
            name,
            role,
            teacher,
            audio_muted: true,
            video_muted: true,
            granted: Permissions::default(),
            last_reaction: None,
            reconnecting: false,
        }
    }

    /// What they may switch on themself now. Moderators may everything;
    /// participants what the settings allow or a moderator granted.
    pub fn may(&self, settings: &RoomSettings, free: bool) -> Permissions {
        let moderator = free || self.role != Role::Participant;
        Permissions {
            audio: moderator || settings.self_unmute_audio || self.granted.audio,
            video: moderator || settings.self_unmute_video || self.granted.video,
            screen: moderator || self.granted.screen,
        }
    }

    /// How the others see them.
    pub fn info(&self, settings: &RoomSettings, free: bool, hand_raised: bool) -> ParticipantInfo {
        ParticipantInfo {
            id: self.id,
            name: self.name.clone(),
            audio_muted: self.audio_muted,
            video_muted: self.video_muted,
            role: self.role,
            teacher: self.teacher,
            hand_raised,
            may: self.may(settings, free),
            reconnecting: self.reconnecting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_may_what_the_settings_allow_or_a_moderator_granted() {
        let mut pupil = Member::new(
            ParticipantId(1),
            "k".into(),
            "P".into(),
            Role::Participant,
            false,
        );
        let strict = RoomSettings {
            self_unmute_audio: false,
            self_unmute_video: false,
            ..Default::default()
        };
        assert_eq!(pupil.may(&strict, false), Permissions::default());
        pupil.granted.audio = true;
        assert!(pupil.may(&strict, false).audio && !pupil.may(&strict, false).video);
        let open = pupil.may(&RoomSettings::default(), false);
        assert!(
            open.audio && open.video && !open.screen,
            "screen needs a grant"
        );
        assert!(
            pupil.may(&strict, true).screen,
            "connection tests have no rules"
        );
    }
}
