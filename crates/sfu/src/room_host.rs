//! The one interface between signaling and rooms.
//!
//! Signaling knows rooms only through a [`RoomHost`]: it joins a person to a
//! room by name, passes that person's messages on through their
//! [`RoomSeat`], and leaves by dropping the seat; everything the room says
//! arrives at the person's [`SignalSink`]. Where the room runs is the host's
//! business. Today's host is the [`MediaPlane`](crate::MediaPlane) of this
//! process (a shard thread per core); a room on another node, or a seat kept
//! open while its connection comes back, sits behind the same three calls.

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
}

/// One participant's place in a room, held by its signaling session.
/// Dropping it leaves the room; leaving is never refused.
pub trait RoomSeat: Send + Sync {
    /// The participant's id.
    fn id(&self) -> ParticipantId;

    /// Pass a message from the participant to its room; [`Busy`] when the
    /// room's host is overloaded and the message was dropped.
    fn send(&self, message: ClientMessage) -> Result<(), Busy>;
}
