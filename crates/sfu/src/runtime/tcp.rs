//! Passive ICE-TCP connections of a shard (for networks that block UDP).

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::net::TcpStream;

use super::framing::{push_frame, take_frames};

/// Bytes queued for one TCP connection before further packets are dropped:
/// a slow connection must not hold the shard's memory.
const MAX_QUEUED: usize = 1 << 20;
/// A peer that sends a partial frame larger than this is misbehaving.
const MAX_BUFFERED: usize = 70_000;

/// One accepted TCP connection.
pub struct TcpConnection {
    pub stream: TcpStream,
    pub peer: SocketAddr,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
}

/// What reading did.
pub enum ReadOutcome {
    /// The connection is open; read more later.
    Open,
    /// The peer closed it, or it broke.
    Closed,
}

impl TcpConnection {
    pub fn new(stream: TcpStream, peer: SocketAddr) -> Self {
        Self {
            stream,
            peer,
            incoming: Vec::new(),
            outgoing: Vec::new(),
        }
    }

    /// Read everything available; call `frame` for each complete frame.
    pub fn read(&mut self, mut frame: impl FnMut(&[u8])) -> ReadOutcome {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return ReadOutcome::Closed,
                Ok(n) => {
                    self.incoming.extend_from_slice(&chunk[..n]);
                    take_frames(&mut self.incoming, &mut frame);
                    if self.incoming.len() > MAX_BUFFERED {
                        return ReadOutcome::Closed;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Open,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return ReadOutcome::Closed,
            }
        }
    }

    /// Queue a packet and send what the socket takes. Returns false if the
    /// connection broke.
    pub fn send(&mut self, packet: &[u8]) -> bool {
        if self.outgoing.len() + packet.len() + 2 <= MAX_QUEUED {
            push_frame(&mut self.outgoing, packet);
        }
        self.flush()
    }

    /// Send what is queued. Returns false if the connection broke.
    pub fn flush(&mut self) -> bool {
        while !self.outgoing.is_empty() {
            match self.stream.write(&self.outgoing) {
                Ok(0) => return false,
                Ok(n) => {
                    self.outgoing.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        true
    }
}
