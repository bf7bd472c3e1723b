//! The moderation rules one by one, including forged messages from guests:
//! each must be refused with `notAllowed` and change nothing.

use std::time::{Duration, Instant};

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, MediaKind, ModerationAction, ParticipantId,
    PermissionKind, Role, ServerMessage, SettingsChange, WaitReason,
};

use super::*;

pub(super) const GRACE: Duration = Duration::from_secs(300);

pub(super) struct Room {
    pub(super) m: Moderation,
    pub(super) t0: Instant,
    pub(super) effects: Vec<Effect>,
}

pub(super) fn p(id: u64) -> ParticipantId {
    ParticipantId(id)
}

pub(super) fn teacher(key: &str) -> Entry {
    Entry {
        key: key.into(),
        teacher: true,
        kind: RoomKind::School,
        lobby: false,
        admitted_before: false,
    }
}

pub(super) fn guest(key: &str) -> Entry {
    Entry {
        key: key.into(),
        teacher: false,
        kind: RoomKind::School,
        lobby: false,
        admitted_before: false,
    }
}

impl Room {
    pub(super) fn school(lobby: bool) -> Self {
        Self {
            m: Moderation::new(RoomKind::School, lobby, GRACE),
            t0: Instant::now(),
            effects: Vec::new(),
        }
    }

    /// A school room with the owner (1, teacher "t1") and two pupils (2, 3).
    pub(super) fn class() -> Self {
        let mut r = Self::school(false);
        assert_eq!(r.enter(1, &teacher("t1")), Entered::Admitted);
        assert_eq!(r.enter(2, &guest("d2")), Entered::Admitted);
        assert_eq!(r.enter(3, &guest("d3")), Entered::Admitted);
        r.effects.clear();
        r
    }

    pub(super) fn enter(&mut self, id: u64, entry: &Entry) -> Entered {
        self.m
            .enter(self.t0, p(id), &format!("P{id}"), entry, &mut self.effects)
    }

    pub(super) fn send(&mut self, from: u64, message: ClientMessage) -> Result<(), ProtocolError> {
        self.send_at(Duration::ZERO, from, message)
    }

    pub(super) fn send_at(
        &mut self,
        after: Duration,
        from: u64,
        message: ClientMessage,
    ) -> Result<(), ProtocolError> {
        let now = Now {
            instant: self.t0 + after,
            unix_ms: 1_700_000_000_000,
        };
        self.m.handle(now, p(from), message, &mut self.effects)
    }

    pub(super) fn role(&self, id: u64) -> Role {
        self.m.info(p(id)).expect("a member").role
    }

    pub(super) fn sent_to(&self, id: u64) -> Vec<&ServerMessage> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(to, m) if *to == p(id) => Some(m),
                _ => None,
            })
            .collect()
    }

    /// A snapshot of everything a refused message must leave alone.
    pub(super) fn snapshot(&self) -> String {
        let infos: Vec<_> = (1..=6).map(|i| self.m.info(p(i))).collect();
        format!(
            "{infos:?} {:?} {:?} {:?} {:?}",
            self.m.settings(),
            self.m.lobby.entries(),
            self.m.hands.queue(),
            self.m.removed
        )
    }
}

pub(super) fn refused_not_allowed(r: &mut Room, from: u64, message: ClientMessage) {
    let before = r.snapshot();
    let e = r.send(from, message.clone()).expect_err("must be refused");
    assert_eq!(e.code, ErrorCode::NotAllowed, "{message:?}: {e}");
    assert_eq!(r.snapshot(), before, "{message:?} changed something");
    assert!(
        r.effects.is_empty(),
        "{message:?} had effects: {:?}",
        r.effects
    );
}

