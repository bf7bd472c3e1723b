//! Room membership and isolation, without sockets or a network.

use std::time::{Duration, Instant};

use tafelrunde_protocol::{ByeReason, ClientMessage, ErrorCode, ParticipantId, ServerMessage};

use super::{Command, Shard, ShardConfig};

fn shard(max_room_size: usize) -> Shard {
    let provider = str0m::crypto::from_feature_flags();
    provider.clone().install_process_default();
    Shard::new(ShardConfig {
        udp_candidate: "127.0.0.1:10000".parse().unwrap(),
        tcp_candidate: Some("127.0.0.1:10000".parse().unwrap()),
        keyframe_interval: Duration::from_millis(500),
        max_room_size,
        max_videos: 20,
        bandwidth_estimation: true,
        owner_grace: Duration::from_secs(300),
        reconnect_grace: Duration::from_secs(60),
        dtls_cert: provider.dtls_provider.generate_certificate().unwrap(),
    })
}

fn join(s: &mut Shard, id: u64, room: &str) {
    s.handle_command(
        Instant::now(),
        Command::Join {
            participant: ParticipantId(id),
            room: room.into(),
            name: format!("P{id}"),
            entry: super::moderation::Entry::open_guest(format!("device-{id}")),
        },
    );
}

fn signals(s: &mut Shard) -> Vec<(u64, ServerMessage)> {
    std::iter::from_fn(|| s.poll_signal())
        .map(|(p, m)| (p.0, m))
        .collect()
}

#[test]
fn joined_lists_the_others_and_they_are_told() {
    let mut s = shard(10);
    join(&mut s, 1, "a");
    join(&mut s, 2, "a");
    join(&mut s, 3, "b");
    // Owners (the first in an open room) also get the lobby; not counted here.
    let out: Vec<_> = signals(&mut s)
        .into_iter()
        .filter(|(_, m)| !matches!(m, ServerMessage::Lobby { .. }))
        .collect();
    let ServerMessage::Joined { participants, .. } = &out[1].1 else {
        panic!("{out:?}")
    };
    assert_eq!(out[1].0, 2);
    assert_eq!(
        participants.iter().map(|p| p.id.0).collect::<Vec<_>>(),
        vec![1]
    );
    assert!(
        participants[0].audio_muted && participants[0].video_muted,
        "off by default"
    );
    assert!(
        matches!(&out[2], (1, ServerMessage::ParticipantJoined { participant }) if participant.id.0 == 2)
    );
    // Room b is separate: 3 sees nobody and nobody sees 3.
    let ServerMessage::Joined { participants, .. } = &out[3].1 else {
        panic!("{out:?}")
    };
    assert!(participants.is_empty());
    assert_eq!(out.len(), 4);
}

#[test]
fn a_full_room_refuses_and_changes_nothing() {
    let mut s = shard(2);
    join(&mut s, 1, "a");
    join(&mut s, 2, "a");
    signals(&mut s);
    join(&mut s, 3, "a");
    let out = signals(&mut s);
    assert!(
        matches!(
            &out[..],
            [(
                3,
                ServerMessage::Error {
                    code: ErrorCode::RoomFull,
                    ..
                }
            )]
        ),
        "{out:?}"
    );
    assert_eq!(s.participant_count(), 2);
}

#[test]
fn leaving_and_mute_are_told_to_the_room() {
    let mut s = shard(10);
    join(&mut s, 1, "a");
    join(&mut s, 2, "a");
    signals(&mut s);
    let now = Instant::now();
    let mute = ClientMessage::Mute {
        audio: false,
        video: true,
    };
    s.handle_command(
        now,
        Command::Message {
            participant: ParticipantId(2),
            message: mute.clone(),
        },
    );
    s.handle_command(
        now,
        Command::Message {
            participant: ParticipantId(2),
            message: mute,
        },
    );
    let out = signals(&mut s);
    assert_eq!(out.len(), 1, "an unchanged state is not repeated: {out:?}");
    assert!(
        matches!(&out[0], (1, ServerMessage::ParticipantUpdated { participant }) if !participant.audio_muted)
    );
    s.handle_command(
        now,
        Command::Disconnected {
            participant: ParticipantId(2),
        },
    );
    // A dropped connection keeps the place for the grace time, then leaves.
    let out = signals(&mut s);
    assert!(
        matches!(&out[..], [(1, ServerMessage::ParticipantUpdated { participant }), (2, _)] if participant.id.0 == 2 && participant.reconnecting),
        "{out:?}"
    );
    let now = now + Duration::from_secs(61);
    s.handle_timeout(now);
    let out = signals(&mut s);
    assert!(
        matches!(&out[..], [(1, ServerMessage::ParticipantLeft { participant_id }), (2, ServerMessage::Bye { .. })] if participant_id.0 == 2),
        "{out:?}"
    );
    // The room disappears with its last member.
    s.handle_command(
        now,
        Command::Message {
            participant: ParticipantId(1),
            message: ClientMessage::Leave,
        },
    );
    let out = signals(&mut s);
    assert!(
        matches!(
            &out[..],
            [(
                1,
                ServerMessage::Bye {
                    reason: ByeReason::Left
                }
            )]
        ),
        "{out:?}"
    );
    assert!(s.rooms.is_empty());
}

