//! The moderation part of the protocol: roles, permissions, room settings,
//! the lobby, chat and raised hands (docs/protocol.md, "Moderation").

use serde::{Deserialize, Serialize};

use crate::ids::ParticipantId;

/// Emojis a `react` message may carry.
pub const REACTIONS: [&str; 6] = ["👍", "👏", "😂", "😮", "❤️", "🎉"];
/// Longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 2000;
/// Longest room password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// At most this many people wait in one room (the lobby and those waiting
/// for a teacher to open it, together): as many as fit into a room of the
/// default size. The next one is refused with `lobbyFull`.
pub const LOBBY_CAP: usize = 100;

/// A participant's role in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// The teacher who opened the room (or, in an open room, the first one in).
    Owner,
    /// Another teacher of the room, or a guest a moderator promoted.
    Moderator,
    /// Everybody else.
    Participant,
}

/// What a participant may switch on themself right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    /// Unmute the microphone.
    pub audio: bool,
    /// Switch the camera on.
    pub video: bool,
    /// Share the screen.
    pub screen: bool,
}

/// What a moderator can grant: speaking, showing video, sharing the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PermissionKind {
    /// The microphone.
    Audio,
    /// The camera.
    Video,
    /// Screen sharing.
    Screen,
}

/// A room's settings; moderators change them with `roomSettings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomSettings {
    /// Guests knock and wait until a moderator admits them.
    pub lobby: bool,
    /// No new guests.
    pub locked: bool,
    /// Participants may unmute their microphone themselves.
    pub self_unmute_audio: bool,
    /// Participants may switch their camera on themselves.
    pub self_unmute_video: bool,
    /// The chat is on.
    pub chat: bool,
    /// Private messages between participants (to and from moderators always).
    pub private_chat: bool,
}

impl Default for RoomSettings {
    fn default() -> Self {
        Self {
            lobby: false,
            locked: false,
            self_unmute_audio: true,
            self_unmute_video: true,
            chat: true,
            private_chat: false,
        }
    }
}

/// A change of some room settings; absent fields stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChange {
    /// See [`RoomSettings::lobby`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lobby: Option<bool>,
    /// See [`RoomSettings::locked`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// See [`RoomSettings::self_unmute_audio`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_unmute_audio: Option<bool>,
    /// See [`RoomSettings::self_unmute_video`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_unmute_video: Option<bool>,
    /// See [`RoomSettings::chat`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<bool>,
    /// See [`RoomSettings::private_chat`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_chat: Option<bool>,
}

impl RoomSettings {
    /// These settings with `change` applied.
    pub fn with(self, change: &SettingsChange) -> Self {
        Self {
            lobby: change.lobby.unwrap_or(self.lobby),
            locked: change.locked.unwrap_or(self.locked),
            self_unmute_audio: change.self_unmute_audio.unwrap_or(self.self_unmute_audio),
            self_unmute_video: change.self_unmute_video.unwrap_or(self.self_unmute_video),
            chat: change.chat.unwrap_or(self.chat),
            private_chat: change.private_chat.unwrap_or(self.private_chat),
        }
    }
}

/// Why someone waits before entering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WaitReason {
    /// A school room that no teacher has opened yet.
    NotOpen,
    /// The lobby is on (or the person was removed before): a moderator decides.
    Lobby,
}

/// Someone in the lobby, as moderators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LobbyEntry {
    /// Their id (for `admit` and `deny`).
    pub id: ParticipantId,
    /// Display name.
    pub name: String,
    /// They were removed from this meeting before.
    pub removed: bool,
}

/// What a moderator did to a participant (told to that participant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModerationAction {
    /// Your microphone was switched off.
    AudioMuted,
    /// Your camera was switched off.
    VideoMuted,
    /// Your screen share was ended.
    ScreenShareStopped,
    /// You are a moderator now.
    Promoted,
    /// You are a participant again.
    Demoted,
    /// You were allowed something (`kind`).
    Granted,
    /// A permission (`kind`) was taken back.
    Revoked,
    /// Your raised hand was lowered.
    HandLowered,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Increasing within the room.
    pub id: u64,
    /// The sender.
    pub from: ParticipantId,
    /// The sender's display name when it was sent.
    pub from_name: String,
    /// The recipient of a private message; absent for the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<ParticipantId>,
    /// The text.
    pub text: String,
    /// When it was sent, milliseconds since 1970.
    pub at: u64,
}
