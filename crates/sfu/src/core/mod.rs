//! The sans-IO core of the media plane: one [`Shard`] owns a set of rooms and
//! every participant's str0m connection in them.
//!
//! # Driving the core
//!
//! The core owns no socket, no thread and no clock. Its owner
//!
//! 1. feeds it one change: [`Shard::handle_command`], [`Shard::handle_receive`]
//!    or [`Shard::handle_timeout`], each with the current time `now`;
//! 2. then drains [`Shard::poll_transmit`] (datagrams to send) and
//!    [`Shard::poll_signal`] (messages to participants) until both are empty;
//! 3. then sleeps until [`Shard::poll_timeout`] or the next input.
//!
//! This is str0m's own rule, one level up: a shard drives each `Rtc` until it
//! returns a timeout, and a timer heap remembers those timeouts so that only
//! due connections are woken.
//!
//! A runtime that reads datagrams in batches feeds each with
//! [`Shard::receive`] and then calls [`Shard::drive_touched`] once: the
//! sender of each datagram is driven at once (str0m holds one received packet
//! at a time), but every subscriber the batch wrote to is driven only once,
//! however many packets it got.

mod allocate;
mod codec;
mod down_track;
mod forwarder;
mod gop_cache;
mod incoming;
mod keyframe;
pub mod moderation;
mod outbox;
mod peer;
mod policy;
mod rewrite;
mod room;
mod room_id;
mod sdp_check;
mod shard;
mod speaker;
mod stun;
mod timers;
mod track;
mod vp8;

#[cfg(test)]
mod moderation_tests;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::time::Duration;

use str0m::config::DtlsCert;
use str0m::net::Protocol;
use tafelrunde_protocol::{ClientMessage, ParticipantId};

pub use allocate::{allocate, LayerView, VideoDemand};
pub use codec::{starts_keyframe, VideoCodec};
pub use keyframe::KeyframeThrottle;
pub use rewrite::{Rewritten, RtpRewriter};
pub use sdp_check::{offered_media, OfferDirection, OfferedMedia};
pub use speaker::SpeakerDetector;
pub use stun::{is_stun, local_ufrag};
pub use timers::TimerHeap;
pub use vp8::{Vp8Numbers, Vp8Rewriter};

pub use shard::Shard;

/// Settings of one shard.
#[derive(Debug, Clone)]
pub struct ShardConfig {
    /// The UDP address announced as ICE host candidate.
    pub udp_candidate: SocketAddr,
    /// The TCP address announced as passive ICE-TCP candidate, if any.
    pub tcp_candidate: Option<SocketAddr>,
    /// At most one keyframe request per track in this interval.
    pub keyframe_interval: Duration,
    /// Largest room.
    pub max_room_size: usize,
    /// At most this many videos are forwarded to one subscriber (last-N).
    pub max_videos: usize,
    /// Estimate each subscriber's downlink (TWCC) and fit layers into it.
    pub bandwidth_estimation: bool,
    /// How long a room keeps the owner's role after the owner's connection dropped.
    pub owner_grace: Duration,
    /// How long a member whose connection dropped keeps their place (and
    /// can resume) before they leave.
    pub reconnect_grace: Duration,
    /// One DTLS certificate for all connections of the shard (generating one
    /// per connection costs milliseconds of CPU per join).
    pub dtls_cert: DtlsCert,
}

/// A command for the shard, from the signaling side.
#[derive(Debug)]
pub enum Command {
    /// A participant enters a room (created when empty).
    Join {
        /// Its id (unique in the process).
        participant: ParticipantId,
        /// Room name.
        room: String,
        /// Display name.
        name: String,
        /// Who they are, as the server knows them, and the room's kind.
        entry: moderation::Entry,
    },
    /// A message from a participant that already joined (offer, mute, leave).
    Message {
        /// Who sent it.
        participant: ParticipantId,
        /// What it sent.
        message: ClientMessage,
    },
    /// The signaling connection is gone. A member keeps their place for
    /// the grace time; someone waiting leaves.
    Disconnected {
        /// Whose.
        participant: ParticipantId,
    },
    /// A new signaling connection continues a participant's session (the
    /// runtime checked its resume token): the participant gets `joined`
    /// (`resumed`), or the error `resumeFailed` when it is no longer there.
    Resume {
        /// Whose.
        participant: ParticipantId,
    },
    /// End every participant with `bye {serverShutdown}`.
    Shutdown,
}

/// A datagram (or RFC 4571 frame, for TCP) to send.
#[derive(Debug)]
pub struct Transmit {
    /// UDP or TCP.
    pub proto: Protocol,
    /// Our address it leaves from.
    pub source: SocketAddr,
    /// Where to.
    pub destination: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
}
