use serde::{Deserialize, Serialize};
use std::fmt;

/// Machine-readable error codes of [`crate::ServerMessage::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The frame is not valid JSON, or not a JSON object.
    BadJson,
    /// A text frame was expected (binary frames are not used).
    BinaryFrame,
    /// The `type` is not one this server knows.
    UnknownType,
    /// A required field is missing.
    MissingField,
    /// A field has the wrong type or an invalid value.
    InvalidField,
    /// The message is larger than [`crate::MAX_MESSAGE_BYTES`].
    MessageTooLarge,
    /// The first message must be `join`.
    NotJoined,
    /// `join` was sent twice.
    AlreadyJoined,
    /// The client's protocol version is not supported.
    UnsupportedVersion,
    /// The SDP offer could not be accepted.
    BadSdp,
    /// The room is full.
    RoomFull,
    /// Too many people wait in this room's lobby already
    /// ([`crate::LOBBY_CAP`]); try again later.
    LobbyFull,
    /// Too many messages in a short time.
    RateLimited,
    /// The server is shutting down and accepts no new participants.
    ShuttingDown,
    /// The room belongs to a school that uses BigBlueButton in itslearning
    /// (the room name starts with its Dienststellennummer).
    SchoolUsesBigBlueButton,
    /// You may not do this (your role or the room's settings forbid it).
    NotAllowed,
    /// The room has a password and `join` carried none.
    PasswordRequired,
    /// The password in `join` is wrong.
    WrongPassword,
    /// The room is locked: no new guests.
    RoomLocked,
    /// The chat is off for participants.
    ChatDisabled,
    /// No such participant in this room (or its lobby).
    NoSuchParticipant,
    /// Not a school room, and the operator does not allow open rooms.
    UnknownRoom,
    /// `resume` failed: the token is unknown, used or expired, or the
    /// session ended (grace over, removed, left). Join afresh.
    ResumeFailed,
    /// The server could not handle this now (e.g. its database is
    /// unreachable); nothing changed, try again.
    InternalError,
}

/// Why a client message was refused: the code, the field and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// Machine-readable code.
    pub code: ErrorCode,
    /// The offending field, if any.
    pub field: Option<String>,
    /// Explanation for people.
    pub message: String,
}

impl ProtocolError {
    /// An error without a field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            field: None,
            message: message.into(),
        }
    }

    /// An error that names the offending field.
    pub fn field(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The error as a message to send to the client.
    pub fn to_message(&self) -> crate::ServerMessage {
        crate::ServerMessage::Error {
            code: self.code,
            field: self.field.clone(),
            message: self.message.clone(),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{:?} ({field}): {}", self.code, self.message),
            None => write!(f, "{:?}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for ProtocolError {}