#[test]
fn a_panic_in_one_connection_ends_only_that_participant() {
    let mut s = shard(10);
    join(&mut s, 1, "a");
    join(&mut s, 2, "a");
    signals(&mut s);
    let result: Option<()> = s.call_rtc(ParticipantId(2), |_| {
        panic!("simulated bug in a connection")
    });
    assert!(result.is_none());
    let out = signals(&mut s);
    assert!(
        out.contains(&(
            2,
            ServerMessage::Bye {
                reason: ByeReason::InternalError
            }
        )),
        "{out:?}"
    );
    assert!(out
        .iter()
        .any(|m| matches!(m, (1, ServerMessage::ParticipantLeft { .. }))));
    assert_eq!(s.participant_count(), 1);
    // The shard and the other participant carry on.
    s.handle_command(
        Instant::now(),
        Command::Message {
            participant: ParticipantId(1),
            message: ClientMessage::Ping,
        },
    );
    assert_eq!(signals(&mut s), vec![(1, ServerMessage::Pong)]);
}

#[test]
fn shutdown_says_goodbye_to_everyone() {
    let mut s = shard(10);
    join(&mut s, 1, "a");
    join(&mut s, 2, "b");
    signals(&mut s);
    s.handle_command(Instant::now(), Command::Shutdown);
    let byes = signals(&mut s)
        .into_iter()
        .filter(|(_, m)| {
            *m == ServerMessage::Bye {
                reason: ByeReason::ServerShutdown,
            }
        })
        .count();
    assert_eq!(byes, 2);
    assert_eq!(s.participant_count(), 0);
}

#[test]
fn datagrams_from_strangers_are_dropped_without_a_scan() {
    let mut s = shard(10);
    join(&mut s, 1, "a");
    let stranger = "192.0.2.1:4000".parse().unwrap();
    let routed = s.handle_receive(
        Instant::now(),
        str0m::net::Protocol::Udp,
        stranger,
        "127.0.0.1:10000".parse().unwrap(),
        &[0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
    );
    assert_eq!(routed, None);
    assert_eq!(s.poll_transmit().map(|t| t.destination), None);
}

#[test]
fn a_layout_of_too_many_tiles_is_refused_and_the_last_layout_stays() {
    use tafelrunde_protocol::{TileSize, TrackId};
    let mut s = shard(10);
    join(&mut s, 1, "a");
    signals(&mut s);
    let tile = |i: u64| TileSize {
        track_id: TrackId(i),
        width: 320,
        height: 180,
    };
    let layout = |tiles: Vec<TileSize>| Command::Message {
        participant: ParticipantId(1),
        message: ClientMessage::Layout { tiles },
    };
    s.handle_command(Instant::now(), layout(vec![tile(7), tile(9)]));
    assert!(
        signals(&mut s).is_empty(),
        "a fair layout is taken silently"
    );
    s.handle_command(Instant::now(), layout((0..501).map(tile).collect()));
    let out = signals(&mut s);
    assert!(
        matches!(&out[..], [(1, ServerMessage::Error { code: ErrorCode::InvalidField, field: Some(f), .. })] if f == "tiles"),
        "{out:?}"
    );
    let kept = s.peer(ParticipantId(1)).unwrap().layout.as_ref().unwrap();
    assert_eq!(kept.len(), 2, "the last fair layout stays");
    assert_eq!(kept[&TrackId(9)], (180, 1), "with its order");
}
