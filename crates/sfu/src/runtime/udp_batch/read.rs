//! Reading: `recvmmsg` takes up to [`BATCH`] datagrams with one system call.

use std::cell::RefCell;
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::socket::{recvmmsg, MsgFlags, MultiHeaders, SockaddrStorage};

use super::{socket_addr, BATCH, DATAGRAM};

thread_local! {
    /// The system call's message headers. They hold raw pointers, so they
    /// cannot move between threads; each shard thread has its own, made on
    /// first use.
    static HEADERS: RefCell<MultiHeaders<SockaddrStorage>> =
        RefCell::new(MultiHeaders::preallocate(BATCH, None));
}

/// Reads batches of datagrams.
pub struct BatchReader {
    buffers: Vec<[u8; DATAGRAM]>,
    received: [(usize, Option<SocketAddr>); BATCH],
}

impl BatchReader {
    pub fn new() -> Self {
        Self {
            buffers: vec![[0; DATAGRAM]; BATCH],
            received: [(0, None); BATCH],
        }
    }

    /// Read what the socket holds, up to [`BATCH`] datagrams, and hand each
    /// to `each` with its sender. Returns how many were read; 0 when nothing
    /// was waiting.
    pub fn read(
        &mut self,
        socket: &impl AsRawFd,
        mut each: impl FnMut(SocketAddr, &[u8]),
    ) -> io::Result<usize> {
        let count = HEADERS.with_borrow_mut(|headers| {
            let mut buffers = self.buffers.iter_mut();
            let mut slices: [[IoSliceMut; 1]; BATCH] =
                std::array::from_fn(|_| [IoSliceMut::new(buffers.next().expect("BATCH buffers"))]);
            let results = match recvmmsg(
                socket.as_raw_fd(),
                headers,
                slices.iter_mut(),
                MsgFlags::MSG_DONTWAIT,
                None,
            ) {
                Ok(results) => results,
                Err(Errno::EAGAIN) => return Ok(0),
                Err(e) => return Err(io::Error::from(e)),
            };
            let mut count = 0;
            for (slot, message) in self.received.iter_mut().zip(results) {
                *slot = (message.bytes, message.address.and_then(socket_addr));
                count += 1;
            }
            Ok(count)
        })?;
        for (buffer, (len, source)) in self.buffers.iter().zip(&self.received[..count]) {
            if let Some(source) = source {
                // A larger datagram was cut to the buffer; never index past it.
                each(*source, &buffer[..(*len).min(DATAGRAM)]);
            }
        }
        Ok(count)
    }
}
