//! The moderation state machine of one room: roles, the lobby, permissions
//! and enforced mutes, chat, raised hands, the owner's grace after a dropped
//! connection, and connection-test rooms. Pure: no media, no I/O, time
//! passed in. The room asks it on every join and every moderation message
//! and carries out the [`Effect`]s it returns.

mod actions;
mod chat;
mod hands;
mod lobby;
mod member;
mod removed;
mod roles;

#[cfg(test)]
mod lobby_tests;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, LobbyEntry, ParticipantId, ParticipantInfo, ProtocolError,
    Role, RoomSettings, ServerMessage, WaitReason, LOBBY_CAP,
};

use actions::Actions;
use chat::ChatLog;
pub use chat::HISTORY as CHAT_HISTORY;
use hands::Hands;
use lobby::{Lobby, Waiting};
pub use member::Member;
use removed::Removed;

/// Connection-test rooms end after this long.
pub const TEST_DURATION: Duration = Duration::from_secs(60);
/// At most this many people in a connection-test room.
pub const TEST_SIZE: usize = 2;
/// At most one reaction per participant in this interval.
pub const REACTION_INTERVAL: Duration = Duration::from_secs(1);

/// What kind of room, as the server decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomKind {
    /// `Dienststellennummer-Lerngruppe-Kürzel`: opens when a teacher of the
    /// school joins.
    School,
    /// Any other name, when the operator allows open rooms: the first one in
    /// is the owner.
    Open,
    /// `~test-…`: two people, a minute, no moderation.
    Test,
}

/// Who enters, as the server knows them (never from the client's word).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Account id of a logged-in user, else the device cookie.
    pub key: String,
    /// A teacher of the room, who opens it and leads it: the teacher who
    /// saved it, or, for a school room name nobody saved, any teacher or
    /// school admin of the room's school (decided by the control plane).
    pub teacher: bool,
    /// The room's kind.
    pub kind: RoomKind,
    /// The lobby as the teacher persisted it for this room.
    pub lobby: bool,
    /// Admitted to this room a short while ago (the server remembers it
    /// across its restarts): they skip the lobby.
    pub admitted_before: bool,
}

impl Entry {
    /// A guest in an open room without a persisted lobby.
    pub fn open_guest(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            teacher: false,
            kind: RoomKind::Open,
            lobby: false,
            admitted_before: false,
        }
    }
}

/// The time now, as a monotonic instant and as wall-clock milliseconds since
/// 1970 (chat messages carry the latter).
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Monotonic time.
    pub instant: Instant,
    /// Milliseconds since 1970.
    pub unix_ms: u64,
}

/// What the shard must do after a moderation decision.
// Effects are few and short-lived (a handful per message), so the size of
// the message variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a message to a member or a waiting person.
    Send(ParticipantId, ServerMessage),
    /// This waiting person is in now: create their media connection and send `joined`.
    Admit(ParticipantId),
    /// End this member or waiting person with `bye`.
    End(ParticipantId, ByeReason),
    /// End this member's screen share (`trackRemoved` to the others).
    StopScreen(ParticipantId),
}

/// The answer to someone entering.
#[derive(Debug, Clone, PartialEq)]
pub enum Entered {
    /// In at once: create the media connection and send `joined`.
    Admitted,
    /// They wait; `waiting` was sent by the effects.
    Waiting(WaitReason),
    /// Refused; nothing changed.
    Refused(ProtocolError),
}

/// The moderation state of one room.
#[derive(Debug)]
pub struct Moderation {
    kind: RoomKind,
    settings: RoomSettings,
    /// A school room opened by a teacher (stays open while the room exists).
    opened: bool,
    /// Admitted members in order of arrival.
    members: Vec<Member>,
    lobby: Lobby,
    /// Keys of removed people: they come back only through the lobby (and
    /// since a removal the lobby is on for everyone, see `actions.rs`).
    removed: Removed,
    hands: Hands,
    chat: ChatLog,
    /// The owner's key while the owner is away, and until when it is kept.
    reserved_owner: Option<(String, Instant)>,
    owner_grace: Duration,
    /// When a connection-test room ends.
    test_ends: Option<Instant>,
}