#[test]
fn a_teacher_opens_the_room_and_becomes_owner_the_next_teacher_moderator() {
    let mut r = Room::school(false);
    assert_eq!(
        r.enter(2, &guest("d2")),
        Entered::Waiting(WaitReason::NotOpen)
    );
    assert_eq!(r.enter(1, &teacher("t1")), Entered::Admitted);
    assert!(
        r.effects.contains(&Effect::Admit(p(2))),
        "the waiting guest comes in"
    );
    assert_eq!(r.enter(4, &teacher("t4")), Entered::Admitted);
    assert_eq!(
        (r.role(1), r.role(2), r.role(4)),
        (Role::Owner, Role::Participant, Role::Moderator)
    );
}

#[test]
fn with_the_lobby_on_guests_knock_and_moderators_see_them() {
    let mut r = Room::school(true);
    assert_eq!(
        r.enter(2, &guest("d2")),
        Entered::Waiting(WaitReason::NotOpen)
    );
    r.enter(1, &teacher("t1"));
    assert!(!r.effects.contains(&Effect::Admit(p(2))));
    assert!(r.sent_to(2).contains(&&ServerMessage::Waiting {
        reason: WaitReason::Lobby
    }));
    // As the shard does after `joined`: the opener learns the lobby.
    r.m.after_joined(p(1), &mut r.effects);
    assert_eq!(
        r.enter(3, &guest("d3")),
        Entered::Waiting(WaitReason::Lobby)
    );
    let snapshot = r.sent_to(1).into_iter().find_map(|m| match m {
        ServerMessage::Lobby { waiting } => {
            Some(waiting.iter().map(|w| w.id.0).collect::<Vec<_>>())
        }
        _ => None,
    });
    assert_eq!(snapshot, Some(vec![2]));
    let change = r.sent_to(1).into_iter().rev().find_map(|m| match m {
        ServerMessage::LobbyChanged { added, removed } => Some((
            added.iter().map(|w| w.id.0).collect::<Vec<_>>(),
            removed.clone(),
        )),
        _ => None,
    });
    assert_eq!(change, Some((vec![3], vec![])), "only the newcomer");
    assert_eq!(
        r.m.lobby
            .entries()
            .iter()
            .map(|w| w.id.0)
            .collect::<Vec<_>>(),
        vec![2, 3],
        "in arrival order"
    );
    r.effects.clear();
    r.send(
        1,
        ClientMessage::Admit {
            participant_ids: vec![p(3)],
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::Admit(p(3))));
    r.send(
        1,
        ClientMessage::Deny {
            participant_ids: vec![p(2)],
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::End(p(2), ByeReason::Denied)));
    let e = r
        .send(
            1,
            ClientMessage::Admit {
                participant_ids: vec![p(9)],
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NoSuchParticipant, Some("participantIds"))
    );
}

#[test]
fn switching_the_lobby_off_lets_the_knocking_in() {
    let mut r = Room::school(true);
    r.enter(1, &teacher("t1"));
    r.enter(2, &guest("d2"));
    r.effects.clear();
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::Admit(p(2))));
}

#[test]
fn a_locked_room_refuses_new_guests_but_not_teachers() {
    let mut r = Room::class();
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            locked: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(
        matches!(r.enter(5, &guest("d5")), Entered::Refused(e) if e.code == ErrorCode::RoomLocked)
    );
    assert_eq!(r.enter(6, &teacher("t6")), Entered::Admitted);
}

