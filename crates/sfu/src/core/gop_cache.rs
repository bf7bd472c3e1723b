//! The packets of one video layer since its last keyframe. A subscriber who
//! starts the layer gets them at once, so its picture appears without waiting
//! for the next keyframe (a request, the publisher's encoder, a round trip,
//! and the request throttle: half a second in a class that joins at once).
//!
//! Bounded in age and size: the replay is a burst to one subscriber, and a
//! publisher that sends keyframes only on request keeps an old picture group
//! for long. Past either bound the cache is forgotten (and its memory
//! freed); a subscriber then waits for a keyframe as before.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A picture group older than this is not replayed: the burst would be too
/// long, and a keyframe request is about as fast.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Nor one of more packets than this (about 128 KB).
pub const MAX_PACKETS: usize = 128;
/// Room kept for the next picture group after one is forgotten.
const KEPT: usize = 32;

/// See the module docs. `P` is str0m's `RtpPacket` (a plain number in tests).
#[derive(Debug)]
pub struct GopCache<P> {
    packets: VecDeque<P>,
    /// When its keyframe arrived; `None` while nothing usable is cached.
    started: Option<Instant>,
}

impl<P> Default for GopCache<P> {
    fn default() -> Self {
        Self {
            packets: VecDeque::new(),
            started: None,
        }
    }
}

impl<P> GopCache<P> {
    /// A packet of the layer was forwarded; `keyframe` when it starts one.
    pub fn push(&mut self, now: Instant, packet: P, keyframe: bool) {
        if keyframe {
            self.packets.clear();
            self.started = Some(now);
        }
        let Some(started) = self.started else {
            return;
        };
        if self.packets.len() >= MAX_PACKETS || now.saturating_duration_since(started) > MAX_AGE {
            return self.forget();
        }
        self.packets.push_back(packet);
    }

    /// The cached packets, oldest (the keyframe) first, while they may be
    /// replayed.
    pub fn picture(&self, now: Instant) -> Option<impl Iterator<Item = &P>> {
        self.replayable(now).then(|| self.packets.iter())
    }

    /// Whether a subscriber starting now would get a picture group.
    pub fn replayable(&self, now: Instant) -> bool {
        self.started
            .is_some_and(|started| now.saturating_duration_since(started) <= MAX_AGE)
    }

    fn forget(&mut self) {
        self.started = None;
        self.packets.clear();
        self.packets.shrink_to(KEPT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs(cache: &GopCache<u64>, now: Instant) -> Option<Vec<u64>> {
        cache.picture(now).map(|p| p.copied().collect())
    }

    #[test]
    fn holds_the_packets_since_the_last_keyframe() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut cache = GopCache::default();
        cache.push(ms(0), 1, false);
        assert_eq!(
            seqs(&cache, ms(0)),
            None,
            "nothing before the first keyframe"
        );
        cache.push(ms(10), 2, true);
        cache.push(ms(20), 3, false);
        assert_eq!(seqs(&cache, ms(20)), Some(vec![2, 3]));
        cache.push(ms(30), 4, true);
        cache.push(ms(40), 5, false);
        assert_eq!(seqs(&cache, ms(40)), Some(vec![4, 5]));
    }

    #[test]
    fn a_picture_group_past_its_age_or_size_is_forgotten() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut cache = GopCache::default();
        cache.push(ms(0), 1, true);
        assert_eq!(seqs(&cache, ms(1001)), None, "too old to replay");
        cache.push(ms(1001), 2, false);
        assert_eq!(cache.packets.len(), 0, "freed by the next packet");
        cache.push(ms(1002), 3, false);
        assert_eq!(seqs(&cache, ms(1002)), None, "until the next keyframe");

        cache.push(ms(2000), 10, true);
        for seq in 11..10 + MAX_PACKETS as u64 {
            cache.push(ms(2001), seq, false);
        }
        assert_eq!(seqs(&cache, ms(2001)).map(|s| s.len()), Some(MAX_PACKETS));
        cache.push(ms(2002), 500, false);
        assert_eq!(seqs(&cache, ms(2002)), None, "too long to replay");
        assert!(
            cache.packets.capacity() <= 2 * KEPT,
            "its memory is given back"
        );
    }
}