impl Moderation {
    /// A new room of `kind`, with its persisted lobby setting.
    pub fn new(kind: RoomKind, lobby: bool, owner_grace: Duration) -> Self {
        Self {
            kind,
            settings: RoomSettings {
                lobby: lobby && kind == RoomKind::School,
                ..Default::default()
            },
            opened: kind != RoomKind::School,
            members: Vec::new(),
            lobby: Lobby::default(),
            removed: Removed::default(),
            hands: Hands::default(),
            chat: ChatLog::default(),
            reserved_owner: None,
            owner_grace,
            test_ends: None,
        }
    }

    /// The room's settings.
    pub fn settings(&self) -> RoomSettings {
        self.settings
    }

    /// Whether `message` is a moderation message (or `mute`): everything
    /// but joining, media negotiation, ping and leave.
    pub fn handles(message: &ClientMessage) -> bool {
        !matches!(
            message,
            ClientMessage::Join { .. }
                | ClientMessage::Resume { .. }
                | ClientMessage::Offer { .. }
                | ClientMessage::Layout { .. }
                | ClientMessage::Ping
                | ClientMessage::Leave
        )
    }

    /// A moderation message (or `mute`) from member `from`, checked against
    /// its role first; a refused message changes nothing.
    pub fn handle(
        &mut self,
        now: Now,
        from: ParticipantId,
        message: ClientMessage,
        effects: &mut Vec<Effect>,
    ) -> Result<(), ProtocolError> {
        Actions { room: self }.handle(now, from, message, effects)
    }

    /// Someone wants in. On `Admitted` the member is recorded and the room
    /// sends `joined`; `effects` may admit others too (a teacher opening the
    /// room lets the waiting guests in).
    pub fn enter(
        &mut self,
        now: Instant,
        id: ParticipantId,
        name: &str,
        entry: &Entry,
        effects: &mut Vec<Effect>,
    ) -> Entered {
        if self.kind == RoomKind::Test {
            if self.members.len() >= TEST_SIZE {
                let message = format!("a connection test has at most {TEST_SIZE} participants");
                return Entered::Refused(ProtocolError::new(ErrorCode::RoomFull, message));
            }
            self.test_ends.get_or_insert(now + TEST_DURATION);
            let member = Member::new(id, entry.key.clone(), name.into(), Role::Participant, false);
            self.members.push(member);
            return Entered::Admitted;
        }
        let returning_owner = self
            .reserved_owner
            .as_ref()
            .is_some_and(|(key, _)| *key == entry.key);
        let waiting = Waiting {
            id,
            key: entry.key.clone(),
            name: name.into(),
            teacher: entry.teacher,
            removed: self.removed.contains(&entry.key),
            admitted_before: entry.admitted_before,
        };
        if waiting.removed && !returning_owner {
            return self.knock(waiting, effects);
        }
        let role = self.role_on_arrival(entry, returning_owner);
        if role == Role::Participant {
            if !self.opened {
                if self.lobby.is_full() {
                    return lobby_full();
                }
                self.lobby.push(WaitReason::NotOpen, waiting);
                effects.push(wait(id, WaitReason::NotOpen));
                return Entered::Waiting(WaitReason::NotOpen);
            }
            if self.settings.locked {
                return Entered::Refused(ProtocolError::new(
                    ErrorCode::RoomLocked,
                    "the room is locked",
                ));
            }
            if self.settings.lobby && !entry.admitted_before {
                return self.knock(waiting, effects);
            }
        }
        if role == Role::Owner {
            self.reserved_owner = None;
        }
        let member = Member::new(id, entry.key.clone(), name.into(), role, entry.teacher);
        self.members.push(member);
        if entry.teacher && !self.opened {
            self.open(effects);
        }
        Entered::Admitted
    }

    fn role_on_arrival(&self, entry: &Entry, returning_owner: bool) -> Role {
        if returning_owner {
            return Role::Owner;
        }
        let owner_free =
            self.reserved_owner.is_none() && !self.members.iter().any(|m| m.role == Role::Owner);
        match (self.kind, entry.teacher) {
            (RoomKind::School, true) if owner_free => Role::Owner,
            (RoomKind::School, true) => Role::Moderator,
            (RoomKind::Open, _) if owner_free => Role::Owner,
            _ => Role::Participant,
        }
    }

    /// A teacher opened the school room: the guests who waited come in, or
    /// go to the lobby if it is on. The opener is the only moderator yet and
    /// learns the lobby with `joined` ([`Self::after_joined`]).
    fn open(&mut self, effects: &mut Vec<Effect>) {
        self.opened = true;
        for waiting in self.lobby.take_not_open() {
            if (self.settings.lobby && !waiting.admitted_before) || waiting.removed {
                let id = waiting.id;
                self.lobby.push(WaitReason::Lobby, waiting);
                effects.push(wait(id, WaitReason::Lobby));
            } else {
                self.admit_waiting(waiting, effects);
            }
        }
    }

