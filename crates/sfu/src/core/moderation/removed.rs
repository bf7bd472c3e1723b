//! Who was removed from this meeting, by account or device cookie: they
//! come back only through the lobby. Every removal follows a join, so the
//! list grows only as fast as people can be let in and removed again; it
//! still keeps at most [`MAX_REMOVED`] keys, forgetting the oldest first
//! (the lobby is on after any removal, so a forgotten key still knocks, only
//! without the mark).

use std::collections::{HashSet, VecDeque};

/// Removed people remembered per meeting.
pub const MAX_REMOVED: usize = 1000;

#[derive(Debug, Default)]
pub struct Removed {
    keys: HashSet<String>,
    /// Oldest first.
    order: VecDeque<String>,
}

impl Removed {
    pub fn insert(&mut self, key: String) {
        if self.keys.contains(&key) {
            return;
        }
        if self.order.len() >= MAX_REMOVED {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
        self.keys.insert(key.clone());
        self.order.push_back(key);
    }

    pub fn remove(&mut self, key: &str) {
        if self.keys.remove(key) {
            self.order.retain(|k| k != key);
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_the_newest_thousand() {
        let mut removed = Removed::default();
        for i in 0..=MAX_REMOVED {
            removed.insert(format!("device:{i}"));
        }
        assert!(!removed.contains("device:0"), "the oldest is forgotten");
        assert!(removed.contains("device:1") && removed.contains(&format!("device:{MAX_REMOVED}")));
        assert_eq!(removed.order.len(), MAX_REMOVED);
        removed.remove("device:1");
        assert!(!removed.contains("device:1"));
        removed.insert("device:5".into());
        assert_eq!(removed.order.len(), MAX_REMOVED - 1, "no key twice");
    }
}
