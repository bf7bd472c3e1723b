//! What the synthetic clients count. One `Stats` is shared by every client of
//! a run (all of them live on one thread); the counters only grow, and a
//! measurement window is the difference of two snapshots.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// Shared between the clients of one run.
pub type SharedStats = Rc<RefCell<Stats>>;

/// Monotonic counters (a snapshot of them is cheap to copy).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    /// RTP packets the publishers wrote.
    pub sent: u64,
    /// Media RTP packets the subscribers received (what the SFU forwarded).
    pub received: u64,
    /// Bytes of the datagrams that carried them (SRTP, as on the wire).
    pub received_bytes: u64,
    /// Packets the subscribers expected from the sequence numbers.
    pub expected: u64,
    /// Of `received`, those that count against `expected` (not at impaired clients).
    pub received_counted: u64,
    /// The same two at impaired clients.
    pub expected_impaired: u64,
    pub received_impaired: u64,
    /// Keyframe requests (PLI/FIR) that reached publishers.
    pub keyframe_requests: u64,
    /// Datagrams the load generator could not send (socket full).
    pub send_errors: u64,
}

/// Everything counted in one run.
pub struct Stats {
    pub counters: Counters,
    /// Added delay in µs at unimpaired subscribers, reset every window.
    pub delay: Histogram<u64>,
    /// The same at impaired subscribers (includes the emulated link).
    pub delay_impaired: Histogram<u64>,
    /// Join (signaling connect) to first media packet, ms.
    pub join_to_first_packet: Histogram<u64>,
    /// Join to first video packet, ms (video waits for a keyframe).
    pub join_to_first_video: Histogram<u64>,
    /// A new track announced to its first packet at a subscriber, ms.
    pub track_to_first_packet: Histogram<u64>,
    /// Most keyframe requests one publisher saw within 500 ms.
    pub max_keyframe_requests_per_500ms: u64,
    /// Participants whose join completed (answer accepted, media connected).
    pub joined: u64,
    pub join_failures: u64,
    /// Connections lost or refused during the run.
    pub errors: Vec<String>,
}

fn histogram(max: u64) -> Histogram<u64> {
    Histogram::new_with_bounds(1, max, 3).expect("valid histogram bounds")
}

impl Stats {
    pub fn shared() -> SharedStats {
        Rc::new(RefCell::new(Stats {
            counters: Counters::default(),
            delay: histogram(60_000_000),
            delay_impaired: histogram(60_000_000),
            join_to_first_packet: histogram(600_000),
            join_to_first_video: histogram(600_000),
            track_to_first_packet: histogram(600_000),
            max_keyframe_requests_per_500ms: 0,
            joined: 0,
            join_failures: 0,
            errors: Vec::new(),
        }))
    }

    pub fn error(&mut self, message: String) {
        if self.errors.len() < 20 {
            self.errors.push(message);
        }
    }

    pub fn record_delay(&mut self, delay: Duration, impaired: bool) {
        let us = (delay.as_micros() as u64).max(1);
        let h = if impaired {
            &mut self.delay_impaired
        } else {
            &mut self.delay
        };
        h.saturating_record(us);
    }
}

/// Sequence accounting of one received stream (one SSRC).
#[derive(Debug, Default)]
pub struct SeqTrack {
    max: Option<u64>,
}

impl SeqTrack {
    /// A packet with extended sequence number `seq` arrived; returns how many
    /// more packets are now expected (0 for a late or repeated one).
    pub fn arrive(&mut self, seq: u64) -> u64 {
        match self.max {
            None => {
                self.max = Some(seq);
                1
            }
            Some(max) if seq > max => {
                self.max = Some(seq);
                seq - max
            }
            Some(_) => 0,
        }
    }
}

/// Keyframe requests per 500 ms at one publisher.
#[derive(Debug, Default)]
pub struct RequestRate {
    window_start: Option<Instant>,
    in_window: u64,
}

impl RequestRate {
    /// Count a request at `now`; returns the count in the current 500 ms window.
    pub fn request(&mut self, now: Instant) -> u64 {
        match self.window_start {
            Some(start) if now.duration_since(start) < Duration::from_millis(500) => {
                self.in_window += 1
            }
            _ => {
                self.window_start = Some(now);
                self.in_window = 1;
            }
        }
        self.in_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_count_as_expected_and_late_packets_do_not() {
        let mut t = SeqTrack::default();
        assert_eq!(t.arrive(10), 1);
        assert_eq!(t.arrive(11), 1);
        assert_eq!(t.arrive(14), 3);
        assert_eq!(t.arrive(12), 0);
    }

    #[test]
    fn request_rate_windows() {
        let mut r = RequestRate::default();
        let t = Instant::now();
        assert_eq!(r.request(t), 1);
        assert_eq!(r.request(t + Duration::from_millis(100)), 2);
        assert_eq!(r.request(t + Duration::from_millis(600)), 1);
    }
}