    /// Into the lobby, unless it is full; moderators learn of the one newcomer.
    fn knock(&mut self, waiting: Waiting, effects: &mut Vec<Effect>) -> Entered {
        if self.lobby.is_full() {
            return lobby_full();
        }
        let id = waiting.id;
        let added = vec![waiting.entry()];
        self.lobby.push(WaitReason::Lobby, waiting);
        effects.push(wait(id, WaitReason::Lobby));
        self.tell_lobby_change(added, Vec::new(), effects);
        Entered::Waiting(WaitReason::Lobby)
    }

    fn admit_waiting(&mut self, waiting: Waiting, effects: &mut Vec<Effect>) {
        self.removed.remove(&waiting.key);
        let role = if waiting.teacher {
            Role::Moderator
        } else {
            Role::Participant
        };
        let member = Member::new(waiting.id, waiting.key, waiting.name, role, waiting.teacher);
        effects.push(Effect::Admit(member.id));
        self.members.push(member);
    }

    /// Someone left: a member (their media is gone) or a waiting person.
    /// `on_purpose` is false when the connection dropped; then the owner's
    /// role is kept for [`Self::new`]'s `owner_grace`.
    pub fn leave(
        &mut self,
        now: Instant,
        id: ParticipantId,
        on_purpose: bool,
        effects: &mut Vec<Effect>,
    ) {
        if let Some((reason, _)) = self.lobby.take(id) {
            if reason == WaitReason::Lobby {
                self.tell_lobby_change(Vec::new(), vec![id], effects);
            }
            return;
        }
        let Some(i) = self.members.iter().position(|m| m.id == id) else {
            return;
        };
        let member = self.members.remove(i);
        if self.hands.set(id, false) {
            self.tell_hands(effects);
        }
        if member.role != Role::Owner || self.kind == RoomKind::Test {
            return;
        }
        // A reconnect can arrive before the old connection is noticed gone:
        // the owner's new connection takes the role at once.
        if let Some(same) = self.members.iter_mut().find(|m| m.key == member.key) {
            same.role = Role::Owner;
            let same = same.id;
            self.tell_update(same, None, effects);
            return;
        }
        if !on_purpose {
            self.reserved_owner = Some((member.key, now + self.owner_grace));
            return;
        }
        // Leaving on purpose hands the room to another teacher, if one is here.
        if let Some(heir) = self.members.iter_mut().find(|m| m.teacher) {
            heir.role = Role::Owner;
            let heir = heir.id;
            self.tell_update(heir, None, effects);
        }
    }

    /// Time passed: the owner's reservation lapses; a connection test ends.
    pub fn handle_timeout(&mut self, now: Instant, effects: &mut Vec<Effect>) {
        if self
            .reserved_owner
            .as_ref()
            .is_some_and(|(_, until)| now >= *until)
        {
            self.reserved_owner = None;
        }
        if self.test_ends.is_some_and(|t| now >= t) {
            self.test_ends = None;
            for member in &self.members {
                effects.push(Effect::End(member.id, ByeReason::TestOver));
            }
        }
    }

    /// Whether the room can go: nobody in, nobody waiting, no owner expected.
    pub fn is_idle(&self) -> bool {
        self.members.is_empty() && self.lobby.is_empty() && self.reserved_owner.is_none()
    }

    /// A member as everybody sees them.
    pub fn info(&self, id: ParticipantId) -> Option<ParticipantInfo> {
        let m = self.member(id)?;
        Some(m.info(&self.settings, self.free(), self.hands.raised(id)))
    }

    /// What a newcomer gets in `joined` beside the media: the others, the
    /// settings, the public chat history and the raised hands.
    pub fn welcome(&self, id: ParticipantId) -> Option<Welcome> {
        Some(Welcome {
            you: self.info(id)?,
            others: self
                .members
                .iter()
                .filter(|m| m.id != id)
                .filter_map(|m| self.info(m.id))
                .collect(),
            settings: self.settings,
            chat: self.chat.history(),
            hands: self.hands.queue(),
        })
    }