#[test]
fn forged_moderation_from_a_guest_is_refused_and_changes_nothing() {
    let mut r = Room::class();
    r.enter(5, &guest("d5"));
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    r.enter(6, &guest("d6"));
    r.send(3, ClientMessage::Hand { raised: true }).unwrap();
    r.effects.clear();
    let forged = [
        ClientMessage::ForceMute {
            participant_id: Some(p(3)),
            kind: MediaKind::Audio,
        },
        ClientMessage::ForceMute {
            participant_id: None,
            kind: MediaKind::Audio,
        },
        ClientMessage::ForceMute {
            participant_id: Some(p(1)),
            kind: MediaKind::Video,
        },
        ClientMessage::Admit {
            participant_ids: vec![p(6)],
        },
        ClientMessage::Deny {
            participant_ids: vec![p(6)],
        },
        ClientMessage::Grant {
            participant_id: p(2),
            kind: PermissionKind::Screen,
            allowed: true,
        },
        ClientMessage::AskToUnmute {
            participant_id: p(3),
            kind: MediaKind::Audio,
        },
        ClientMessage::StopScreenShare {
            participant_id: p(1),
        },
        ClientMessage::Remove {
            participant_id: p(3),
        },
        ClientMessage::Remove {
            participant_id: p(1),
        },
        ClientMessage::EndMeeting,
        ClientMessage::SetRole {
            participant_id: p(2),
            role: Role::Moderator,
        },
        ClientMessage::SetRole {
            participant_id: p(1),
            role: Role::Participant,
        },
        ClientMessage::RoomSettings(SettingsChange {
            chat: Some(false),
            ..Default::default()
        }),
        ClientMessage::LowerHand {
            participant_id: Some(p(3)),
        },
        ClientMessage::LowerHand {
            participant_id: None,
        },
    ];
    for message in forged {
        refused_not_allowed(&mut r, 2, message);
    }
}

#[test]
fn a_guest_moderator_never_touches_teachers_nor_ends_the_meeting() {
    let mut r = Room::class();
    r.enter(4, &teacher("t4"));
    r.send(
        1,
        ClientMessage::SetRole {
            participant_id: p(2),
            role: Role::Moderator,
        },
    )
    .unwrap();
    assert_eq!(r.role(2), Role::Moderator);
    assert!(r.sent_to(2).iter().any(|m| matches!(
        m,
        ServerMessage::Moderated {
            action: ModerationAction::Promoted,
            ..
        }
    )));
    r.effects.clear();
    for target in [1, 4] {
        refused_not_allowed(
            &mut r,
            2,
            ClientMessage::Remove {
                participant_id: p(target),
            },
        );
        refused_not_allowed(
            &mut r,
            2,
            ClientMessage::SetRole {
                participant_id: p(target),
                role: Role::Participant,
            },
        );
        refused_not_allowed(
            &mut r,
            2,
            ClientMessage::ForceMute {
                participant_id: Some(p(target)),
                kind: MediaKind::Audio,
            },
        );
    }
    refused_not_allowed(&mut r, 2, ClientMessage::EndMeeting);
    // Pupils are theirs to moderate.
    r.send(
        2,
        ClientMessage::ForceMute {
            participant_id: Some(p(3)),
            kind: MediaKind::Audio,
        },
    )
    .unwrap();
    // Teachers demote guest moderators, and end meetings; nobody changes the owner.
    r.send(
        4,
        ClientMessage::SetRole {
            participant_id: p(2),
            role: Role::Participant,
        },
    )
    .unwrap();
    assert_eq!(r.role(2), Role::Participant);
    r.effects.clear();
    refused_not_allowed(
        &mut r,
        4,
        ClientMessage::SetRole {
            participant_id: p(1),
            role: Role::Participant,
        },
    );
    refused_not_allowed(
        &mut r,
        4,
        ClientMessage::Remove {
            participant_id: p(1),
        },
    );
    r.send(4, ClientMessage::EndMeeting).unwrap();
    for id in [1, 2, 3, 4] {
        assert!(r
            .effects
            .contains(&Effect::End(p(id), ByeReason::MeetingEnded)));
    }
}

