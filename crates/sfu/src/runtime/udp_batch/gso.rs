//! Which queued datagrams travel together. Linux sends a run of datagrams to
//! one destination as one message with UDP generic segmentation offload
//! (`UDP_SEGMENT`): the stack is walked once for the run and the datagrams
//! are cut apart at its end. A subscriber receiving the packets of one video
//! frame gets them as one message instead of eight.
//!
//! A run is a row of datagrams to one destination, all of one size but the
//! last, which may be shorter; that is what the kernel cuts back into the
//! same datagrams. All messages of one `sendmmsg` call share one segment size
//! (the call's control messages are shared); a single datagram no longer
//! than that size is sent as it is, so runs and single datagrams mix in one
//! call as long as the runs agree on their size.

use std::net::SocketAddr;
use std::ops::Range;

use super::BATCH;

/// Largest segment sent with offload: a segment and its IPv6 and UDP headers
/// must fit the smallest path MTU the kernel allows offload on (1 500 bytes).
/// WebRTC packets stay near 1 200 bytes.
pub const MAX_SEGMENT: usize = 1_400;

/// The kernel's limit on segments per message (`UDP_MAX_SEGMENTS`).
const MAX_SEGMENTS: usize = 64;

/// A UDP datagram carries at most this payload, and so does one offloaded run.
const MAX_RUN_BYTES: usize = 65_000;

/// The messages of one `sendmmsg` call.
pub struct Plan {
    /// Each message's datagrams, as indices into the queue, in order.
    pub messages: [Range<usize>; BATCH],
    /// How many of `messages` are used; at least one when anything is queued.
    pub count: usize,
    /// The segment size every message of the call carries; `None` when the
    /// call holds no run, and its messages go without offload.
    pub segment: Option<u16>,
}

/// Plan the next call from `start` of the queue (each datagram with its
/// destination). Without `offload`, every datagram is a message of its own.
/// Order is kept: the call covers a contiguous stretch of the queue.
pub fn plan(queue: &[(SocketAddr, impl AsRef<[u8]>)], start: usize, offload: bool) -> Plan {
    let mut plan = Plan {
        messages: std::array::from_fn(|_| 0..0),
        count: 0,
        segment: None,
    };
    let mut longest_single = 0;
    let mut i = start;
    while i < queue.len() && plan.count < BATCH {
        let (destination, size) = (queue[i].0, queue[i].1.as_ref().len());
        let end = if offload && size <= MAX_SEGMENT {
            run_end(queue, i, destination, size)
        } else {
            i + 1
        };
        if end - i >= 2 {
            match plan.segment {
                None if longest_single <= size => plan.segment = Some(size as u16),
                Some(s) if usize::from(s) == size => {}
                // Another size, or a longer single datagram already in the
                // call: the run starts the next call.
                _ => break,
            }
        } else {
            if plan.segment.is_some_and(|s| size > usize::from(s)) {
                // The kernel would cut it; it goes in the next call.
                break;
            }
            longest_single = longest_single.max(size);
        }
        plan.messages[plan.count] = i..end;
        plan.count += 1;
        i = end;
    }
    plan
}

/// Where the run that starts at `start` ends (exclusive).
fn run_end(
    queue: &[(SocketAddr, impl AsRef<[u8]>)],
    start: usize,
    destination: SocketAddr,
    size: usize,
) -> usize {
    let mut end = start + 1;
    let mut bytes = size;
    while let Some((to, datagram)) = queue.get(end) {
        let len = datagram.as_ref().len();
        if *to != destination
            || len > size
            || end - start == MAX_SEGMENTS
            || bytes + len > MAX_RUN_BYTES
        {
            break;
        }
        bytes += len;
        end += 1;
        if len < size {
            // A shorter datagram can only be the last of a run.
            break;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// Plan over datagrams of these destinations and lengths.
    fn plan_of(shape: &[(SocketAddr, usize)], start: usize, offload: bool) -> Plan {
        let queue: Vec<_> = shape
            .iter()
            .map(|&(to, len)| (to, vec![0u8; len]))
            .collect();
        plan(&queue, start, offload)
    }

    fn messages(plan: &Plan) -> Vec<Range<usize>> {
        plan.messages[..plan.count].to_vec()
    }

    #[test]
    fn the_packets_of_a_frame_to_one_subscriber_go_as_one_message() {
        // Audio, then a frame of four packets, to each of two subscribers.
        let queue = [
            (to(1), 120),
            (to(1), 1_100),
            (to(1), 1_100),
            (to(1), 1_100),
            (to(1), 700),
            (to(2), 120),
            (to(2), 1_100),
            (to(2), 1_100),
            (to(2), 1_100),
            (to(2), 700),
        ];
        let plan = plan_of(&queue, 0, true);
        assert_eq!(messages(&plan), vec![0..1, 1..5, 5..6, 6..10]);
        assert_eq!(plan.segment, Some(1_100));
    }

    #[test]
    fn without_offload_every_datagram_is_a_message() {
        let queue = [(to(1), 1_100), (to(1), 1_100), (to(2), 1_100)];
        let plan = plan_of(&queue, 0, false);
        assert_eq!(messages(&plan), vec![0..1, 1..2, 2..3]);
        assert_eq!(plan.segment, None);
    }

    #[test]
    fn a_run_ends_at_another_destination_a_longer_datagram_or_after_a_shorter_one() {
        let queue = [
            (to(1), 1_000),
            (to(1), 1_000),
            (to(1), 1_000),
            (to(2), 1_000),
            (to(2), 1_000),
            (to(2), 400),
            (to(2), 1_000),
            (to(2), 1_000),
        ];
        let plan = plan_of(&queue, 0, true);
        assert_eq!(messages(&plan), vec![0..3, 3..6, 6..8]);
        assert_eq!(plan.segment, Some(1_000));
    }

    #[test]
    fn runs_of_another_size_or_a_longer_single_start_the_next_call() {
        let queue = [
            (to(1), 1_000),
            (to(1), 1_000),
            (to(2), 1_200),
            (to(3), 900),
            (to(3), 900),
        ];
        // The single 1 200-byte datagram would be cut at 1 000 bytes.
        let first = plan_of(&queue, 0, true);
        assert_eq!(messages(&first), vec![0..2]);
        let second = plan_of(&queue, 2, true);
        assert_eq!(messages(&second), vec![2..3]);
        assert_eq!(second.segment, None, "the 900-byte run needs another call");
        let third = plan_of(&queue, 3, true);
        assert_eq!(messages(&third), vec![3..5]);
        assert_eq!(third.segment, Some(900));
    }

    #[test]
    fn a_run_respects_the_kernels_limits() {
        let many: Vec<_> = (0..100).map(|_| (to(1), 1_000)).collect();
        let plan = plan_of(&many, 0, true);
        assert_eq!(messages(&plan)[0], 0..MAX_SEGMENTS, "64 segments at most");
        let big: Vec<_> = (0..60).map(|_| (to(1), 1_300)).collect();
        let plan = plan_of(&big, 0, true);
        assert_eq!(messages(&plan)[0], 0..50, "65 000 bytes at most");
        let large = [(to(1), 1_500), (to(1), 1_500)];
        assert_eq!(messages(&plan_of(&large, 0, true)), vec![0..1, 1..2]);
    }

    #[test]
    fn a_call_holds_at_most_a_batch_of_messages() {
        let queue: Vec<_> = (0..200u16).map(|i| (to(i), 100)).collect();
        let plan = plan_of(&queue, 0, true);
        assert_eq!(plan.count, BATCH);
        assert_eq!(plan.messages[BATCH - 1], BATCH - 1..BATCH);
    }
}
