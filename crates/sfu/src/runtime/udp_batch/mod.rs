//! UDP in batches: `recvmmsg` reads up to [`BATCH`] datagrams with one system
//! call, `sendmmsg` sends as many messages, and the datagrams one subscriber
//! gets in a row travel as one message with segmentation offload. A shard
//! forwarding a frame of eight packets to a hundred subscribers makes a few
//! system calls, and the kernel walks its stack once per subscriber, not
//! eight times.
//!
//! The buffers are allocated once per shard; reading and sending allocate
//! nothing.

mod gso;
mod read;
mod write;

use std::net::SocketAddr;

use nix::sys::socket::SockaddrStorage;

pub use read::BatchReader;
pub use write::BatchWriter;

/// Messages per system call: enough that the call's own cost is spread
/// thin, few enough that the first datagram of a batch waits well under a
/// millisecond for the last.
pub const BATCH: usize = 64;

/// Largest datagram read; WebRTC keeps below the path MTU, about 1 200 bytes.
const DATAGRAM: usize = 2048;

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

    /// Read until `count` datagrams came or five seconds passed.
    fn read_all(reader: &mut BatchReader, socket: &UdpSocket, count: usize) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while got.len() < count && Instant::now() < deadline {
            reader
                .read(socket, |_, data| got.push(data.to_vec()))
                .expect("read");
        }
        got
    }

    #[test]
    fn a_frame_sent_as_one_offloaded_message_arrives_as_its_own_datagrams_in_order() {
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let c = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let (to_b, to_c) = (b.local_addr().expect("b"), c.local_addr().expect("c"));
        // Each subscriber: audio, then a frame of equal packets and a short last one.
        let frame = |tag: u8| -> Vec<Vec<u8>> {
            let mut packets = vec![vec![tag; 120]];
            packets.extend((1..=5).map(|i| vec![tag + i; 1_100]));
            packets.push(vec![tag + 6; 300]);
            packets
        };
        let mut writer = BatchWriter::new();
        for packet in frame(10) {
            writer.push(&a, to_b, packet);
        }
        for packet in frame(20) {
            writer.push(&a, to_c, packet);
        }
        writer.flush(&a);
        let (mut rb, mut rc) = (BatchReader::new(), BatchReader::new());
        assert_eq!(read_all(&mut rb, &b, 7), frame(10));
        assert_eq!(read_all(&mut rc, &c, 7), frame(20));
    }

    #[test]
    fn a_destination_the_kernel_refuses_loses_only_its_own_datagrams() {
        // An IPv4 socket cannot send to an IPv6 address: the kernel refuses
        // those messages, offloaded or not; the run behind them still goes.
        let a = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let refused: SocketAddr = "[2001:db8::1]:9".parse().expect("address");
        let mut writer = BatchWriter::new();
        for _ in 0..3 {
            writer.push(&a, refused, vec![1; 1_000]);
        }
        let frame: Vec<Vec<u8>> = (2..6).map(|i| vec![i; 1_000]).collect();
        for packet in &frame {
            writer.push(&a, b.local_addr().expect("b"), packet.clone());
        }
        writer.flush(&a);
        assert_eq!(read_all(&mut BatchReader::new(), &b, 4), frame);
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
        let got = read_all(&mut BatchReader::new(), &b, 2);
        assert_eq!(got[0], vec![7; DATAGRAM], "cut to the buffer");
        assert_eq!(got[1], vec![8; 100], "the next one is whole");
    }
}