#[test]
fn with_self_unmute_off_a_muted_participant_stays_muted_until_granted() {
    let mut r = Room::class();
    r.send(
        2,
        ClientMessage::Mute {
            audio: false,
            video: true,
        },
    )
    .unwrap();
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            self_unmute_audio: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    r.send(
        1,
        ClientMessage::ForceMute {
            participant_id: None,
            kind: MediaKind::Audio,
        },
    )
    .unwrap();
    assert_eq!(
        r.m.muted(p(2)),
        Some((true, true)),
        "mute all hit the pupil"
    );
    assert!(r.sent_to(2).iter().any(|m| matches!(m, ServerMessage::Moderated { action: ModerationAction::AudioMuted, by, .. } if by == "P1")));
    let e = r
        .send(
            2,
            ClientMessage::Mute {
                audio: false,
                video: true,
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotAllowed, Some("audio"))
    );
    assert_eq!(
        r.m.muted(p(2)),
        Some((true, true)),
        "still muted: the SFU drops the audio"
    );
    // Arriving late with self-unmute off: muted, and may not unmute.
    r.enter(5, &guest("d5"));
    assert!(r
        .send(
            5,
            ClientMessage::Mute {
                audio: false,
                video: true
            }
        )
        .is_err());
    // Ask to unmute grants it; the participant decides.
    r.send(
        1,
        ClientMessage::AskToUnmute {
            participant_id: p(2),
            kind: MediaKind::Audio,
        },
    )
    .unwrap();
    assert!(r.sent_to(2).iter().any(|m| matches!(
        m,
        ServerMessage::UnmuteRequest {
            kind: MediaKind::Audio,
            ..
        }
    )));
    assert_eq!(r.m.muted(p(2)), Some((true, true)), "no silent unmuting");
    r.send(
        2,
        ClientMessage::Mute {
            audio: false,
            video: true,
        },
    )
    .unwrap();
    assert_eq!(r.m.muted(p(2)), Some((false, true)));
    // Taking the grant back mutes again.
    r.send(
        1,
        ClientMessage::Grant {
            participant_id: p(2),
            kind: PermissionKind::Audio,
            allowed: false,
        },
    )
    .unwrap();
    assert_eq!(r.m.muted(p(2)), Some((true, true)));
}

#[test]
fn moderators_are_not_hit_by_mute_all() {
    let mut r = Room::class();
    r.send(
        1,
        ClientMessage::Mute {
            audio: false,
            video: false,
        },
    )
    .unwrap();
    r.send(
        1,
        ClientMessage::ForceMute {
            participant_id: None,
            kind: MediaKind::Audio,
        },
    )
    .unwrap();
    assert_eq!(r.m.muted(p(1)), Some((false, false)));
}

#[test]
fn screen_sharing_needs_a_grant_and_revoking_stops_it() {
    let mut r = Room::class();
    assert!(r.m.may_share_screen(p(1)));
    assert!(!r.m.may_share_screen(p(2)));
    r.send(
        1,
        ClientMessage::Grant {
            participant_id: p(2),
            kind: PermissionKind::Screen,
            allowed: true,
        },
    )
    .unwrap();
    assert!(r.m.may_share_screen(p(2)));
    r.effects.clear();
    r.send(
        1,
        ClientMessage::Grant {
            participant_id: p(2),
            kind: PermissionKind::Screen,
            allowed: false,
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::StopScreen(p(2))));
    assert!(r.sent_to(2).iter().any(|m| matches!(
        m,
        ServerMessage::Moderated {
            action: ModerationAction::Revoked,
            kind: Some(PermissionKind::Screen),
            ..
        }
    )));
    r.send(
        1,
        ClientMessage::StopScreenShare {
            participant_id: p(3),
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::StopScreen(p(3))));
}

#[test]
fn a_removed_guest_comes_back_only_through_the_lobby() {
    let mut r = Room::class();
    r.send(
        1,
        ClientMessage::Remove {
            participant_id: p(2),
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::End(p(2), ByeReason::Removed)));
    r.m.leave(r.t0, p(2), true, &mut r.effects);
    assert_eq!(
        r.enter(7, &guest("d2")),
        Entered::Waiting(WaitReason::Lobby),
        "same device cookie"
    );
    let entries = r.m.lobby.entries();
    assert!(entries[0].removed);
    // Switching the lobby on and off does not let them in either.
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    r.effects.clear();
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(!r.effects.contains(&Effect::Admit(p(7))));
    r.send(
        1,
        ClientMessage::Admit {
            participant_ids: vec![p(7)],
        },
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::Admit(p(7))));
}

