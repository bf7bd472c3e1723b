//! The thin runtime around [`crate::core`]: shard threads with sockets,
//! timers and a command channel. Nothing here decides anything about media;
//! it moves bytes and time into the core and results out of it.

mod framing;
mod resume;
mod shard_thread;
mod tcp;
mod udp_batch;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError};

use crate::room_host::{Busy, Entry, ResumeError, RoomHost, RoomSeat, SignalSink};
use tafelrunde_protocol::{ClientMessage, ParticipantId};

pub use framing::{push_frame, take_frames};
use resume::{Holder, Token, Tokens};
use shard_thread::{Exit, RuntimeCommand, ShardThread};

/// Settings of the media plane.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Address the media sockets bind to.
    pub bind: IpAddr,
    /// Address announced to browsers in ICE candidates (the public address
    /// behind a NAT); the bind address when `None`.
    pub announce: Option<IpAddr>,
    /// UDP port of the first shard; shard `i` uses `udp_port + i`. 0 picks free ports.
    pub udp_port: u16,
    /// TCP port of the first shard, as above; `None` disables ICE-TCP.
    pub tcp_port: Option<u16>,
    /// Number of shard threads (one per core is right).
    pub shards: usize,
    /// At most one keyframe request per track in this interval.
    pub keyframe_interval: Duration,
    /// Largest room.
    pub max_room_size: usize,
    /// At most this many videos are forwarded to one subscriber (last-N).
    pub max_videos: usize,
    /// Estimate each subscriber's downlink and fit simulcast layers into it.
    pub bandwidth_estimation: bool,
    /// How long a room keeps the owner's role after the owner's connection dropped.
    pub owner_grace: Duration,
    /// How long a member whose connection dropped keeps their place and can
    /// resume their session.
    pub reconnect_grace: Duration,
}

