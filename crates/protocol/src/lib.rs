//! Signaling messages between the Tafelrunde browser client and the server.
//!
//! This crate is the one source of truth for the signaling protocol
//! (`docs/protocol.md` describes it for people; `web/src/protocol/messages.ts`
//! mirrors it and a test checks that both agree on every message type).
//!
//! Messages are JSON objects with a `type` field, sent as WebSocket text
//! frames. The first message a client sends must be [`ClientMessage::Join`]
//! carrying [`PROTOCOL_VERSION`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod ids;
mod messages;
mod moderation;
mod parse;
pub mod text;

pub use error::{ErrorCode, ProtocolError};
pub use ids::{ParticipantId, TrackId};
pub use messages::{
    ByeReason, ClientMessage, IceServer, LayerSpec, MediaKind, ParticipantInfo, PublishedTrack,
    ServerMessage, Subscription, TileSize, TrackInfo, TrackSource,
};
pub use moderation::{
    ChatMessage, LobbyEntry, ModerationAction, PermissionKind, Permissions, Role, RoomSettings,
    SettingsChange, WaitReason, LOBBY_CAP, MAX_CHAT_CHARS, MAX_PASSWORD_CHARS, REACTIONS,
};
pub use parse::{parse_client_message, MAX_MESSAGE_BYTES, MAX_NAME_CHARS, MAX_ROOM_CHARS};

/// The protocol version this build speaks. A client announces its version in
/// its first message; the server refuses versions it does not speak.
pub const PROTOCOL_VERSION: u32 = 1;