#[test]
fn the_owner_keeps_the_role_through_a_dropped_connection_within_the_grace() {
    let mut r = Room::class();
    r.enter(4, &teacher("t4"));
    r.m.leave(r.t0, p(1), false, &mut r.effects);
    assert!(!r.m.is_idle());
    // Another teacher arriving meanwhile does not take it.
    r.enter(5, &teacher("t5"));
    assert_eq!(r.role(5), Role::Moderator);
    r.m.handle_timeout(r.t0 + GRACE - Duration::from_secs(1), &mut r.effects);
    assert_eq!(r.enter(8, &teacher("t1")), Entered::Admitted);
    assert_eq!(r.role(8), Role::Owner, "the owner is back as owner");
    assert_eq!(r.role(4), Role::Moderator, "co-moderators keep theirs");
}

#[test]
fn an_owner_who_reconnects_before_the_old_connection_is_gone_stays_owner() {
    let mut r = Room::class();
    assert_eq!(r.enter(8, &teacher("t1")), Entered::Admitted);
    assert_eq!(
        r.role(8),
        Role::Moderator,
        "the old connection still holds the role"
    );
    r.m.leave(r.t0, p(1), false, &mut r.effects);
    assert_eq!(r.role(8), Role::Owner);
    assert!(r.m.reserved_owner.is_none());
}

#[test]
fn the_owners_reservation_lapses_after_the_grace_and_keeps_an_empty_room_till_then() {
    let mut r = Room::school(false);
    r.enter(1, &teacher("t1"));
    r.enter(2, &guest("d2"));
    r.send(
        2,
        ClientMessage::Chat {
            text: "hallo".into(),
            to: None,
        },
    )
    .unwrap();
    r.m.leave(r.t0, p(2), false, &mut r.effects);
    r.m.leave(r.t0, p(1), false, &mut r.effects);
    assert!(!r.m.is_idle(), "the room waits for its owner");
    // A guest arriving meanwhile does not become owner.
    r.enter(3, &guest("d3"));
    assert_eq!(r.role(3), Role::Participant);
    r.m.leave(r.t0, p(3), true, &mut r.effects);
    r.m.handle_timeout(r.t0 + GRACE, &mut r.effects);
    assert!(r.m.is_idle());
}

#[test]
fn leaving_on_purpose_hands_the_room_to_another_teacher() {
    let mut r = Room::class();
    r.enter(4, &teacher("t4"));
    r.m.leave(r.t0, p(1), true, &mut r.effects);
    assert_eq!(r.role(4), Role::Owner);
    assert_eq!(r.role(2), Role::Participant, "never a guest");
}

#[test]
fn in_open_rooms_the_first_is_owner() {
    let mut m = Moderation::new(RoomKind::Open, true, GRACE);
    let mut fx = Vec::new();
    let now = Instant::now();
    assert_eq!(
        m.enter(now, p(1), "A", &Entry::open_guest("a"), &mut fx),
        Entered::Admitted
    );
    assert_eq!(
        m.enter(now, p(2), "B", &Entry::open_guest("b"), &mut fx),
        Entered::Admitted
    );
    assert_eq!(m.info(p(1)).unwrap().role, Role::Owner);
    assert_eq!(m.info(p(2)).unwrap().role, Role::Participant);
    assert!(
        !m.settings().lobby,
        "no persisted lobby outside school rooms"
    );
}

#[test]
fn connection_test_rooms_take_two_for_a_minute_without_moderation() {
    let mut m = Moderation::new(RoomKind::Test, false, GRACE);
    let mut fx = Vec::new();
    let now = Instant::now();
    let entry = Entry {
        kind: RoomKind::Test,
        ..Entry::open_guest("a")
    };
    assert_eq!(m.enter(now, p(1), "A", &entry, &mut fx), Entered::Admitted);
    assert_eq!(m.enter(now, p(2), "B", &entry, &mut fx), Entered::Admitted);
    assert!(
        matches!(m.enter(now, p(3), "C", &entry, &mut fx), Entered::Refused(e) if e.code == ErrorCode::RoomFull)
    );
    let clock = Now {
        instant: now,
        unix_ms: 0,
    };
    let e = m.handle(
        clock,
        p(1),
        ClientMessage::ForceMute {
            participant_id: Some(p(2)),
            kind: MediaKind::Audio,
        },
        &mut fx,
    );
    assert_eq!(e.unwrap_err().code, ErrorCode::NotAllowed);
    assert!(m.info(p(1)).unwrap().may.screen, "no rules in a test");
    m.handle_timeout(now + TEST_DURATION - Duration::from_millis(1), &mut fx);
    assert!(fx.is_empty());
    m.handle_timeout(now + TEST_DURATION, &mut fx);
    assert_eq!(
        fx,
        vec![
            Effect::End(p(1), ByeReason::TestOver),
            Effect::End(p(2), ByeReason::TestOver)
        ]
    );
}

