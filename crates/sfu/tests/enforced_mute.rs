//! Moderation is enforced in the media path: a muted participant's packets
//! reach nobody, whatever the browser sends; screen shares need permission.

use std::time::Duration;

use tafelrunde_protocol::{
    ClientMessage, ErrorCode, MediaKind, PermissionKind, ServerMessage, SettingsChange, TrackSource,
};
use tafelrunde_sfu::core::moderation::{Entry, RoomKind};
use tafelrunde_sfu::sim::Sim;

const ROOM: &str = "12345678-7a-mat";

fn teacher() -> Entry {
    Entry {
        key: "account-1".into(),
        teacher: true,
        kind: RoomKind::School,
        lobby: false,
        admitted_before: false,
    }
}

fn pupil(n: u32) -> Entry {
    Entry {
        key: format!("device-{n}"),
        teacher: false,
        kind: RoomKind::School,
        lobby: false,
        admitted_before: false,
    }
}

/// A teacher and a pupil who both publish and receive each other.
fn lesson() -> (Sim, usize, usize) {
    let mut sim = Sim::new();
    let teacher = sim.join_as(ROOM, "Frau Lehmann", teacher());
    let pupil = sim.join_as(ROOM, "Kim", pupil(2));
    sim.publish(teacher);
    sim.publish(pupil);
    sim.subscribe_all(teacher);
    sim.subscribe_all(pupil);
    sim.run_for(Duration::from_secs(2));
    (sim, teacher, pupil)
}

fn talk(sim: &mut Sim, who: usize, frames: std::ops::Range<u64>) {
    for frame in frames {
        sim.send_media(who, frame, frame % 50 == 0);
        sim.run_for(Duration::from_millis(20));
    }
}

#[test]
fn a_force_muted_pupil_who_keeps_sending_is_heard_by_nobody() {
    let (mut sim, teacher, pupil) = lesson();
    talk(&mut sim, pupil, 0..50);
    let heard = sim.received(teacher, MediaKind::Audio).len();
    assert!(
        heard >= 45,
        "before: the teacher hears the pupil ({heard} frames)"
    );

    let pupil_id = sim.clients[pupil].id;
    sim.send(
        teacher,
        ClientMessage::RoomSettings(SettingsChange {
            self_unmute_audio: Some(false),
            ..Default::default()
        }),
    );
    sim.send(
        teacher,
        ClientMessage::ForceMute {
            participant_id: Some(pupil_id),
            kind: MediaKind::Audio,
        },
    );
    // The pupil's browser ignores the mute and tries to unmute itself.
    sim.send(
        pupil,
        ClientMessage::Mute {
            audio: false,
            video: false,
        },
    );
    let refused = sim.clients[pupil].signals.iter().any(|m| {
        matches!(m, ServerMessage::Error { code: ErrorCode::NotAllowed, field: Some(f), .. } if f == "audio")
    });
    assert!(refused, "the forced unmute is refused");
    talk(&mut sim, pupil, 50..150);
    let after = sim.received(teacher, MediaKind::Audio).len() - heard;
    assert_eq!(
        after, 0,
        "not one audio packet of the muted pupil is forwarded"
    );
    assert!(
        sim.received(teacher, MediaKind::Video).len() > 90,
        "the camera was not muted and still flows"
    );

    // Asked to unmute, the pupil may speak again.
    sim.send(
        teacher,
        ClientMessage::AskToUnmute {
            participant_id: pupil_id,
            kind: MediaKind::Audio,
        },
    );
    sim.send(
        pupil,
        ClientMessage::Mute {
            audio: false,
            video: false,
        },
    );
    let before = sim.received(teacher, MediaKind::Audio).len();
    talk(&mut sim, pupil, 150..200);
    assert!(sim.received(teacher, MediaKind::Audio).len() - before >= 45);
}

#[test]
fn screen_sharing_needs_permission_and_revoking_ends_it_for_everyone() {
    let mut sim = Sim::new();
    let teacher = sim.join_as(ROOM, "Frau Lehmann", teacher());
    let kim = sim.join_as(ROOM, "Kim", pupil(2));
    let ali = sim.join_as(ROOM, "Ali", pupil(3));

    sim.publish_screen(kim);
    let refused = sim.clients[kim].signals.iter().any(|m| {
        matches!(m, ServerMessage::Error { code: ErrorCode::NotAllowed, field: Some(f), .. } if f == "publish[0]")
    });
    assert!(refused, "a pupil may not share the screen unasked");

    let ali_id = sim.clients[ali].id;
    sim.send(
        teacher,
        ClientMessage::Grant {
            participant_id: ali_id,
            kind: PermissionKind::Screen,
            allowed: true,
        },
    );
    sim.publish_screen(ali);
    let screen = sim.clients[teacher].signals.iter().find_map(|m| match m {
        ServerMessage::TrackAdded { track } if track.source == TrackSource::Screen => {
            Some(track.id)
        }
        _ => None,
    });
    let screen = screen.expect("the teacher sees the granted share");
    sim.send(
        teacher,
        ClientMessage::Grant {
            participant_id: ali_id,
            kind: PermissionKind::Screen,
            allowed: false,
        },
    );
    let removed = |sim: &Sim, i: usize| {
        sim.clients[i]
            .signals
            .iter()
            .any(|m| matches!(m, ServerMessage::TrackRemoved { track_id } if *track_id == screen))
    };
    assert!(
        removed(&sim, teacher) && removed(&sim, kim),
        "the share ends for everyone"
    );
}
