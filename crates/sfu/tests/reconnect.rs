//! Lessons survive the network: a member whose connections drop keeps the
//! place for the grace time, resumes with the room's state, and gets media
//! again after an ICE restart or a NAT rebinding; past the grace they leave
//! and nothing of them is left behind.

use std::time::Duration;

use tafelrunde_protocol::{
    ClientMessage, ErrorCode, MediaKind, ParticipantId, Role, ServerMessage,
};
use tafelrunde_sfu::core::moderation::{Entry, RoomKind};
use tafelrunde_sfu::sim::Sim;

const ROOM: &str = "12345678-7a-mat";
const GRACE: Duration = Duration::from_secs(60);

fn entry(key: &str, teacher: bool) -> Entry {
    Entry {
        key: key.into(),
        teacher,
        kind: RoomKind::School,
        lobby: false,
        admitted_before: false,
    }
}

/// A teacher who sends video, and two pupils who receive it.
fn lesson() -> Sim {
    lesson_on(Sim::new())
}

fn lesson_on(mut sim: Sim) -> Sim {
    let teacher = sim.join_as(ROOM, "Frau Mü", entry("account-1", true));
    let bob = sim.join_as(ROOM, "Bob", entry("device-2", false));
    let cara = sim.join_as(ROOM, "Cara", entry("device-3", false));
    sim.publish(teacher);
    sim.subscribe_all(bob);
    sim.subscribe_all(cara);
    sim.run_for(Duration::from_secs(2));
    assert!(sim.clients.iter().all(|c| c.rtc.is_connected()));
    sim
}

/// The teacher sends `seconds` of video (a keyframe a second) and audio.
fn teach(sim: &mut Sim, from: u64, seconds: u64) -> u64 {
    let frames = seconds * 25;
    for frame in from..from + frames {
        sim.send_media(0, frame, frame % 25 == 0);
        sim.run_for(Duration::from_millis(40));
    }
    from + frames
}

fn video_frames(sim: &Sim, i: usize) -> usize {
    sim.received(i, MediaKind::Video).len()
}

/// The last thing `i` was told about `about`'s connection.
fn reconnecting(sim: &Sim, i: usize, about: ParticipantId) -> Option<bool> {
    sim.clients[i].signals.iter().rev().find_map(|m| match m {
        ServerMessage::ParticipantUpdated { participant } if participant.id == about => {
            Some(participant.reconnecting)
        }
        _ => None,
    })
}

fn left(sim: &Sim, i: usize, who: ParticipantId) -> bool {
    sim.clients[i].signals.iter().any(
        |m| matches!(m, ServerMessage::ParticipantLeft { participant_id } if *participant_id == who),
    )
}

#[test]
fn a_pupil_away_for_45_seconds_keeps_the_place_hand_and_mute_and_resumes() {
    let mut sim = lesson();
    let bob = sim.clients[1].id;
    sim.send(1, ClientMessage::Hand { raised: true });
    let frame = teach(&mut sim, 0, 1);
    let before = video_frames(&sim, 1);
    assert!(before >= 20, "Bob sees the teacher: {before} frames");

    // The network goes: signaling first, media with it.
    sim.clients[1].cut = true;
    sim.drop_signaling(1);
    assert_eq!(
        reconnecting(&sim, 0, bob),
        Some(true),
        "the teacher sees Bob reconnecting"
    );
    assert_eq!(reconnecting(&sim, 2, bob), Some(true));
    let frame = teach(&mut sim, frame, 45);
    assert!(
        !left(&sim, 0, bob),
        "Bob keeps his place for the grace time"
    );
    assert_eq!(
        video_frames(&sim, 1),
        before,
        "nothing reached Bob while away"
    );
    assert!(
        video_frames(&sim, 2) > before + 1000,
        "Cara was not disturbed"
    );

    // The network is back: a new signaling connection resumes the session.
    sim.clients[1].cut = false;
    let signals = sim.clients[1].signals.len();
    sim.resume(1);
    let joined = sim.clients[1].signals[signals..]
        .iter()
        .find_map(|m| match m {
            ServerMessage::Joined {
                participant_id,
                resumed,
                hands,
                participants,
                you,
                tracks,
                ..
            } => Some((
                *participant_id,
                *resumed,
                hands.clone(),
                participants.len(),
                you.clone(),
                tracks.len(),
            )),
            _ => None,
        });
    let (id, resumed, hands, others, you, tracks) = joined.expect("Bob gets the room's state");
    assert_eq!((id, resumed), (bob, true));
    assert_eq!(hands, vec![bob], "his hand is still raised");
    assert_eq!(others, 2);
    assert_eq!(tracks, 2, "the teacher's audio and video");
    assert_eq!(you.role, Role::Participant);
    assert!(you.audio_muted, "his mute state is kept");

    // Media: an ICE restart (the browser does one after a resume).
    sim.restart_ice(1);
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        reconnecting(&sim, 0, bob),
        Some(false),
        "the teacher sees Bob back"
    );
    teach(&mut sim, frame, 2);
    let after = video_frames(&sim, 1);
    assert!(
        after >= before + 40,
        "Bob sees the teacher again: {} new frames",
        after - before
    );
    assert!(!left(&sim, 0, bob));
}

