//! UDP in batches: `recvmmsg` reads up to [`BATCH`] datagrams with one system
//! call, `sendmmsg` sends as many. A shard forwarding one packet to a hundred
//! subscribers makes two system calls instead of a hundred.
//!
//! The buffers are allocated once per shard; reading and sending allocate
//! nothing.

use std::cell::RefCell;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::sys::socket::{recvmmsg, sendmmsg, MsgFlags, MultiHeaders, SockaddrStorage};

/// Datagrams per system call: enough that the call's own cost is spread
/// thin, few enough that the first datagram of a batch waits well under a
/// millisecond for the last.
pub const BATCH: usize = 64;

/// Largest datagram read; WebRTC keeps below the path MTU, about 1 200 bytes.
const DATAGRAM: usize = 2048;

thread_local! {
    /// The system calls' message headers. They hold raw pointers, so they
    /// cannot move between threads; each shard thread has its own pair, made
    /// on first use.
    static HEADERS: RefCell<(MultiHeaders<SockaddrStorage>, MultiHeaders<SockaddrStorage>)> =
        RefCell::new((
            MultiHeaders::preallocate(BATCH, None),
            MultiHeaders::preallocate(BATCH, None),
        ));
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
        let count = HEADERS.with_borrow_mut(|(headers, _)| {
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

/// Collects datagrams and sends them in batches.
pub struct BatchWriter {
    queued: Vec<(SocketAddr, Vec<u8>)>,
}

impl BatchWriter {
    pub fn new() -> Self {
        Self {
            queued: Vec::with_capacity(BATCH),
        }
    }

    /// Queue a datagram; a full batch is sent at once.
    pub fn push(&mut self, socket: &impl AsRawFd, destination: SocketAddr, datagram: Vec<u8>) {
        self.queued.push((destination, datagram));
        if self.queued.len() == BATCH {
            self.flush(socket);
        }
    }

    /// Send everything queued. What the kernel does not take is dropped:
    /// media heals by NACK or the next keyframe, and nobody else waits. When
    /// the first datagram of a call is refused (an unreachable peer), only it
    /// is dropped and the rest go on; when the kernel stops within a call (a
    /// full send buffer), the rest of that call is dropped, as a `sendto`
    /// into a full buffer would drop them one by one.
    pub fn flush(&mut self, socket: &impl AsRawFd) {
        let mut start = 0;
        while start < self.queued.len() {
            let batch = &self.queued[start..];
            let n = batch.len().min(BATCH);
            let mut addresses: [Option<SockaddrStorage>; BATCH] = [None; BATCH];
            for (slot, (destination, _)) in addresses.iter_mut().zip(batch) {
                *slot = Some(SockaddrStorage::from(*destination));
            }
            let mut datagrams = batch.iter();
            let slices: [[IoSlice; 1]; BATCH] = std::array::from_fn(|_| {
                [IoSlice::new(datagrams.next().map_or(&[][..], |(_, d)| d))]
            });
            // The results are not read: nix would read addresses that only
            // a receive fills in.
            let sent = HEADERS.with_borrow_mut(|(_, headers)| {
                sendmmsg(
                    socket.as_raw_fd(),
                    headers,
                    slices[..n].iter(),
                    &addresses[..n],
                    [],
                    MsgFlags::MSG_DONTWAIT,
                )
                .is_ok()
            });
            start += if sent { n } else { 1 };
        }
        self.queued.clear();
    }
}

fn socket_addr(address: SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    address
        .as_sockaddr_in6()
        .map(|v6| SocketAddr::V6((*v6).into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::time::{Duration, Instant};

    #[test]
    fn datagrams_sent_in_batches_arrive_whole_with_their_sender() {
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let to = b.local_addr().expect("address");
        let mut writer = BatchWriter::new();
        let count = 2 * BATCH + 7;
        for i in 0..count {
            writer.push(&a, to, vec![i as u8; 100 + i]);
        }
        writer.flush(&a);

        let mut reader = BatchReader::new();
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while got.len() < count && Instant::now() < deadline {
            let n = reader
                .read(&b, |from, data| got.push((from, data.to_vec())))
                .expect("read");
            assert!(n <= BATCH);
            if n == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        assert_eq!(got.len(), count);
        let from = a.local_addr().expect("address");
        for (i, (sender, data)) in got.iter().enumerate() {
            assert_eq!(*sender, from);
            assert_eq!(data, &vec![i as u8; 100 + i]);
        }
        assert_eq!(
            reader
                .read(&b, |_, _| panic!("nothing more"))
                .expect("read"),
            0
        );
    }

    #[test]
    fn a_datagram_larger_than_the_buffer_is_cut_not_fatal() {
        // Anyone can send the media port a 60 KB datagram; WebRTC never does.
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let to = b.local_addr().expect("address");
        let mut writer = BatchWriter::new();
        writer.push(&a, to, vec![7; 60_000]);
        writer.push(&a, to, vec![8; 100]);
        writer.flush(&a);
        let mut reader = BatchReader::new();
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while got.len() < 2 && Instant::now() < deadline {
            reader
                .read(&b, |_, data| got.push(data.to_vec()))
                .expect("read");
        }
        assert_eq!(got[0], vec![7; DATAGRAM], "cut to the buffer");
        assert_eq!(got[1], vec![8; 100], "the next one is whole");
    }
}