/// Why the media plane could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A socket could not be bound.
    #[error("cannot bind media {proto} port {addr}: {source}")]
    Bind {
        /// "UDP" or "TCP".
        proto: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The DTLS certificate could not be made.
    #[error("cannot create the DTLS certificate: {0}")]
    Certificate(String),
    /// A thread or poller could not be created.
    #[error("cannot start a media shard: {0}")]
    Io(#[from] std::io::Error),
}

/// Joins, resumes and messages waiting for one shard. A shard this far behind is
/// overloaded: a further join or message is refused at once with
/// [`Busy`] (the client is told to try again) instead of queueing without
/// limit. 4096 is several seconds of signaling for a full shard.
const COMMAND_QUEUE: usize = 4096;

#[derive(Clone)]
struct ShardHandle {
    /// Joins and messages, bounded ([`COMMAND_QUEUE`]).
    commands: Sender<RuntimeCommand>,
    /// Departures and the stop: never refused, so a participant always
    /// leaves. Bounded by what it carries: one departure per participant
    /// handle, and one stop.
    exits: Sender<Exit>,
    waker: Arc<mio::Waker>,
}

impl ShardHandle {
    fn send(&self, command: RuntimeCommand) -> Result<(), Busy> {
        match self.commands.try_send(command) {
            Ok(()) => {
                let _ = self.waker.wake();
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err(Busy),
            // A stopped shard has nobody left to tell; dropping is right.
            Err(TrySendError::Disconnected(_)) => Ok(()),
        }
    }

    fn exit(&self, exit: Exit) {
        if self.exits.send(exit).is_ok() {
            let _ = self.waker.wake();
        }
    }
}

/// The running media plane: the shard threads and their addresses.
pub struct MediaPlane {
    shards: Vec<ShardHandle>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_participant: AtomicU64,
    /// Each seat's number: which of a participant's connections speaks for
    /// it (the newest; an older one's messages and departure are ignored).
    next_seat: AtomicU64,
    tokens: Arc<Tokens>,
    udp_addrs: Vec<SocketAddr>,
    tcp_addrs: Vec<SocketAddr>,
}

impl MediaPlane {
    /// Bind every shard's sockets and start its thread.
    pub fn start(config: &MediaConfig) -> Result<Self, StartError> {
        let provider = str0m::crypto::from_feature_flags();
        provider.clone().install_process_default();
        let cert = provider
            .dtls_provider
            .generate_certificate()
            .ok_or_else(|| StartError::Certificate("no certificate".into()))?;
        let mut plane = MediaPlane {
            shards: Vec::new(),
            threads: Mutex::new(Vec::new()),
            next_participant: AtomicU64::new(1),
            next_seat: AtomicU64::new(1),
            tokens: Arc::new(Tokens::new(config.reconnect_grace)),
            udp_addrs: Vec::new(),
            tcp_addrs: Vec::new(),
        };
        for index in 0..config.shards.max(1) {
            let thread = ShardThread::bind(index, config, cert.clone())?;
            plane.udp_addrs.push(thread.udp_addr());
            plane.tcp_addrs.extend(thread.tcp_addr());
            let (handle, join) = thread.spawn()?;
            plane.shards.push(handle);
            plane.threads.lock().expect("not poisoned").push(join);
        }
        Ok(plane)
    }

    /// The bound UDP address of every shard.
    pub fn udp_addrs(&self) -> &[SocketAddr] {
        &self.udp_addrs
    }

    /// The bound TCP address of every shard.
    pub fn tcp_addrs(&self) -> &[SocketAddr] {
        &self.tcp_addrs
    }

    /// Tell every participant the server is stopping and stop the shards.
    /// Returns when every shard thread has ended.
    pub fn shutdown(&self) {
        for shard in &self.shards {
            shard.exit(Exit::Stop);
        }
        let threads = std::mem::take(&mut *self.threads.lock().expect("not poisoned"));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl RoomHost for MediaPlane {
    /// A room lives on the shard its name picks; a [`Busy`] shard's command
    /// queue is full.
    fn join(
        &self,
        room: &str,
        name: &str,
        entry: Entry,
        sink: Box<dyn SignalSink>,
    ) -> Result<Box<dyn RoomSeat>, Busy> {
        let participant = ParticipantId(self.next_participant.fetch_add(1, Ordering::Relaxed));
        let index = shard_index(room, self.shards.len());
        let holder = Holder {
            shard: index,
            participant,
            key: entry.key.clone(),
        };
        let seat = self.next_seat.fetch_add(1, Ordering::Relaxed);
        self.shards[index].send(RuntimeCommand::Join {
            participant,
            seat,
            room: room.to_string(),
            name: name.to_string(),
            entry,
            sink,
        })?;
        Ok(Box::new(self.seat(seat, holder)))
    }

    fn resume(
        &self,
        token: &str,
        key: &str,
        sink: Box<dyn SignalSink>,
    ) -> Result<Box<dyn RoomSeat>, ResumeError> {
        let holder = self
            .tokens
            .redeem(token, key, Instant::now())
            .ok_or(ResumeError::UnknownToken)?;
        let seat = self.next_seat.fetch_add(1, Ordering::Relaxed);
        let sent = self.shards[holder.shard].send(RuntimeCommand::Resume {
            participant: holder.participant,
            seat,
            sink,
        });
        if sent.is_err() {
            // Nothing was passed on: the token stays good.
            self.tokens.restore(token, holder);
            return Err(ResumeError::Busy);
        }
        Ok(Box::new(self.seat(seat, holder)))
    }
}

impl MediaPlane {
    /// The seat numbered `seat` of the participant `holder` names, with
    /// the token that resumes it.
    fn seat(&self, seat: u64, holder: Holder) -> ParticipantHandle {
        ParticipantHandle {
            id: holder.participant,
            seat,
            shard: self.shards[holder.shard].clone(),
            token: self.tokens.issue(holder),
            tokens: Arc::clone(&self.tokens),
        }
    }
}

/// Every room lives on exactly one shard, chosen by its name, so that all of
/// a room's forwarding stays within one thread without locks.
fn shard_index(room: &str, shards: usize) -> usize {
    // FNV-1a: stable across runs and builds, unlike the std hasher.
    let hash = room.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    (hash % shards as u64) as usize
}

/// A participant's seat on a local shard.
struct ParticipantHandle {
    id: ParticipantId,
    /// Which of the participant's connections this is.
    seat: u64,
    shard: ShardHandle,
    token: Token,
    tokens: Arc<Tokens>,
}

impl RoomSeat for ParticipantHandle {
    fn id(&self) -> ParticipantId {
        self.id
    }

    fn resume_token(&self) -> &str {
        &self.token.secret
    }

    fn send(&self, message: ClientMessage) -> Result<(), Busy> {
        self.shard.send(RuntimeCommand::Message {
            participant: self.id,
            seat: self.seat,
            message,
        })
    }
}

impl Drop for ParticipantHandle {
    fn drop(&mut self) {
        self.tokens.dropped(&self.token, Instant::now());
        self.shard.exit(Exit::Participant(self.id, self.seat));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handle to a shard that never drains its queues, as an overloaded
    /// shard would not, and the receiving ends to look into them.
    fn stalled_shard() -> (
        ShardHandle,
        crossbeam_channel::Receiver<RuntimeCommand>,
        crossbeam_channel::Receiver<Exit>,
        mio::Poll,
    ) {
        let poll = mio::Poll::new().expect("poll");
        let waker = Arc::new(mio::Waker::new(poll.registry(), mio::Token(0)).expect("waker"));
        let (commands, commands_rx) = crossbeam_channel::bounded(COMMAND_QUEUE);
        let (exits, exits_rx) = crossbeam_channel::unbounded();
        let handle = ShardHandle {
            commands,
            exits,
            waker,
        };
        (handle, commands_rx, exits_rx, poll)
    }

    #[test]
    fn an_overloaded_shard_refuses_messages_but_every_participant_still_leaves() {
        let (shard, commands, exits, _poll) = stalled_shard();
        let tokens = Arc::new(Tokens::new(Duration::from_secs(60)));
        let handles: Vec<ParticipantHandle> = (0..3)
            .map(|i| ParticipantHandle {
                id: ParticipantId(i),
                seat: i + 10,
                shard: shard.clone(),
                token: tokens.issue(Holder {
                    shard: 0,
                    participant: ParticipantId(i),
                    key: "k".into(),
                }),
                tokens: Arc::clone(&tokens),
            })
            .collect();
        let mut taken = 0;
        while handles[taken % 3].send(ClientMessage::Ping).is_ok() {
            taken += 1;
            assert!(taken <= COMMAND_QUEUE, "the queue has no bound");
        }
        assert_eq!(taken, COMMAND_QUEUE);
        assert_eq!(handles[0].send(ClientMessage::Ping), Err(Busy));
        assert_eq!(
            commands.len(),
            COMMAND_QUEUE,
            "a refused message is not queued"
        );
        drop(handles);
        let left: Vec<ParticipantId> = exits
            .try_iter()
            .map(|e| match e {
                Exit::Participant(id, seat) => {
                    assert_eq!(seat, id.0 + 10, "each seat leaves as itself");
                    id
                }
                Exit::Stop => panic!("nobody stopped the shard"),
            })
            .collect();
        assert_eq!(left, [ParticipantId(0), ParticipantId(1), ParticipantId(2)]);
    }

    #[test]
    fn rooms_spread_over_shards_stably() {
        assert_eq!(shard_index("klasse-7a", 1), 0);
        let first = shard_index("klasse-7a", 4);
        assert_eq!(first, shard_index("klasse-7a", 4));
        let used: std::collections::HashSet<_> = (0..100)
            .map(|i| shard_index(&format!("raum-{i}"), 4))
            .collect();
        assert_eq!(used.len(), 4);
    }
}
