//! One shard's thread: a mio poll over its UDP socket, its TCP listener and
//! connections, and a waker for commands; the core does the rest.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, TryRecvError};
use mio::net::{TcpListener, UdpSocket};
use mio::{Events, Interest, Poll, Token, Waker};
use str0m::config::DtlsCert;
use str0m::net::Protocol;
use tafelrunde_protocol::{ParticipantId, ServerMessage};
use tracing::{debug, info, warn};

use super::tcp::{ReadOutcome, TcpConnection};
use super::udp_batch::{BatchReader, BatchWriter};
use super::{MediaConfig, ShardHandle, StartError};
use crate::core::moderation::Entry;
use crate::core::{Command, Shard, ShardConfig};
use crate::room_host::SignalSink;

const WAKER: Token = Token(0);
const UDP: Token = Token(1);
const LISTENER: Token = Token(2);
const FIRST_CONNECTION: usize = 3;
/// More TCP connections than this per shard are refused.
const MAX_TCP_CONNECTIONS: usize = 4096;

/// Socket buffers of a shard's UDP port. One socket carries every
/// participant of the shard, so bursts of hundreds of connections meet in its
/// receive buffer; the kernel's default (about 200 KiB) overflows. The kernel
/// caps the request at `net.core.rmem_max` / `wmem_max` (see docs/operating.md).
const UDP_BUFFER_BYTES: usize = 8 << 20;

fn bind_udp(addr: SocketAddr) -> io::Result<UdpSocket> {
    use socket2::{Domain, Protocol as SockProtocol, Socket, Type};
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::DGRAM,
        Some(SockProtocol::UDP),
    )?;
    // Best effort: a smaller buffer still works, only less well under bursts.
    let _ = socket.set_recv_buffer_size(UDP_BUFFER_BYTES);
    let _ = socket.set_send_buffer_size(UDP_BUFFER_BYTES);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(UdpSocket::from_std(socket.into()))
}

/// Commands from the signaling side.
pub enum RuntimeCommand {
    /// Join, with the sink for the participant's messages.
    Join {
        participant: ParticipantId,
        seat: u64,
        room: String,
        name: String,
        entry: Entry,
        sink: Box<dyn SignalSink>,
    },
    /// A new connection continues a participant's session: its sink
    /// replaces the old connection's.
    Resume {
        participant: ParticipantId,
        seat: u64,
        sink: Box<dyn SignalSink>,
    },
    /// A message of a participant, from one of its seats.
    Message {
        participant: ParticipantId,
        seat: u64,
        message: tafelrunde_protocol::ClientMessage,
    },
}

/// What must reach the shard even when it is overloaded.
pub enum Exit {
    /// One of the participant's seats (signaling connections) is gone.
    Participant(ParticipantId, u64),
    /// Tell everyone and stop.
    Stop,
}

pub struct ShardThread {
    index: usize,
    poll: Poll,
    udp: UdpSocket,
    udp_candidate: SocketAddr,
    listener: Option<TcpListener>,
    tcp_candidate: Option<SocketAddr>,
    shard: Shard,
    /// Where each participant's messages go: the sink of its newest seat.
    sinks: HashMap<ParticipantId, (u64, Box<dyn SignalSink>)>,
    connections: HashMap<Token, TcpConnection>,
    by_peer: HashMap<SocketAddr, Token>,
    next_token: usize,
    reader: BatchReader,
    writer: BatchWriter,
}

impl ShardThread {
    /// Bind the sockets of shard `index`.
    pub fn bind(index: usize, config: &MediaConfig, cert: DtlsCert) -> Result<Self, StartError> {
        let port = |base: u16| if base == 0 { 0 } else { base + index as u16 };
        let udp_addr = SocketAddr::new(config.bind, port(config.udp_port));
        let udp = bind_udp(udp_addr).map_err(|source| StartError::Bind {
            proto: "UDP",
            addr: udp_addr,
            source,
        })?;
        let listener = match config.tcp_port {
            Some(base) => {
                let addr = SocketAddr::new(config.bind, port(base));
                Some(TcpListener::bind(addr).map_err(|source| StartError::Bind {
                    proto: "TCP",
                    addr,
                    source,
                })?)
            }
            None => None,
        };
        let announce = config.announce.unwrap_or(config.bind);
        let udp_candidate = SocketAddr::new(announce, udp.local_addr()?.port());
        let tcp_candidate = match &listener {
            Some(l) => Some(SocketAddr::new(announce, l.local_addr()?.port())),
            None => None,
        };
        let mut shard = Shard::new(ShardConfig {
            udp_candidate,
            tcp_candidate,
            keyframe_interval: config.keyframe_interval,
            max_room_size: config.max_room_size,
            max_videos: config.max_videos,
            bandwidth_estimation: config.bandwidth_estimation,
            owner_grace: config.owner_grace,
            reconnect_grace: config.reconnect_grace,
            dtls_cert: cert,
        });
        // Chat messages carry wall-clock time; the core reads no clock itself.
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        shard.set_wall_clock(Instant::now(), unix_ms);
        Ok(Self {
            index,
            poll: Poll::new()?,
            udp,
            udp_candidate,
            listener,
            tcp_candidate,
            shard,
            sinks: HashMap::new(),
            connections: HashMap::new(),
            by_peer: HashMap::new(),
            next_token: FIRST_CONNECTION,
            reader: BatchReader::new(),
            writer: BatchWriter::new(),
        })
    }

