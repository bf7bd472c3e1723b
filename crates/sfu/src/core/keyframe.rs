//! Keyframe requests towards a publisher: at most one per interval per track,
//! however many subscribers ask. A request that falls inside the interval is
//! remembered and sent when the interval ends, so none is lost.

use std::time::{Duration, Instant};

/// Throttles keyframe requests (PLI) for one published video track.
#[derive(Debug, Clone)]
pub struct KeyframeThrottle {
    interval: Duration,
    last_sent: Option<Instant>,
    pending: bool,
}

impl KeyframeThrottle {
    /// At most one request per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_sent: None,
            pending: false,
        }
    }

    /// Someone needs a keyframe. Returns true if a request must go to the
    /// publisher now; otherwise it is deferred to [`Self::poll_timeout`].
    pub fn request(&mut self, now: Instant) -> bool {
        match self.last_sent {
            Some(last) if now < last + self.interval => {
                self.pending = true;
                false
            }
            _ => {
                self.last_sent = Some(now);
                self.pending = false;
                true
            }
        }
    }

    /// A keyframe arrived from the publisher: deferred requests are answered.
    pub fn keyframe_received(&mut self) {
        self.pending = false;
    }

    /// When a deferred request is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.pending, self.last_sent) {
            (true, Some(last)) => Some(last + self.interval),
            _ => None,
        }
    }

    /// Time passed; returns true if the deferred request must be sent now.
    pub fn handle_timeout(&mut self, now: Instant) -> bool {
        if self.poll_timeout().is_some_and(|due| now >= due) {
            return self.request(now);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_requests_make_one_pli_per_interval() {
        let t0 = Instant::now();
        let mut k = KeyframeThrottle::new(Duration::from_millis(500));
        let sent: usize = (0..100)
            .map(|i| k.request(t0 + Duration::from_millis(i * 4)) as usize)
            .sum();
        assert_eq!(sent, 1, "100 subscribers within 400 ms cause one PLI");
        // The requests inside the interval are not lost: one more is due at 500 ms.
        assert_eq!(k.poll_timeout(), Some(t0 + Duration::from_millis(500)));
        assert!(!k.handle_timeout(t0 + Duration::from_millis(499)));
        assert!(k.handle_timeout(t0 + Duration::from_millis(500)));
        assert_eq!(k.poll_timeout(), None);
    }

    #[test]
    fn a_keyframe_answers_deferred_requests() {
        let t0 = Instant::now();
        let mut k = KeyframeThrottle::new(Duration::from_millis(500));
        assert!(k.request(t0));
        assert!(!k.request(t0 + Duration::from_millis(10)));
        k.keyframe_received();
        assert_eq!(k.poll_timeout(), None);
        assert!(!k.handle_timeout(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn requests_after_the_interval_go_out_at_once() {
        let t0 = Instant::now();
        let mut k = KeyframeThrottle::new(Duration::from_millis(500));
        assert!(k.request(t0));
        assert!(k.request(t0 + Duration::from_millis(501)));
    }
}