#[test]
fn a_drop_of_the_media_path_comes_back_with_an_ice_restart() {
    let mut sim = lesson();
    let bob = sim.clients[1].id;
    let frame = teach(&mut sim, 0, 1);
    sim.clients[1].cut = true;
    let frame = teach(&mut sim, frame, 20);
    assert_eq!(
        reconnecting(&sim, 0, bob),
        Some(true),
        "ICE noticed the loss"
    );
    let before = video_frames(&sim, 1);
    // Signaling held; the browser restarts ICE once its network is back.
    sim.clients[1].cut = false;
    sim.restart_ice(1);
    teach(&mut sim, frame, 3);
    assert_eq!(
        reconnecting(&sim, 0, bob),
        Some(false),
        "the teacher sees Bob back"
    );
    assert!(video_frames(&sim, 1) >= before + 40, "and video with it");
}

#[test]
fn a_nat_rebinding_mid_stream_carries_on() {
    let mut sim = lesson();
    let frame = teach(&mut sim, 0, 1);
    sim.clients[1].public = Some("192.0.2.7:40000".parse().unwrap());
    teach(&mut sim, frame, 3);
    let frames = video_frames(&sim, 1);
    // 4 seconds at 25 frames; the new path is taken within a few hundred ms.
    assert!(
        frames >= 85,
        "Bob keeps seeing the teacher: {frames} frames"
    );
    assert_eq!(
        reconnecting(&sim, 0, sim.clients[1].id),
        None,
        "nobody noticed"
    );
}

#[test]
fn an_ice_restart_on_a_new_network_routes_the_new_path() {
    let mut sim = lesson();
    let frame = teach(&mut sim, 0, 1);
    let before = video_frames(&sim, 1);
    // Wi-Fi to mobile: a new address, and the browser restarts ICE.
    sim.clients[1].public = Some("198.51.100.9:50000".parse().unwrap());
    sim.restart_ice(1);
    teach(&mut sim, frame, 2);
    assert!(video_frames(&sim, 1) >= before + 40);
}

#[test]
fn past_the_grace_the_member_leaves_and_nothing_is_left_behind() {
    let mut sim = lesson();
    let bob = sim.clients[1].id;
    let frame = teach(&mut sim, 0, 1);
    sim.clients[1].cut = true;
    sim.drop_signaling(1);
    teach(&mut sim, frame, GRACE.as_secs() - 5);
    assert!(!left(&sim, 0, bob));
    teach(&mut sim, frame, 6);
    assert!(left(&sim, 0, bob), "the teacher sees Bob leave");
    assert!(left(&sim, 2, bob));
    assert_eq!(sim.shard.participant_count(), 2, "his connection is gone");
    // Too late to resume: the room says so, and he joins afresh.
    sim.clients[1].cut = false;
    let signals = sim.clients[1].signals.len();
    sim.resume(1);
    let failed = sim.clients[1].signals[signals..].iter().any(|m| {
        matches!(
            m,
            ServerMessage::Error {
                code: ErrorCode::ResumeFailed,
                ..
            }
        )
    });
    assert!(
        failed,
        "resume after the grace fails: {:?}",
        &sim.clients[1].signals[signals..]
    );
    assert_eq!(sim.shard.participant_count(), 2);
}

#[test]
fn a_removed_pupil_never_resumes() {
    let mut sim = lesson();
    let bob = sim.clients[1].id;
    sim.send(
        0,
        ClientMessage::Remove {
            participant_id: bob,
        },
    );
    assert!(left(&sim, 0, bob));
    let signals = sim.clients[1].signals.len();
    sim.resume(1);
    let answer = &sim.clients[1].signals[signals..];
    assert!(
        matches!(
            answer,
            [ServerMessage::Error {
                code: ErrorCode::ResumeFailed,
                ..
            }]
        ),
        "{answer:?}"
    );
    assert_eq!(sim.shard.participant_count(), 2);
}

#[test]
fn with_bandwidth_estimation_video_is_back_within_a_second_and_a_half_after_45_seconds_away() {
    let mut sim = lesson_on(Sim::with_bandwidth_estimation(true));
    let frame = teach(&mut sim, 0, 2);
    sim.clients[1].cut = true;
    sim.drop_signaling(1);
    let frame = teach(&mut sim, frame, 45);
    let before = video_frames(&sim, 1);
    sim.clients[1].cut = false;
    sim.resume(1);
    sim.restart_ice(1);
    teach(&mut sim, frame, 1);
    let frame = frame + 25;
    let back = video_frames(&sim, 1) - before;
    teach(&mut sim, frame, 1);
    let later = video_frames(&sim, 1) - before;
    assert!(back >= 10, "frames in the first second back: {back}");
    assert!(
        later >= back + 20,
        "and all of the next second: {}",
        later - back
    );
}

#[test]
fn a_reloaded_page_joins_afresh_and_its_old_self_goes_at_once() {
    let mut sim = lesson();
    let bob = sim.clients[1].id;
    sim.drop_signaling(1);
    assert_eq!(reconnecting(&sim, 0, bob), Some(true));
    // The reloaded page has no token: it joins again, from the same device.
    let again = sim.join_as(ROOM, "Bob", entry("device-2", false));
    assert!(left(&sim, 0, bob), "the old Bob is gone");
    assert!(sim.clients[again]
        .signals
        .iter()
        .any(|m| matches!(m, ServerMessage::Joined { .. })));
    assert_eq!(sim.shard.participant_count(), 3);
}
