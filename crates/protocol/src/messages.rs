use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::ids::{ParticipantId, TrackId};
use crate::moderation::{
    ChatMessage, LobbyEntry, ModerationAction, PermissionKind, Permissions, Role, RoomSettings,
    SettingsChange, WaitReason,
};

/// Kind of a media track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MediaKind {
    /// Microphone audio (Opus).
    Audio,
    /// Camera video (VP8 or H.264).
    Video,
}

/// Where a track comes from; screen shares get bandwidth before cameras.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TrackSource {
    /// Microphone or camera.
    #[default]
    Device,
    /// A shared screen or window.
    Screen,
}

/// One simulcast layer of a video track, as the publisher encodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LayerSpec {
    /// The RTP stream id (`a=rid`) of the layer.
    pub rid: String,
    /// Its picture height in pixels.
    pub height: u32,
}

/// A track the client sends, named by the `mid` of its transceiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishedTrack {
    /// The transceiver's media id in the offer.
    pub mid: String,
    /// What the track carries.
    pub kind: MediaKind,
    /// Camera or screen (default: device).
    #[serde(default)]
    pub source: TrackSource,
    /// Simulcast layers from lowest to highest; absent or empty for a
    /// single-layer track.
    #[serde(default)]
    pub layers: Vec<LayerSpec>,
}

/// The size at which a subscribed video is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TileSize {
    /// The track shown.
    pub track_id: TrackId,
    /// Width in device pixels.
    pub width: u32,
    /// Height in device pixels.
    pub height: u32,
}

/// A track the client wants to receive, on the transceiver with this `mid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    /// The receiving transceiver's media id in the offer.
    pub mid: String,
    /// The track to receive on it.
    pub track_id: TrackId,
}

/// Messages from the browser to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientMessage {
    /// First message: enter a room.
    Join {
        /// Protocol version the client speaks; must be [`crate::PROTOCOL_VERSION`].
        version: u32,
        /// Room name, 1–[`crate::MAX_ROOM_CHARS`] characters.
        room: String,
        /// Display name shown to the others, 1–[`crate::MAX_NAME_CHARS`] characters.
        name: String,
        /// The room's password, when it has one (checked by the server before
        /// the room is entered).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
    },
    /// First message on a new socket instead of `join`: continue the session
    /// this token was given for (in `joined`), after the connection dropped.
    /// Answered with `joined` (`resumed: true`, a new token) or with the
    /// error `resumeFailed`; then join afresh.
    Resume {
        /// Protocol version the client speaks; must be [`crate::PROTOCOL_VERSION`].
        version: u32,
        /// The latest resume token the server gave this participant.
        token: String,
    },
    /// An SDP offer from the client. The client is always the offerer, so
    /// renegotiation can never collide (no glare).
    Offer {
        /// The SDP text.
        sdp: String,
        /// Transceivers on which the client sends.
        publish: Vec<PublishedTrack>,
        /// Transceivers on which the client wants to receive a track.
        subscribe: Vec<Subscription>,
    },
    /// Which subscribed videos are visible and how large. Videos not listed
    /// are off-screen and paused at the SFU. Until the first `layout`, every
    /// subscribed video counts as visible at full size.
    Layout {
        /// The visible videos.
        tiles: Vec<TileSize>,
    },
    /// The client's own microphone and camera state, shown to the others.
    Mute {
        /// Microphone off.
        audio: bool,
        /// Camera off.
        video: bool,
    },
    /// Keep-alive; answered with [`ServerMessage::Pong`].
    Ping,
    /// Leave the room; the server answers with [`ServerMessage::Bye`] and closes.
    Leave,
    /// Moderators: let these waiting people in.
    Admit {
        /// Who.
        participant_ids: Vec<ParticipantId>,
    },
    /// Moderators: send these waiting people away.
    Deny {
        /// Who.
        participant_ids: Vec<ParticipantId>,
    },
    /// Moderators: promote or demote someone.
    SetRole {
        /// Who.
        participant_id: ParticipantId,
        /// `moderator` or `participant` (never `owner`).
        role: Role,
    },
    /// Moderators: switch someone's microphone or camera off.
    ForceMute {
        /// Who; absent: everyone except moderators.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant_id: Option<ParticipantId>,
        /// Microphone or camera.
        kind: MediaKind,
    },
    /// Moderators: allow (or no longer allow) one person to speak, show video
    /// or share the screen.
    Grant {
        /// Who.
        participant_id: ParticipantId,
        /// What.
        kind: PermissionKind,
        /// Allow or take back.
        allowed: bool,
    },
    /// Moderators: grant `kind` and ask the participant to switch it on.
    AskToUnmute {
        /// Who.
        participant_id: ParticipantId,
        /// Microphone or camera.
        kind: MediaKind,
    },
    /// Moderators: end someone's screen share.
    StopScreenShare {
        /// Whose.
        participant_id: ParticipantId,
    },
    /// Moderators: remove someone from the meeting.
    Remove {
        /// Who.
        participant_id: ParticipantId,
    },
    /// Moderators: change the room's settings (absent fields stay).
    RoomSettings(SettingsChange),
    /// The owner and teacher moderators: end the meeting for everyone.
    EndMeeting,
    /// Raise or lower your own hand.
    Hand {
        /// Raised.
        raised: bool,
    },
    /// Moderators: lower someone's hand, or all hands.
    LowerHand {
        /// Whose; absent: all.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant_id: Option<ParticipantId>,
    },
    /// A short reaction shown to everyone.
    React {
        /// One of [`crate::REACTIONS`].
        emoji: String,
    },
    /// A chat message to the room, or privately to one participant.
    Chat {
        /// 1–[`crate::MAX_CHAT_CHARS`] characters.
        text: String,
        /// The recipient of a private message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<ParticipantId>,
    },
}

