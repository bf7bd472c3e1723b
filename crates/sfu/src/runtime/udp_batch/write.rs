//! Sending: datagrams are queued and sent with `sendmmsg`, runs to one
//! destination as one offloaded message each (see [`gso`](super::gso)).

use std::cell::RefCell;
use std::io::IoSlice;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};

use nix::cmsg_space;
use nix::errno::Errno;
use nix::sys::socket::{
    sendmmsg, setsockopt, sockopt, ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage,
};
use tracing::warn;

use super::gso::{self, Plan};
use super::BATCH;

/// Datagrams queued before they are sent: a few subscribers' share of a
/// batch read, so that each subscriber's packets sit side by side.
const QUEUE: usize = 4 * BATCH;

thread_local! {
    /// The system call's message headers, without and with room for the
    /// segment size. They hold raw pointers, so they cannot move between
    /// threads; each shard thread has its own, made on first use.
    static HEADERS: RefCell<(MultiHeaders<SockaddrStorage>, MultiHeaders<SockaddrStorage>)> =
        RefCell::new((
            MultiHeaders::preallocate(BATCH, None),
            MultiHeaders::preallocate(BATCH, Some(cmsg_space!(u16))),
        ));
}

/// Collects datagrams and sends them in batches.
pub struct BatchWriter {
    queued: Vec<(SocketAddr, Vec<u8>)>,
    /// Whether the kernel takes segmentation offload; asked on first use.
    offload: Option<bool>,
}

impl BatchWriter {
    pub fn new() -> Self {
        Self {
            queued: Vec::with_capacity(QUEUE),
            offload: None,
        }
    }

    /// Queue a datagram; a full queue is sent at once.
    pub fn push<S: AsRawFd + AsFd>(
        &mut self,
        socket: &S,
        destination: SocketAddr,
        datagram: Vec<u8>,
    ) {
        self.queued.push((destination, datagram));
        if self.queued.len() == QUEUE {
            self.flush(socket);
        }
    }

    /// Send everything queued. What the kernel does not take is dropped:
    /// media heals by NACK or the next keyframe, and nobody else waits. When
    /// the first message of a call is refused (an unreachable peer), only it
    /// is dropped and the rest go on; when the kernel stops within a call (a
    /// full send buffer), the rest of that call is dropped, as a `sendto`
    /// into a full buffer would drop them one by one.
    pub fn flush<S: AsRawFd + AsFd>(&mut self, socket: &S) {
        // Kernels before 4.18 know no offload; ask once per socket.
        let mut offload = *self
            .offload
            .get_or_insert_with(|| setsockopt(socket, sockopt::UdpGsoSegment, &0).is_ok());
        let mut start = 0;
        while start < self.queued.len() {
            let plan = gso::plan(&self.queued, start, offload);
            let first = plan.messages[0].end;
            let last = plan.messages[plan.count - 1].end;
            match self.send(socket, &plan) {
                Ok(()) => start = last,
                // The device or route cannot offload after all (EIO): send
                // every datagram on its own from now on.
                Err(Errno::EIO) if plan.segment.is_some() => {
                    warn!("UDP segmentation offload refused; sending datagrams one by one");
                    self.offload = Some(false);
                    offload = false;
                }
                // This path refused the offloaded call (a segment larger
                // than its MTU, say): the same datagrams go one by one.
                Err(_) if plan.segment.is_some() => {
                    let plain = gso::plan(&self.queued[..last], start, false);
                    start = match self.send(socket, &plain) {
                        Ok(()) => plain.messages[plain.count - 1].end,
                        Err(_) => plain.messages[0].end,
                    };
                }
                Err(_) => start = first,
            }
        }
        self.queued.clear();
    }

    fn send<S: AsRawFd>(&self, socket: &S, plan: &Plan) -> Result<(), Errno> {
        let messages = &plan.messages[..plan.count];
        let stretch = messages[0].start..messages[plan.count - 1].end;
        let mut datagrams = self.queued[stretch.clone()].iter();
        let slices: [IoSlice; QUEUE] =
            std::array::from_fn(|_| IoSlice::new(datagrams.next().map_or(&[][..], |(_, d)| d)));
        let mut addresses: [Option<SockaddrStorage>; BATCH] = [None; BATCH];
        let mut iovs: [&[IoSlice]; BATCH] = [&[]; BATCH];
        for ((address, iov), message) in addresses.iter_mut().zip(&mut iovs).zip(messages) {
            *address = Some(SockaddrStorage::from(self.queued[message.start].0));
            *iov = &slices[message.start - stretch.start..message.end - stretch.start];
        }
        let iovs = &iovs[..plan.count];
        let addresses = &addresses[..plan.count];
        // The results are not read: nix would read addresses that only a
        // receive fills in.
        HEADERS.with_borrow_mut(|(plain, offloaded)| match plan.segment {
            None => sendmmsg(
                socket.as_raw_fd(),
                plain,
                iovs,
                addresses,
                [],
                MsgFlags::MSG_DONTWAIT,
            )
            .map(drop),
            Some(segment) => sendmmsg(
                socket.as_raw_fd(),
                offloaded,
                iovs,
                addresses,
                [ControlMessage::UdpGsoSegments(&segment)],
                MsgFlags::MSG_DONTWAIT,
            )
            .map(drop),
        })
    }
}
