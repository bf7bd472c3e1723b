//! A weak link emulated in the load generator (netem is not in this kernel):
//! random loss and a rate limit with a bounded queue on the way down, a fixed
//! delay each way.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How weak.
#[derive(Debug, Clone, Copy)]
pub struct LinkSpec {
    /// Percent of packets from the SFU that are dropped.
    pub loss_percent: u32,
    /// Round-trip time added (half each way).
    pub rtt: Duration,
    /// Downlink rate in bit/s.
    pub rate_bps: u64,
    /// Packets that would wait longer than this in the rate queue are dropped
    /// (as `tc tbf … latency 200ms` does).
    pub queue_limit: Duration,
}

impl Default for LinkSpec {
    fn default() -> Self {
        Self {
            loss_percent: 3,
            rtt: Duration::from_millis(100),
            rate_bps: 500_000,
            queue_limit: Duration::from_millis(200),
        }
    }
}

/// One client's link.
#[derive(Debug)]
pub struct Link {
    spec: LinkSpec,
    rng: u64,
    free_at: Option<Instant>,
    down: VecDeque<(Instant, SocketAddr, Vec<u8>)>,
    up: VecDeque<(Instant, SocketAddr, Vec<u8>)>,
    /// Loss applies only once media flows, so that joins are not a lottery.
    pub lossy: bool,
}

impl Link {
    pub fn new(spec: LinkSpec, seed: u64) -> Self {
        Self {
            spec,
            rng: seed | 1,
            free_at: None,
            down: VecDeque::new(),
            up: VecDeque::new(),
            lossy: false,
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        // xorshift64
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % 100) < percent as u64
    }

    /// A datagram from the SFU arrived at the link.
    pub fn inbound(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        if self.lossy && self.chance(self.spec.loss_percent) {
            return;
        }
        let start = self.free_at.map_or(now, |f| f.max(now));
        if start.duration_since(now) > self.spec.queue_limit {
            return;
        }
        let serialise =
            Duration::from_nanos(data.len() as u64 * 8 * 1_000_000_000 / self.spec.rate_bps.max(1));
        self.free_at = Some(start + serialise);
        self.down
            .push_back((start + serialise + self.spec.rtt / 2, source, data.to_vec()));
    }

    /// A datagram from the client to the SFU.
    pub fn outbound(&mut self, now: Instant, destination: SocketAddr, data: &[u8]) {
        self.up
            .push_back((now + self.spec.rtt / 2, destination, data.to_vec()));
    }

    /// The next datagram from the SFU that reaches the client by `now`.
    pub fn pop_inbound(&mut self, now: Instant) -> Option<(SocketAddr, Vec<u8>)> {
        if self.down.front().is_some_and(|(at, _, _)| *at <= now) {
            return self.down.pop_front().map(|(_, a, d)| (a, d));
        }
        None
    }

    /// The next datagram to the SFU that leaves the link by `now`.
    pub fn pop_outbound(&mut self, now: Instant) -> Option<(SocketAddr, Vec<u8>)> {
        if self.up.front().is_some_and(|(at, _, _)| *at <= now) {
            return self.up.pop_front().map(|(_, a, d)| (a, d));
        }
        None
    }

    /// When something is due next.
    pub fn next_due(&self) -> Option<Instant> {
        match (self.down.front().map(|x| x.0), self.up.front().map(|x| x.0)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_queues_then_drops() {
        let spec = LinkSpec {
            loss_percent: 0,
            rtt: Duration::from_millis(100),
            rate_bps: 80_000,
            queue_limit: Duration::from_millis(200),
        };
        let mut link = Link::new(spec, 1);
        let now = Instant::now();
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        // 1000 bytes at 80 kbit/s take 100 ms each: the third waits 200 ms, the fourth is dropped.
        for _ in 0..4 {
            link.inbound(now, addr, &[0u8; 1000]);
        }
        assert_eq!(link.down.len(), 3);
        assert!(link.pop_inbound(now + Duration::from_millis(149)).is_none());
        assert!(link.pop_inbound(now + Duration::from_millis(150)).is_some());
    }

    #[test]
    fn loss_is_about_the_share_asked_for() {
        let spec = LinkSpec {
            loss_percent: 3,
            rate_bps: 1_000_000_000,
            ..LinkSpec::default()
        };
        let mut link = Link::new(spec, 42);
        link.lossy = true;
        let now = Instant::now();
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        for _ in 0..10_000 {
            link.inbound(now, addr, &[0u8; 10]);
        }
        let kept = link.down.len();
        assert!((9_550..=9_850).contains(&kept), "{kept}");
    }
}