/// A participant as the others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantInfo {
    /// Participant id.
    pub id: ParticipantId,
    /// Display name.
    pub name: String,
    /// Microphone off.
    pub audio_muted: bool,
    /// Camera off.
    pub video_muted: bool,
    /// Owner, moderator or participant.
    pub role: Role,
    /// A teacher of the room (its own teacher; in a school room nobody saved,
    /// any teacher of the school), never a promoted guest.
    pub teacher: bool,
    /// The hand is raised.
    pub hand_raised: bool,
    /// What they may switch on themselves now.
    pub may: Permissions,
    /// Their connection dropped; the room keeps their place while it comes
    /// back (until the server's grace time is over, then they leave).
    #[serde(default)]
    pub reconnecting: bool,
}

/// A track that can be subscribed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackInfo {
    /// Track id, used in [`Subscription::track_id`].
    pub id: TrackId,
    /// Who publishes it.
    pub participant_id: ParticipantId,
    /// Audio or video.
    pub kind: MediaKind,
    /// Camera/microphone or screen.
    pub source: TrackSource,
}

/// An ICE server the client should use beside the SFU's own candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceServer {
    /// `turn:` / `turns:` URLs.
    pub urls: Vec<String>,
    /// Time-limited user name (TURN REST).
    pub username: String,
    /// Time-limited password (TURN REST).
    pub credential: String,
}

/// Why the server ends a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ByeReason {
    /// The client asked to leave.
    Left,
    /// The server is shutting down.
    ServerShutdown,
    /// The media connection failed or timed out.
    ConnectionLost,
    /// The connection broke the protocol too often.
    ProtocolAbuse,
    /// An internal error ended this participant (others are unaffected).
    InternalError,
    /// The operator switched the room's school to BigBlueButton in
    /// itslearning while the call ran (one service per school).
    SchoolUsesBigBlueButton,
    /// A moderator removed you.
    Removed,
    /// A moderator denied you entry.
    Denied,
    /// The meeting was ended for everyone.
    MeetingEnded,
    /// The connection-test room's time is over.
    TestOver,
    /// The login this connection was opened with has ended (logged out,
    /// account deactivated or deleted, session expired): its rights in the
    /// room end with it. Log in again (or join as a guest).
    SessionEnded,
}