    /// What a newcomer must learn right after `joined`: the lobby, for a
    /// moderator, when somebody waits in it (an empty lobby is what a
    /// client assumes anyway). Changes follow as `lobbyChanged`.
    pub fn after_joined(&self, id: ParticipantId, effects: &mut Vec<Effect>) {
        let waiting = self.lobby.entries();
        if !waiting.is_empty() && self.member(id).is_some_and(roles::is_moderator) {
            effects.push(Effect::Send(id, ServerMessage::Lobby { waiting }));
        }
    }

    /// A member's connection dropped (`true`) or came back: everybody is
    /// told, and their role, hand, mutes and permissions stay as they are.
    pub fn set_reconnecting(
        &mut self,
        id: ParticipantId,
        reconnecting: bool,
        effects: &mut Vec<Effect>,
    ) {
        let Some(member) = self.member_mut(id) else {
            return;
        };
        if std::mem::replace(&mut member.reconnecting, reconnecting) != reconnecting {
            self.tell_update(id, None, effects);
        }
    }

    /// The members known by this key (account or device).
    pub fn members_of(&self, key: &str) -> Vec<ParticipantId> {
        self.members
            .iter()
            .filter(|m| m.key == key)
            .map(|m| m.id)
            .collect()
    }

    /// Whether the SFU must drop this member's camera/microphone packets:
    /// (audio, video).
    pub fn muted(&self, id: ParticipantId) -> Option<(bool, bool)> {
        self.member(id).map(|m| (m.audio_muted, m.video_muted))
    }

    /// Whether this member may share the screen now.
    pub fn may_share_screen(&self, id: ParticipantId) -> bool {
        self.member(id)
            .is_some_and(|m| m.may(&self.settings, self.free()).screen)
    }

    /// Everybody: members and waiting people (for the end of the meeting).
    pub fn everybody(&self) -> Vec<ParticipantId> {
        let mut all: Vec<ParticipantId> = self.members.iter().map(|m| m.id).collect();
        all.extend(self.lobby.all());
        all
    }

    /// Connection-test rooms have no rules.
    fn free(&self) -> bool {
        self.kind == RoomKind::Test
    }

    fn member(&self, id: ParticipantId) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    fn member_mut(&mut self, id: ParticipantId) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    /// `participantUpdated` about `id` to every member (the member included),
    /// and `moderated` to the member if a moderator did something.
    fn tell_update(
        &self,
        id: ParticipantId,
        moderated: Option<ServerMessage>,
        effects: &mut Vec<Effect>,
    ) {
        if let Some(message) = moderated {
            effects.push(Effect::Send(id, message));
        }
        let Some(participant) = self.info(id) else {
            return;
        };
        for m in &self.members {
            effects.push(Effect::Send(
                m.id,
                ServerMessage::ParticipantUpdated {
                    participant: participant.clone(),
                },
            ));
        }
    }

    /// Moderators learn only what changed in the lobby (nothing when nothing did).
    fn tell_lobby_change(
        &self,
        added: Vec<LobbyEntry>,
        removed: Vec<ParticipantId>,
        effects: &mut Vec<Effect>,
    ) {
        if added.is_empty() && removed.is_empty() {
            return;
        }
        for m in self.members.iter().filter(|m| roles::is_moderator(m)) {
            effects.push(Effect::Send(
                m.id,
                ServerMessage::LobbyChanged {
                    added: added.clone(),
                    removed: removed.clone(),
                },
            ));
        }
    }

    fn tell_hands(&self, effects: &mut Vec<Effect>) {
        self.tell_all(
            ServerMessage::Hands {
                queue: self.hands.queue(),
            },
            effects,
        );
    }

    fn tell_all(&self, message: ServerMessage, effects: &mut Vec<Effect>) {
        for m in &self.members {
            effects.push(Effect::Send(m.id, message.clone()));
        }
    }
}

/// The moderation part of `joined`.
#[derive(Debug, Clone)]
pub struct Welcome {
    /// The newcomer.
    pub you: ParticipantInfo,
    /// Everybody else.
    pub others: Vec<ParticipantInfo>,
    /// The room's settings.
    pub settings: RoomSettings,
    /// The public chat history.
    pub chat: Vec<tafelrunde_protocol::ChatMessage>,
    /// Raised hands.
    pub hands: Vec<ParticipantId>,
}

fn wait(id: ParticipantId, reason: WaitReason) -> Effect {
    Effect::Send(id, ServerMessage::Waiting { reason })
}

fn lobby_full() -> Entered {
    Entered::Refused(ProtocolError::new(
        ErrorCode::LobbyFull,
        format!("{LOBBY_CAP} people wait to enter this room already; try again later"),
    ))
}
