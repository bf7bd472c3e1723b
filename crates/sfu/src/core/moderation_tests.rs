//! Moderation through the shard, with the shard's own time: the owner's
//! grace after a dropped connection, the lobby in front of the media
//! connection, removal, the end of a meeting, connection-test rooms.

use std::time::{Duration, Instant};

use tafelrunde_protocol::{
    ByeReason, ClientMessage, ParticipantId, Role, ServerMessage, WaitReason,
};

use super::moderation::{Entry, RoomKind, TEST_DURATION};
use super::{Command, Shard, ShardConfig};

const ROOM: &str = "1234567-7b-MUE";
const GRACE: Duration = Duration::from_secs(300);

fn shard() -> Shard {
    shard_of(10)
}

fn shard_of(max_room_size: usize) -> Shard {
    let provider = str0m::crypto::from_feature_flags();
    provider.clone().install_process_default();
    Shard::new(ShardConfig {
        udp_candidate: "127.0.0.1:10000".parse().unwrap(),
        tcp_candidate: None,
        keyframe_interval: Duration::from_millis(500),
        max_room_size,
        max_videos: 20,
        bandwidth_estimation: false,
        owner_grace: GRACE,
        reconnect_grace: Duration::ZERO,
        dtls_cert: provider.dtls_provider.generate_certificate().unwrap(),
    })
}

fn entry(key: &str, teacher: bool, kind: RoomKind) -> Entry {
    Entry {
        key: key.into(),
        teacher,
        kind,
        lobby: false,
        admitted_before: false,
    }
}

fn join(s: &mut Shard, now: Instant, id: u64, room: &str, entry: Entry) {
    s.handle_command(
        now,
        Command::Join {
            participant: ParticipantId(id),
            room: room.into(),
            name: format!("P{id}"),
            entry,
        },
    );
}

fn send(s: &mut Shard, now: Instant, id: u64, message: ClientMessage) {
    s.handle_command(
        now,
        Command::Message {
            participant: ParticipantId(id),
            message,
        },
    );
}

fn signals(s: &mut Shard) -> Vec<(u64, ServerMessage)> {
    std::iter::from_fn(|| s.poll_signal())
        .map(|(p, m)| (p.0, m))
        .collect()
}

fn joined_role(out: &[(u64, ServerMessage)], id: u64) -> Option<Role> {
    out.iter().find_map(|(to, m)| match m {
        ServerMessage::Joined { you, .. } if *to == id => Some(you.role),
        _ => None,
    })
}

/// Advance the shard's time in ticks.
fn run(s: &mut Shard, from: Instant, duration: Duration) -> Instant {
    let mut now = from;
    while now < from + duration {
        now += Duration::from_millis(100);
        s.handle_timeout(now);
    }
    now
}

