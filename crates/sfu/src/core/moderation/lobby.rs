//! People who wait: for a teacher to open the room, or in the lobby for a
//! moderator's decision. Both queues keep arrival order.

use tafelrunde_protocol::{LobbyEntry, ParticipantId, WaitReason, LOBBY_CAP};

/// Someone waiting to enter.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// Their participant id.
    pub id: ParticipantId,
    /// Account id or device cookie.
    pub key: String,
    /// Display name.
    pub name: String,
    /// A teacher of the room (see [`Entry::teacher`](super::Entry)).
    pub teacher: bool,
    /// They were removed from this meeting before.
    pub removed: bool,
    /// Admitted to this room a short while ago: no lobby for them.
    pub admitted_before: bool,
}

/// The two waiting queues of a room.
#[derive(Debug, Default)]
pub struct Lobby {
    /// The lobby proper: moderators see it and decide.
    knocking: Vec<Waiting>,
    /// A school room no teacher has opened yet.
    not_open: Vec<Waiting>,
}

impl Lobby {
    /// Queue someone.
    pub fn push(&mut self, reason: WaitReason, waiting: Waiting) {
        match reason {
            WaitReason::Lobby => self.knocking.push(waiting),
            WaitReason::NotOpen => self.not_open.push(waiting),
        }
    }

    /// Take someone out of either queue; `Some(reason)` names the queue.
    pub fn take(&mut self, id: ParticipantId) -> Option<(WaitReason, Waiting)> {
        if let Some(i) = self.knocking.iter().position(|w| w.id == id) {
            return Some((WaitReason::Lobby, self.knocking.remove(i)));
        }
        let i = self.not_open.iter().position(|w| w.id == id)?;
        Some((WaitReason::NotOpen, self.not_open.remove(i)))
    }

    /// Whether `id` knocks (is in the lobby proper).
    pub fn knocks(&self, id: ParticipantId) -> bool {
        self.knocking.iter().any(|w| w.id == id)
    }

    /// Everyone who waited for the room to open, in arrival order.
    pub fn take_not_open(&mut self) -> Vec<Waiting> {
        std::mem::take(&mut self.not_open)
    }

    /// Everyone in the lobby proper who was not removed before (when the
    /// lobby is switched off, they need no decision any more).
    pub fn take_unremoved(&mut self) -> Vec<Waiting> {
        let (removed, rest) = std::mem::take(&mut self.knocking)
            .into_iter()
            .partition(|w| w.removed);
        self.knocking = removed;
        rest
    }

    /// Every waiting id, both queues.
    pub fn all(&self) -> Vec<ParticipantId> {
        self.knocking
            .iter()
            .chain(&self.not_open)
            .map(|w| w.id)
            .collect()
    }

    /// Nobody waits.
    pub fn is_empty(&self) -> bool {
        self.knocking.is_empty() && self.not_open.is_empty()
    }

    /// Whether nobody more may wait ([`LOBBY_CAP`], both queues together).
    pub fn is_full(&self) -> bool {
        self.knocking.len() + self.not_open.len() >= LOBBY_CAP
    }

    /// The lobby as moderators see it.
    pub fn entries(&self) -> Vec<LobbyEntry> {
        self.knocking.iter().map(Waiting::entry).collect()
    }
}

impl Waiting {
    /// How moderators see them.
    pub fn entry(&self) -> LobbyEntry {
        LobbyEntry {
            id: self.id,
            name: self.name.clone(),
            removed: self.removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: u64, removed: bool) -> Waiting {
        Waiting {
            admitted_before: false,
            id: ParticipantId(id),
            key: format!("k{id}"),
            name: format!("P{id}"),
            teacher: false,
            removed,
        }
    }

    #[test]
    fn keeps_arrival_order_and_removed_people_stay_when_the_lobby_goes() {
        let mut lobby = Lobby::default();
        lobby.push(WaitReason::Lobby, w(1, false));
        lobby.push(WaitReason::Lobby, w(2, true));
        lobby.push(WaitReason::Lobby, w(3, false));
        lobby.push(WaitReason::NotOpen, w(4, false));
        let ids: Vec<u64> = lobby.entries().iter().map(|e| e.id.0).collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert!(!lobby.is_full());
        let let_in: Vec<u64> = lobby.take_unremoved().iter().map(|w| w.id.0).collect();
        assert_eq!(let_in, vec![1, 3]);
        assert!(lobby.knocks(ParticipantId(2)));
        assert_eq!(lobby.take(ParticipantId(4)).unwrap().0, WaitReason::NotOpen);
        assert!(lobby.take(ParticipantId(4)).is_none());
    }

    #[test]
    fn is_full_at_the_cap_counting_both_queues() {
        let mut lobby = Lobby::default();
        for i in 0..LOBBY_CAP as u64 - 1 {
            let reason = if i % 2 == 0 {
                WaitReason::Lobby
            } else {
                WaitReason::NotOpen
            };
            lobby.push(reason, w(i, false));
        }
        assert!(!lobby.is_full());
        lobby.push(WaitReason::NotOpen, w(1000, false));
        assert!(lobby.is_full());
        lobby.take(ParticipantId(0));
        assert!(!lobby.is_full());
    }
}
