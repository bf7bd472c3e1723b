//! Raised hands, in the order they were raised.

use tafelrunde_protocol::ParticipantId;

/// The queue of raised hands.
#[derive(Debug, Default)]
pub struct Hands(Vec<ParticipantId>);

impl Hands {
    /// Raise or lower `id`'s hand; true when something changed. Raising
    /// again keeps the original place in the queue.
    pub fn set(&mut self, id: ParticipantId, raised: bool) -> bool {
        let present = self.0.contains(&id);
        match (raised, present) {
            (true, false) => self.0.push(id),
            (false, true) => self.0.retain(|h| *h != id),
            _ => return false,
        }
        true
    }

    /// Lower every hand; returns whose were raised.
    pub fn clear(&mut self) -> Vec<ParticipantId> {
        std::mem::take(&mut self.0)
    }

    /// Whether `id`'s hand is raised.
    pub fn raised(&self, id: ParticipantId) -> bool {
        self.0.contains(&id)
    }

    /// The queue, first raised first.
    pub fn queue(&self) -> Vec<ParticipantId> {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_keeps_raise_order() {
        let mut hands = Hands::default();
        assert!(hands.set(ParticipantId(3), true));
        assert!(hands.set(ParticipantId(1), true));
        assert!(
            !hands.set(ParticipantId(3), true),
            "raising twice keeps the place"
        );
        assert_eq!(hands.queue(), vec![ParticipantId(3), ParticipantId(1)]);
        assert!(hands.set(ParticipantId(3), false));
        assert!(!hands.set(ParticipantId(3), false));
        assert_eq!(hands.clear(), vec![ParticipantId(1)]);
        assert!(hands.queue().is_empty());
    }
}
