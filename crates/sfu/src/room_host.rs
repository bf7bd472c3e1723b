//! The one interface between signaling and rooms.
//!
//! Signaling knows rooms only through a [`RoomHost`]: it joins a person to a
//! room by name (or resumes their session on a new connection), passes that
//! person's messages on through their [`RoomSeat`], and drops the seat when
//! the connection ends; everything the room says arrives at the person's
//! [`SignalSink`]. A dropped seat keeps the person's place for the room's
//! grace time, during which a new connection may resume it. Where the room
//! runs is the host's business. Today's host is the
//! [`MediaPlane`](crate::MediaPlane) of this process (a shard thread per
//! core); a room on another node sits behind the same calls.

use tafelrunde_protocol::{ClientMessage, ParticipantId, ServerMessage};

pub use crate::core::moderation::{Entry, RoomKind};

/// Where signaling messages for one participant go (the WebSocket session).
/// It must not block: the room's thread calls it.
pub trait SignalSink: Send + 'static {
    /// Deliver one message.
    fn send(&self, message: ServerMessage);
}

/// The room's host is overloaded; try again shortly. Nothing was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the media server is busy")]
pub struct Busy;

/// Where rooms live.
pub trait RoomHost: Send + Sync + 'static {
    /// Enter `room` as the person `entry` describes (the server's word, never
    /// the client's). The answer (`joined`, `waiting` or an error) and
    /// everything after arrives at `sink`. Dropping the seat leaves the room.
    /// [`Busy`] when the room's host is overloaded: nothing was joined.
    fn join(
        &self,
        room: &str,
        name: &str,
        entry: Entry,
        sink: Box<dyn SignalSink>,
    ) -> Result<Box<dyn RoomSeat>, Busy>;

    /// Continue a session on a new connection: `token` is the latest
    /// resume token the participant was given, `key` who presents it (the
    /// same account or device that joined). The room answers at `sink`:
    /// `joined` (`resumed`) or the error `resumeFailed` (the session ended
    /// meanwhile; drop the seat). A seat still held by the old connection
    /// no longer speaks for the participant.
    fn resume(
        &self,
        token: &str,
        key: &str,
        sink: Box<dyn SignalSink>,
    ) -> Result<Box<dyn RoomSeat>, ResumeError>;
}

/// Why a session could not be resumed. Nothing was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// The token is unknown, used, expired, or not the presenter's.
    #[error("the resume token is unknown, used or expired")]
    UnknownToken,
    /// The room's host is overloaded; try again shortly.
    #[error("the media server is busy")]
    Busy,
}

/// One participant's place in a room, held by its signaling session.
/// Dropping it tells the room the connection is gone (a member keeps the
/// place for the grace time); that is never refused.
pub trait RoomSeat: Send + Sync {
    /// The participant's id.
    fn id(&self) -> ParticipantId;

    /// The secret that resumes this session on a new connection (once).
    fn resume_token(&self) -> &str;

    /// Pass a message from the participant to its room; [`Busy`] when the
    /// room's host is overloaded and the message was dropped.
    fn send(&self, message: ClientMessage) -> Result<(), Busy>;
}