/// Messages from the server to the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ServerMessage {
    /// Answer to [`ClientMessage::Join`]: you are in. Also the answer to
    /// [`ClientMessage::Resume`] (`resumed`), with the room as it is now.
    Joined {
        /// Protocol version of the server.
        version: u32,
        /// Your own participant id.
        participant_id: ParticipantId,
        /// The room's name as the server normalised it.
        room: String,
        /// Everybody else in the room.
        participants: Vec<ParticipantInfo>,
        /// Every track the others publish.
        tracks: Vec<TrackInfo>,
        /// TURN servers, if the operator configured one.
        ice_servers: Vec<IceServer>,
        /// Yourself: role, permissions, mute state.
        you: ParticipantInfo,
        /// The room's settings.
        settings: RoomSettings,
        /// The room's public chat history, oldest first.
        chat: Vec<ChatMessage>,
        /// Raised hands, in raise order.
        hands: Vec<ParticipantId>,
        /// Present in [`ClientMessage::Resume`] when the connection drops;
        /// secret, good for one use (a new one comes with every `joined`).
        resume_token: String,
        /// How long after a drop the session can still be resumed, in ms.
        resume_within_ms: u64,
        /// This continues an earlier session of the same participant: keep
        /// the media connection and restart its ICE.
        resumed: bool,
    },
    /// Someone entered the room.
    ParticipantJoined {
        /// The newcomer.
        participant: ParticipantInfo,
    },
    /// Someone's name or mute state changed.
    ParticipantUpdated {
        /// The new state.
        participant: ParticipantInfo,
    },
    /// Someone left the room.
    ParticipantLeft {
        /// Who left.
        participant_id: ParticipantId,
    },
    /// A new track is available.
    TrackAdded {
        /// The track.
        track: TrackInfo,
    },
    /// A track ended; its transceiver can be reused.
    TrackRemoved {
        /// The track.
        track_id: TrackId,
    },
    /// The SDP answer to the client's last offer.
    Answer {
        /// The SDP text.
        sdp: String,
    },
    /// Answer to [`ClientMessage::Ping`].
    Pong,
    /// The room's dominant speaker changed (`None`: nobody speaks).
    DominantSpeaker {
        /// Who speaks now.
        participant_id: Option<ParticipantId>,
    },
    /// Which simulcast layers of one of your tracks anybody needs; encode
    /// only these (saves upload and CPU).
    PublishLayers {
        /// The transceiver of the track.
        mid: String,
        /// The RIDs to keep sending; the others may be paused.
        active: Vec<String>,
    },
    /// Something the client sent was refused. Nothing of that message was applied.
    Error {
        /// Machine-readable code.
        code: ErrorCode,
        /// The offending field, where one is to blame.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        field: Option<String>,
        /// A human-readable explanation (English; the client translates `code`).
        message: String,
    },
    /// The session ends; the server closes the socket after this.
    Bye {
        /// Why.
        reason: ByeReason,
    },
    /// You wait before entering; `joined` or `bye` follows.
    Waiting {
        /// Why.
        reason: WaitReason,
    },
    /// To a moderator, once when they become one (on joining or when
    /// promoted) and somebody waits: the whole lobby, in arrival order.
    /// Afterwards only [`ServerMessage::LobbyChanged`] follows.
    Lobby {
        /// The people waiting.
        waiting: Vec<LobbyEntry>,
    },
    /// To moderators: who came into the lobby and who left it (admitted,
    /// denied, gone). Only the change, never the whole list again: a lobby
    /// of a hundred would otherwise be sent a hundred times.
    LobbyChanged {
        /// Newcomers, in arrival order (behind everybody waiting).
        added: Vec<LobbyEntry>,
        /// Those no longer waiting.
        removed: Vec<ParticipantId>,
    },
    /// The room's settings changed.
    RoomSettings {
        /// The new settings.
        settings: RoomSettings,
    },
    /// To the participant concerned: what a moderator did to them.
    Moderated {
        /// What.
        action: ModerationAction,
        /// The moderator's display name.
        by: String,
        /// For `granted` and `revoked`: which permission.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<PermissionKind>,
    },
    /// A moderator asks you to switch your microphone or camera on.
    UnmuteRequest {
        /// Microphone or camera.
        kind: MediaKind,
        /// The moderator's display name.
        by: String,
    },
    /// Raised hands changed.
    Hands {
        /// Raised hands, in raise order.
        queue: Vec<ParticipantId>,
    },
    /// Someone reacted.
    Reaction {
        /// Who.
        participant_id: ParticipantId,
        /// One of [`crate::REACTIONS`].
        emoji: String,
    },
    /// A chat message for you (public, or private to or from you).
    ChatMessage {
        /// The message.
        message: ChatMessage,
    },
}