/// A school room opened by teacher 1 (`account:t`), guest 2 (`device:k`)
/// in it, the first messages read.
fn teacher_and_guest(t0: Instant) -> Shard {
    let mut s = shard();
    join(
        &mut s,
        t0,
        1,
        ROOM,
        entry("account:t", true, RoomKind::School),
    );
    join(
        &mut s,
        t0,
        2,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    signals(&mut s);
    s
}

#[test]
fn the_owner_returns_as_owner_within_the_grace_and_the_room_keeps_its_state() {
    let mut s = shard();
    let t0 = Instant::now();
    join(
        &mut s,
        t0,
        1,
        ROOM,
        entry("account:t", true, RoomKind::School),
    );
    join(
        &mut s,
        t0,
        2,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    send(&mut s, t0, 2, ClientMessage::Hand { raised: true });
    signals(&mut s);
    // The owner's connection drops; the pupil stays.
    s.handle_command(
        t0,
        Command::Disconnected {
            participant: ParticipantId(1),
        },
    );
    let now = run(&mut s, t0, GRACE - Duration::from_secs(10));
    join(
        &mut s,
        now,
        3,
        ROOM,
        entry("account:t", true, RoomKind::School),
    );
    let out = signals(&mut s);
    assert_eq!(joined_role(&out, 3), Some(Role::Owner), "{out:?}");
    let hands = out.iter().find_map(|(to, m)| match m {
        ServerMessage::Joined { hands, .. } if *to == 3 => Some(hands.clone()),
        _ => None,
    });
    assert_eq!(
        hands,
        Some(vec![ParticipantId(2)]),
        "the raised hand survived"
    );
}

#[test]
fn an_empty_room_waits_for_its_owner_and_goes_after_the_grace() {
    let mut s = shard();
    let t0 = Instant::now();
    join(
        &mut s,
        t0,
        1,
        ROOM,
        entry("account:t", true, RoomKind::School),
    );
    s.handle_command(
        t0,
        Command::Disconnected {
            participant: ParticipantId(1),
        },
    );
    // A guest arriving meanwhile finds the room open, but is no owner.
    join(
        &mut s,
        t0,
        2,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    let out = signals(&mut s);
    assert_eq!(joined_role(&out, 2), Some(Role::Participant), "{out:?}");
    s.handle_command(
        t0,
        Command::Disconnected {
            participant: ParticipantId(2),
        },
    );
    let now = run(&mut s, t0, GRACE + Duration::from_secs(1));
    assert!(
        s.poll_timeout().is_none(),
        "the room is gone, nothing to wake for"
    );
    // A later guest waits for a teacher again.
    join(
        &mut s,
        now,
        4,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    let out = signals(&mut s);
    assert!(
        out.contains(&(
            4,
            ServerMessage::Waiting {
                reason: WaitReason::NotOpen
            }
        )),
        "{out:?}"
    );
}

#[test]
fn the_lobby_holds_the_media_connection_back_until_admitted() {
    let mut s = shard();
    let t0 = Instant::now();
    let mut teacher = entry("account:t", true, RoomKind::School);
    teacher.lobby = true;
    join(&mut s, t0, 1, ROOM, teacher);
    join(
        &mut s,
        t0,
        2,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    let out = signals(&mut s);
    assert!(out.contains(&(
        2,
        ServerMessage::Waiting {
            reason: WaitReason::Lobby
        }
    )));
    assert_eq!(
        s.participant_count(),
        1,
        "no media connection while waiting"
    );
    send(&mut s, t0, 2, ClientMessage::Hand { raised: true });
    assert!(matches!(
        &signals(&mut s)[..],
        [(2, ServerMessage::Error { .. })]
    ));
    send(
        &mut s,
        t0,
        1,
        ClientMessage::Admit {
            participant_ids: vec![ParticipantId(2)],
        },
    );
    let out = signals(&mut s);
    assert_eq!(joined_role(&out, 2), Some(Role::Participant), "{out:?}");
    assert_eq!(s.participant_count(), 2);
}

#[test]
fn a_removed_guest_is_ended_and_comes_back_to_the_lobby() {
    let t0 = Instant::now();
    let mut s = teacher_and_guest(t0);
    send(
        &mut s,
        t0,
        1,
        ClientMessage::Remove {
            participant_id: ParticipantId(2),
        },
    );
    let out = signals(&mut s);
    assert!(
        out.contains(&(
            2,
            ServerMessage::Bye {
                reason: ByeReason::Removed
            }
        )),
        "{out:?}"
    );
    assert!(out.contains(&(
        1,
        ServerMessage::ParticipantLeft {
            participant_id: ParticipantId(2)
        }
    )));
    join(
        &mut s,
        t0,
        3,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    let out = signals(&mut s);
    assert!(
        out.contains(&(
            3,
            ServerMessage::Waiting {
                reason: WaitReason::Lobby
            }
        )),
        "{out:?}"
    );
    let lobby = out.iter().find_map(|(to, m)| match m {
        ServerMessage::LobbyChanged { added, .. } if *to == 1 => Some(added.clone()),
        _ => None,
    });
    assert!(lobby.is_some_and(|w| w.len() == 1 && w[0].removed));
}

#[test]
fn ending_the_meeting_says_goodbye_to_everyone_and_the_room_goes() {
    let t0 = Instant::now();
    let mut s = teacher_and_guest(t0);
    send(&mut s, t0, 1, ClientMessage::EndMeeting);
    let out = signals(&mut s);
    for id in [1, 2] {
        assert!(out.contains(&(
            id,
            ServerMessage::Bye {
                reason: ByeReason::MeetingEnded
            }
        )));
    }
    assert_eq!(s.participant_count(), 0);
    // Whoever comes next finds a new room: a guest waits for a teacher.
    join(
        &mut s,
        t0,
        3,
        ROOM,
        entry("device:k", false, RoomKind::School),
    );
    assert!(signals(&mut s).contains(&(
        3,
        ServerMessage::Waiting {
            reason: WaitReason::NotOpen
        }
    )));
}

#[test]
fn a_connection_test_ends_after_a_minute() {
    let mut s = shard();
    let t0 = Instant::now();
    let room = "~test-abc";
    join(
        &mut s,
        t0,
        1,
        room,
        entry("device:a", false, RoomKind::Test),
    );
    join(
        &mut s,
        t0,
        2,
        room,
        entry("device:b", false, RoomKind::Test),
    );
    join(
        &mut s,
        t0,
        3,
        room,
        entry("device:c", false, RoomKind::Test),
    );
    let out = signals(&mut s);
    assert!(out
        .iter()
        .any(|(to, m)| *to == 3 && matches!(m, ServerMessage::Error { .. })));
    run(&mut s, t0, TEST_DURATION + Duration::from_millis(200));
    let out = signals(&mut s);
    for id in [1, 2] {
        assert!(
            out.contains(&(
                id,
                ServerMessage::Bye {
                    reason: ByeReason::TestOver
                }
            )),
            "{out:?}"
        );
    }
    assert_eq!(s.participant_count(), 0);
}

#[test]
fn admitting_into_a_full_room_is_refused_and_leaves_the_lobby() {
    let mut s = shard_of(2);
    let t0 = Instant::now();
    let mut teacher = entry("account:t", true, RoomKind::School);
    teacher.lobby = true;
    join(&mut s, t0, 1, ROOM, teacher);
    join(
        &mut s,
        t0,
        2,
        ROOM,
        entry("device:a", false, RoomKind::School),
    );
    join(
        &mut s,
        t0,
        3,
        ROOM,
        entry("device:b", false, RoomKind::School),
    );
    signals(&mut s);
    send(
        &mut s,
        t0,
        1,
        ClientMessage::Admit {
            participant_ids: vec![ParticipantId(2), ParticipantId(3)],
        },
    );
    let out = signals(&mut s);
    assert_eq!(joined_role(&out, 2), Some(Role::Participant));
    assert!(
        out.iter().any(|(to, m)| *to == 3
            && matches!(
                m,
                ServerMessage::Error {
                    code: tafelrunde_protocol::ErrorCode::RoomFull,
                    ..
                }
            )),
        "{out:?}"
    );
    assert_eq!(s.participant_count(), 2);
}