    pub fn udp_addr(&self) -> SocketAddr {
        self.udp.local_addr().expect("bound")
    }

    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.listener
            .as_ref()
            .map(|l| l.local_addr().expect("bound"))
    }

    /// Start the thread.
    pub fn spawn(mut self) -> io::Result<(ShardHandle, JoinHandle<()>)> {
        let registry = self.poll.registry();
        registry.register(&mut self.udp, UDP, Interest::READABLE)?;
        if let Some(listener) = &mut self.listener {
            registry.register(listener, LISTENER, Interest::READABLE)?;
        }
        let waker = Arc::new(Waker::new(registry, WAKER)?);
        let (tx, rx) = crossbeam_channel::bounded(super::COMMAND_QUEUE);
        let (exits_tx, exits_rx) = crossbeam_channel::unbounded();
        let join = std::thread::Builder::new()
            .name(format!("shard-{}", self.index))
            .spawn(move || self.run(rx, exits_rx))?;
        Ok((
            ShardHandle {
                commands: tx,
                exits: exits_tx,
                waker,
            },
            join,
        ))
    }

    fn run(mut self, commands: Receiver<RuntimeCommand>, exits: Receiver<Exit>) {
        info!(shard = self.index, udp = %self.udp_candidate, tcp = ?self.tcp_candidate, "media shard running");
        let mut events = Events::with_capacity(256);
        loop {
            let timeout = self
                .shard
                .poll_timeout()
                .map(|at| at.saturating_duration_since(Instant::now()));
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    warn!(error = %e, "poll failed");
                }
            }
            let now = Instant::now();
            let mut stop = false;
            for event in events.iter() {
                match event.token() {
                    WAKER => stop |= self.take_commands(now, &commands, &exits),
                    UDP => self.read_udp(now),
                    LISTENER => self.accept(),
                    token => self.on_connection(now, token, event.is_readable()),
                }
            }
            self.shard.handle_timeout(Instant::now());
            self.send_output();
            if stop {
                info!(shard = self.index, "media shard stopped");
                return;
            }
        }
    }

    /// Returns true when the shard must stop.
    fn take_commands(
        &mut self,
        now: Instant,
        commands: &Receiver<RuntimeCommand>,
        exits: &Receiver<Exit>,
    ) -> bool {
        // Exits are taken first and carried out last: a participant's join
        // was queued before its departure, so every departure seen here
        // meets its join below, never the other way round.
        let exits: Vec<Exit> = exits.try_iter().collect();
        let mut stop = self.take_joins_and_messages(now, commands);
        for exit in exits {
            match exit {
                Exit::Participant(participant, seat) => {
                    // A connection the participant already resumed from
                    // speaks for nobody.
                    if self
                        .sinks
                        .get(&participant)
                        .is_some_and(|(s, _)| *s != seat)
                    {
                        continue;
                    }
                    self.sinks.remove(&participant);
                    self.shard
                        .handle_command(now, Command::Disconnected { participant });
                }
                Exit::Stop => {
                    self.shard.handle_command(now, Command::Shutdown);
                    stop = true;
                }
            }
            self.send_output();
        }
        stop
    }

    /// Returns true when the signaling side is gone.
    fn take_joins_and_messages(
        &mut self,
        now: Instant,
        commands: &Receiver<RuntimeCommand>,
    ) -> bool {
        loop {
            let command = match commands.try_recv() {
                Ok(command) => command,
                Err(TryRecvError::Empty) => return false,
                Err(TryRecvError::Disconnected) => {
                    self.shard.handle_command(now, Command::Shutdown);
                    return true;
                }
            };
            match command {
                RuntimeCommand::Join {
                    participant,
                    seat,
                    room,
                    name,
                    entry,
                    sink,
                } => {
                    self.sinks.insert(participant, (seat, sink));
                    self.shard.handle_command(
                        now,
                        Command::Join {
                            participant,
                            room,
                            name,
                            entry,
                        },
                    );
                }
                RuntimeCommand::Resume {
                    participant,
                    seat,
                    sink,
                } => {
                    // The old connection's sink goes; its session closes.
                    self.sinks.insert(participant, (seat, sink));
                    self.shard
                        .handle_command(now, Command::Resume { participant });
                }
                RuntimeCommand::Message {
                    participant,
                    seat,
                    message,
                } => {
                    if self
                        .sinks
                        .get(&participant)
                        .is_some_and(|(s, _)| *s != seat)
                    {
                        continue;
                    }
                    self.shard.handle_command(
                        now,
                        Command::Message {
                            participant,
                            message,
                        },
                    );
                }
            }
            self.send_output();
        }
    }

    /// Read what the socket holds, a batch at a time: each datagram goes to
    /// its sender's connection at once, the subscribers it reached are driven
    /// once per batch. The poll is edge-triggered, so the socket is read
    /// until it is empty.
    fn read_udp(&mut self, now: Instant) {
        loop {
            let (shard, candidate) = (&mut self.shard, self.udp_candidate);
            let read = self.reader.read(&self.udp, |source, data| {
                shard.receive(now, Protocol::Udp, source, candidate, data);
            });
            match read {
                Ok(0) => return,
                Ok(_) => {
                    self.shard.drive_touched(now);
                    self.send_output();
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // ICMP errors from a departed peer surface here; they concern nobody else.
                Err(e) => debug!(error = %e, "UDP receive error"),
            }
        }
    }

    fn accept(&mut self) {
        let Some(listener) = &self.listener else {
            return;
        };
        loop {
            match listener.accept() {
                Ok((mut stream, peer)) => {
                    if self.connections.len() >= MAX_TCP_CONNECTIONS {
                        warn!("too many ICE-TCP connections; refusing one");
                        continue;
                    }
                    let token = Token(self.next_token);
                    self.next_token += 1;
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if self
                        .poll
                        .registry()
                        .register(&mut stream, token, interest)
                        .is_err()
                    {
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    self.connections
                        .insert(token, TcpConnection::new(stream, peer));
                    self.by_peer.insert(peer, token);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    debug!(error = %e, "TCP accept error");
                    return;
                }
            }
        }
    }

    fn on_connection(&mut self, now: Instant, token: Token, readable: bool) {
        let Some(connection) = self.connections.get_mut(&token) else {
            return;
        };
        if !connection.flush() {
            return self.close(token);
        }
        if !readable {
            return;
        }
        let peer = connection.peer;
        let (shard, candidate) = (
            &mut self.shard,
            self.tcp_candidate.unwrap_or(self.udp_candidate),
        );
        let outcome = connection.read(|frame| {
            shard.receive(now, Protocol::Tcp, peer, candidate, frame);
        });
        self.shard.drive_touched(now);
        self.send_output();
        if let ReadOutcome::Closed = outcome {
            self.close(token);
        }
    }

    fn close(&mut self, token: Token) {
        if let Some(mut connection) = self.connections.remove(&token) {
            let _ = self.poll.registry().deregister(&mut connection.stream);
            self.by_peer.remove(&connection.peer);
        }
    }

    /// Send every datagram and signal the core has for us.
    fn send_output(&mut self) {
        while let Some(t) = self.shard.poll_transmit() {
            match t.proto {
                Protocol::Udp => self.writer.push(&self.udp, t.destination, t.contents),
                _ => {
                    let Some(token) = self.by_peer.get(&t.destination).copied() else {
                        continue;
                    };
                    let ok = self
                        .connections
                        .get_mut(&token)
                        .is_some_and(|c| c.send(&t.contents));
                    if !ok {
                        self.close(token);
                    }
                }
            }
        }
        self.writer.flush(&self.udp);
        while let Some((participant, message)) = self.shard.poll_signal() {
            let bye = matches!(message, ServerMessage::Bye { .. });
            if let Some((_, sink)) = self.sinks.get(&participant) {
                sink.send(message);
            }
            if bye {
                self.sinks.remove(&participant);
            }
        }
    }
}