#[test]
fn chat_history_private_messages_and_chat_off() {
    let mut r = Room::class();
    r.send(
        2,
        ClientMessage::Chat {
            text: "Guten Morgen".into(),
            to: None,
        },
    )
    .unwrap();
    assert_eq!(r.sent_to(3).len(), 1, "public messages reach everyone");
    // Private between pupils is off by default; to and from the teacher always.
    let e = r
        .send(
            2,
            ClientMessage::Chat {
                text: "psst".into(),
                to: Some(p(3)),
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotAllowed, Some("to"))
    );
    r.effects.clear();
    r.send(
        2,
        ClientMessage::Chat {
            text: "Frage".into(),
            to: Some(p(1)),
        },
    )
    .unwrap();
    assert_eq!(
        (r.sent_to(1).len(), r.sent_to(2).len(), r.sent_to(3).len()),
        (1, 1, 0)
    );
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            private_chat: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    r.send(
        2,
        ClientMessage::Chat {
            text: "psst".into(),
            to: Some(p(3)),
        },
    )
    .unwrap();
    let e = r
        .send(
            2,
            ClientMessage::Chat {
                text: "x".into(),
                to: Some(p(9)),
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NoSuchParticipant, Some("to"))
    );
    // A late joiner sees the public history only.
    r.enter(5, &guest("d5"));
    let welcome = r.m.welcome(p(5)).unwrap();
    assert_eq!(
        welcome
            .chat
            .iter()
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>(),
        vec!["Guten Morgen"]
    );
    // Chat off: participants are refused, moderators may still write.
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            chat: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    let e = r
        .send(
            2,
            ClientMessage::Chat {
                text: "hallo?".into(),
                to: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ChatDisabled);
    r.send(
        1,
        ClientMessage::Chat {
            text: "Pause".into(),
            to: None,
        },
    )
    .unwrap();
}

#[test]
fn hands_queue_in_order_and_moderators_lower_them() {
    let mut r = Room::class();
    r.send(3, ClientMessage::Hand { raised: true }).unwrap();
    r.send(2, ClientMessage::Hand { raised: true }).unwrap();
    assert_eq!(r.m.welcome(p(1)).unwrap().hands, vec![p(3), p(2)]);
    r.effects.clear();
    r.send(
        1,
        ClientMessage::LowerHand {
            participant_id: Some(p(3)),
        },
    )
    .unwrap();
    assert!(r.sent_to(3).iter().any(|m| matches!(
        m,
        ServerMessage::Moderated {
            action: ModerationAction::HandLowered,
            ..
        }
    )));
    r.send(
        1,
        ClientMessage::LowerHand {
            participant_id: None,
        },
    )
    .unwrap();
    assert!(r.m.hands.queue().is_empty());
}

#[test]
fn reactions_are_rate_limited() {
    let mut r = Room::class();
    r.send(
        2,
        ClientMessage::React {
            emoji: "👍".into()
        },
    )
    .unwrap();
    assert_eq!(r.sent_to(1).len(), 1);
    let e = r
        .send_at(
            Duration::from_millis(500),
            2,
            ClientMessage::React {
                emoji: "👏".into()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
    r.send_at(
        Duration::from_millis(1000),
        2,
        ClientMessage::React {
            emoji: "👏".into()
        },
    )
    .unwrap();
}
