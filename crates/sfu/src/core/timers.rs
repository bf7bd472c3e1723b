//! A heap of deadlines, so that a shard wakes only the connections that are
//! due instead of polling every connection on every tick.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::Hash;
use std::time::Instant;

use rustc_hash::FxHashMap;

/// Deadlines by key. Setting a key's deadline again replaces the old one; stale
/// heap entries are skipped lazily when they surface.
#[derive(Debug)]
pub struct TimerHeap<K: Copy + Eq + Hash + Ord> {
    heap: BinaryHeap<Reverse<(Instant, K)>>,
    current: FxHashMap<K, Instant>,
}

impl<K: Copy + Eq + Hash + Ord> Default for TimerHeap<K> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            current: FxHashMap::default(),
        }
    }
}

impl<K: Copy + Eq + Hash + Ord> TimerHeap<K> {
    /// Set (or move) the deadline of `key`.
    pub fn set(&mut self, key: K, at: Instant) {
        if self.current.insert(key, at) != Some(at) {
            self.heap.push(Reverse((at, key)));
        }
        // Stale entries pile up when deadlines move often; rebuild now and then.
        if self.heap.len() > 4 * self.current.len() + 64 {
            self.heap = self
                .current
                .iter()
                .map(|(k, at)| Reverse((*at, *k)))
                .collect();
        }
    }

    /// Forget `key`.
    pub fn remove(&mut self, key: K) {
        self.current.remove(&key);
    }

    /// The earliest deadline.
    pub fn next_due(&mut self) -> Option<Instant> {
        self.drop_stale();
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Take one key whose deadline is at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        self.drop_stale();
        match self.heap.peek() {
            Some(Reverse((at, key))) if *at <= now => {
                let key = *key;
                self.heap.pop();
                self.current.remove(&key);
                Some(key)
            }
            _ => None,
        }
    }

    fn drop_stale(&mut self) {
        while let Some(Reverse((at, key))) = self.heap.peek() {
            if self.current.get(key) == Some(at) {
                return;
            }
            self.heap.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn pops_only_due_keys_in_order() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut h = TimerHeap::default();
        h.set(1u32, ms(30));
        h.set(2, ms(10));
        h.set(3, ms(20));
        assert_eq!(h.next_due(), Some(ms(10)));
        assert_eq!(h.pop_due(ms(20)), Some(2));
        assert_eq!(h.pop_due(ms(20)), Some(3));
        assert_eq!(h.pop_due(ms(20)), None);
        assert_eq!(h.next_due(), Some(ms(30)));
    }

    #[test]
    fn moving_and_removing_deadlines() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut h = TimerHeap::default();
        h.set(1u32, ms(10));
        h.set(1, ms(50));
        h.set(2, ms(20));
        h.remove(2);
        assert_eq!(h.pop_due(ms(40)), None);
        assert_eq!(h.next_due(), Some(ms(50)));
        for i in 0..1000 {
            h.set(1, ms(100 + i));
        }
        assert!(h.heap.len() < 200, "stale entries are compacted");
        assert_eq!(h.pop_due(ms(2000)), Some(1));
    }
}
