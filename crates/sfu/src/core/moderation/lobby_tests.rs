//! The lobby's cap, its messages (the whole list once, then only changes)
//! and what a removal does to it.

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ErrorCode, LobbyEntry, ParticipantId, Role, ServerMessage,
    SettingsChange, WaitReason, LOBBY_CAP,
};

use super::tests::{guest, p, teacher, Room};
use super::{Effect, Entered};

/// The lobby messages `id` was sent, in order.
fn lobby_messages(r: &Room, id: u64) -> Vec<ServerMessage> {
    r.sent_to(id)
        .into_iter()
        .filter(|m| {
            matches!(
                m,
                ServerMessage::Lobby { .. } | ServerMessage::LobbyChanged { .. }
            )
        })
        .cloned()
        .collect()
}

fn added(entries: &[LobbyEntry]) -> Vec<u64> {
    entries.iter().map(|e| e.id.0).collect()
}

#[test]
fn a_removal_switches_the_lobby_on_so_a_stranger_in_a_fresh_browser_knocks() {
    let mut r = Room::class();
    assert!(!r.m.settings().lobby);
    r.send(
        1,
        ClientMessage::Remove {
            participant_id: p(2),
        },
    )
    .unwrap();
    assert!(r.m.settings().lobby, "removing switched the lobby on");
    assert!(
        r.sent_to(3).iter().any(|m| matches!(
            m,
            ServerMessage::RoomSettings { settings } if settings.lobby
        )),
        "everybody is told"
    );
    assert!(r.effects.contains(&Effect::End(p(2), ByeReason::Removed)));
    r.m.leave(r.t0, p(2), true, &mut r.effects);
    // The removed pupil again, in a private window: a key the room never saw.
    assert_eq!(
        r.enter(7, &guest("fresh-device")),
        Entered::Waiting(WaitReason::Lobby)
    );
    assert!(
        !r.m.lobby.entries()[0].removed,
        "unrecognisable, so not marked"
    );
    // A moderator may switch it off again, knowingly; then guests walk in.
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(false),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(r.effects.contains(&Effect::Admit(p(7))));
}

#[test]
fn a_removal_with_the_lobby_already_on_changes_no_settings() {
    let mut r = Room::school(true);
    r.enter(1, &teacher("t1"));
    r.enter(2, &guest("d2"));
    r.send(
        1,
        ClientMessage::Admit {
            participant_ids: vec![p(2)],
        },
    )
    .unwrap();
    r.effects.clear();
    r.send(
        1,
        ClientMessage::Remove {
            participant_id: p(2),
        },
    )
    .unwrap();
    assert!(
        !r.effects
            .iter()
            .any(|e| matches!(e, Effect::Send(_, ServerMessage::RoomSettings { .. }))),
        "{:?}",
        r.effects
    );
}

#[test]
fn the_lobby_refuses_one_beyond_its_cap_and_changes_nothing() {
    let mut r = Room::school(true);
    r.enter(1, &teacher("t1"));
    for i in 0..LOBBY_CAP as u64 {
        assert_eq!(
            r.enter(100 + i, &guest(&format!("d{i}"))),
            Entered::Waiting(WaitReason::Lobby)
        );
    }
    r.effects.clear();
    let before = r.snapshot();
    let Entered::Refused(e) = r.enter(99, &guest("late")) else {
        panic!("the one beyond the cap must be refused")
    };
    assert_eq!(e.code, ErrorCode::LobbyFull);
    assert!(e.message.contains(&LOBBY_CAP.to_string()), "{e}");
    assert_eq!(r.snapshot(), before);
    assert!(r.effects.is_empty(), "{:?}", r.effects);
    assert_eq!(r.m.lobby.entries().len(), LOBBY_CAP);
    // A place that frees up is taken again.
    r.m.leave(r.t0, p(100), true, &mut r.effects);
    assert_eq!(
        r.enter(98, &guest("now")),
        Entered::Waiting(WaitReason::Lobby)
    );
}

#[test]
fn those_waiting_for_the_room_to_open_count_against_the_cap_too() {
    let mut r = Room::school(false);
    for i in 0..LOBBY_CAP as u64 {
        assert_eq!(
            r.enter(100 + i, &guest(&format!("d{i}"))),
            Entered::Waiting(WaitReason::NotOpen)
        );
    }
    assert!(matches!(
        r.enter(99, &guest("late")),
        Entered::Refused(e) if e.code == ErrorCode::LobbyFull
    ));
    // The teacher is never refused: they open the room and everybody comes in.
    assert_eq!(r.enter(1, &teacher("t1")), Entered::Admitted);
    assert!(r.effects.contains(&Effect::Admit(p(100))));
}

#[test]
fn moderators_learn_each_knock_and_each_decision_as_a_change() {
    let mut r = Room::school(true);
    r.enter(1, &teacher("t1"));
    r.enter(4, &teacher("t4"));
    r.effects.clear();
    for id in [2, 3, 5, 6] {
        r.enter(id, &guest(&format!("d{id}")));
    }
    let to_owner = lobby_messages(&r, 1);
    assert_eq!(to_owner.len(), 4, "one message per knock: {to_owner:?}");
    for (message, id) in to_owner.iter().zip([2, 3, 5, 6]) {
        let ServerMessage::LobbyChanged { added: a, removed } = message else {
            panic!("{message:?}")
        };
        assert_eq!((added(a), removed.len()), (vec![id], 0));
    }
    assert_eq!(lobby_messages(&r, 4).len(), 4, "every moderator");
    assert!(lobby_messages(&r, 2).is_empty(), "nobody who waits");
    // Admit two at once, deny one, one leaves: the ids only.
    r.effects.clear();
    r.send(
        1,
        ClientMessage::Admit {
            participant_ids: vec![p(2), p(3)],
        },
    )
    .unwrap();
    r.send(
        1,
        ClientMessage::Deny {
            participant_ids: vec![p(5)],
        },
    )
    .unwrap();
    r.m.leave(r.t0, p(6), true, &mut r.effects);
    let removed: Vec<Vec<ParticipantId>> = lobby_messages(&r, 1)
        .into_iter()
        .map(|m| match m {
            ServerMessage::LobbyChanged { added, removed } if added.is_empty() => removed,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(removed, vec![vec![p(2), p(3)], vec![p(5)], vec![p(6)]]);
    // The admitted ones are no moderators: they were told nothing of the lobby.
    assert!(lobby_messages(&r, 2).is_empty());
}

#[test]
fn switching_the_lobby_off_tells_moderators_who_was_let_in() {
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
    assert_eq!(
        lobby_messages(&r, 1),
        vec![ServerMessage::LobbyChanged {
            added: vec![],
            removed: vec![p(2)]
        }]
    );
}

#[test]
fn a_promoted_guest_gets_the_whole_lobby_once_even_when_empty() {
    let mut r = Room::class();
    r.send(
        1,
        ClientMessage::SetRole {
            participant_id: p(2),
            role: Role::Moderator,
        },
    )
    .unwrap();
    assert_eq!(
        lobby_messages(&r, 2),
        vec![ServerMessage::Lobby { waiting: vec![] }]
    );
    r.send(
        1,
        ClientMessage::RoomSettings(SettingsChange {
            lobby: Some(true),
            ..Default::default()
        }),
    )
    .unwrap();
    r.effects.clear();
    r.enter(5, &guest("d5"));
    assert!(matches!(
        &lobby_messages(&r, 2)[..],
        [ServerMessage::LobbyChanged { added: a, .. }] if added(a) == vec![5]
    ));
}
