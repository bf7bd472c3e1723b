//! The room chat: in memory only, while the room exists. Nothing here is
//! logged or written anywhere; the public history is bounded.

use std::collections::VecDeque;

use tafelrunde_protocol::{ChatMessage, ParticipantId};

/// Public messages kept for late joiners.
pub const HISTORY: usize = 500;

/// The room's public history and message numbering.
#[derive(Debug, Default)]
pub struct ChatLog {
    history: VecDeque<ChatMessage>,
    next_id: u64,
}

impl ChatLog {
    /// Number and stamp a message; public ones join the history.
    pub fn post(
        &mut self,
        from: ParticipantId,
        from_name: &str,
        to: Option<ParticipantId>,
        text: String,
        at: u64,
    ) -> ChatMessage {
        self.next_id += 1;
        let message = ChatMessage {
            id: self.next_id,
            from,
            from_name: from_name.to_string(),
            to,
            text,
            at,
        };
        if to.is_none() {
            if self.history.len() == HISTORY {
                self.history.pop_front();
            }
            self.history.push_back(message.clone());
        }
        message
    }

    /// The public history, oldest first.
    pub fn history(&self) -> Vec<ChatMessage> {
        self.history.iter().cloned().collect()
    }
}

/// May a message go from a sender to a recipient? `None` is allowed;
/// otherwise the reason. Moderators may always write, and messages to or
/// from moderators are always private-allowed; between participants only
/// when the room allows private chat.
pub fn private_allowed(
    sender_is_moderator: bool,
    recipient_is_moderator: bool,
    private_chat: bool,
) -> bool {
    sender_is_moderator || recipient_is_moderator || private_chat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_public_only_and_bounded() {
        let mut log = ChatLog::default();
        log.post(
            ParticipantId(1),
            "A",
            Some(ParticipantId(2)),
            "psst".into(),
            0,
        );
        for i in 0..HISTORY + 10 {
            log.post(ParticipantId(1), "A", None, format!("{i}"), 0);
        }
        let history = log.history();
        assert_eq!(history.len(), HISTORY);
        assert!(history.iter().all(|m| m.to.is_none()));
        assert_eq!(history[0].text, "10", "the oldest fall out");
        assert!(history.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn private_messages_between_participants_need_the_setting() {
        assert!(!private_allowed(false, false, false));
        assert!(private_allowed(false, false, true));
        assert!(
            private_allowed(false, true, false),
            "to a moderator: always"
        );
        assert!(
            private_allowed(true, false, false),
            "from a moderator: always"
        );
    }
}
