//! Tafelrunde's media plane: a selective forwarding unit on str0m.
//!
//! - [`core`] is sans-IO: rooms, tracks, subscriptions, RTP rewriting and
//!   keyframe policy, with time passed in. It owns every participant's str0m
//!   `Rtc` (itself sans-IO) and is tested without sockets.
//! - [`room_host`] is the one interface signaling sees: join a room, pass
//!   messages through a seat, leave by dropping it.
//! - [`runtime`] is the thin shell around it: one shard thread per core, each
//!   with its own UDP port and TCP listener, a `mio` poll loop and a command
//!   channel from the signaling side.
#![forbid(unsafe_code)]

pub mod core;
pub mod room_host;
pub mod runtime;
#[cfg(feature = "sim")]
pub mod sim;

pub use room_host::{Busy, Entry, ResumeError, RoomHost, RoomKind, RoomSeat, SignalSink};
pub use runtime::{MediaConfig, MediaPlane, StartError};
