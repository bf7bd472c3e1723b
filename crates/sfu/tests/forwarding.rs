//! Two participants: audio and video of one reach the other through the shard.

use std::time::Duration;

use tafelrunde_protocol::{MediaKind, ServerMessage};
use tafelrunde_sfu::sim::Sim;

fn connected_pair() -> Sim {
    let mut sim = Sim::new();
    let ada = sim.join("klasse-7a", "Ada");
    let bob = sim.join("klasse-7a", "Bob");
    sim.publish(ada);
    sim.publish(bob);
    sim.subscribe_all(ada);
    sim.subscribe_all(bob);
    sim.run_for(Duration::from_secs(2));
    assert!(
        sim.clients[ada].rtc.is_connected() && sim.clients[bob].rtc.is_connected(),
        "ICE and DTLS complete"
    );
    sim
}

#[test]
fn media_reaches_the_other_participant() {
    let mut sim = connected_pair();
    for frame in 0..100u64 {
        sim.send_media(0, frame, frame % 50 == 0);
        sim.run_for(Duration::from_millis(20));
    }
    let audio = sim.received(1, MediaKind::Audio);
    let video = sim.received(1, MediaKind::Video);
    assert!(
        audio.len() >= 95,
        "Bob hears Ada: {} of 100 audio frames",
        audio.len()
    );
    assert!(audio.iter().all(|m| m.data[0] == 0xf8), "payload intact");
    assert!(
        video.len() >= 95,
        "Bob sees Ada: {} of 100 video frames",
        video.len()
    );
    assert!(
        video.iter().all(|m| m.data.len() == 600),
        "video frames reassembled whole"
    );
    assert!(
        sim.received(0, MediaKind::Video).is_empty(),
        "nobody receives their own video"
    );
}

#[test]
fn video_starts_at_a_keyframe_after_one_request() {
    let mut sim = connected_pair();
    // Ada sends only interframes at first: Bob must not get them, and Ada is asked for a keyframe.
    for frame in 0..10u64 {
        sim.send_media(0, frame, false);
        sim.run_for(Duration::from_millis(20));
    }
    assert!(
        sim.received(1, MediaKind::Video).is_empty(),
        "no interframe before the first keyframe"
    );
    assert!(
        sim.clients[0].keyframe_requests >= 1,
        "the publisher was asked for a keyframe"
    );
    sim.send_media(0, 10, true);
    sim.run_for(Duration::from_millis(50));
    let video = sim.received(1, MediaKind::Video);
    assert_eq!(video.len(), 1);
    assert_eq!(
        video[0].data[0] & 1,
        0,
        "the first frame Bob gets is a keyframe"
    );
}

#[test]
fn keyframe_requests_are_throttled_per_publisher() {
    let mut sim = Sim::new();
    let teacher = sim.join("aula", "Lehrkraft");
    sim.publish(teacher);
    let mut pupils = Vec::new();
    for n in 0..8 {
        let p = sim.join("aula", &format!("Kind {n}"));
        sim.subscribe_all(p);
        pupils.push(p);
    }
    sim.run_for(Duration::from_secs(2));
    let before = sim.clients[teacher].keyframe_requests;
    // 8 subscribers all start at once and all wait for a keyframe while
    // interframes flow for one second.
    for frame in 0..50u64 {
        sim.send_media(teacher, frame, false);
        sim.run_for(Duration::from_millis(20));
    }
    let requests = sim.clients[teacher].keyframe_requests - before;
    assert!(
        requests <= 3,
        "one request per 500 ms at most, not one per subscriber: {requests}"
    );
    assert!(requests >= 1);
}

#[test]
fn lost_video_is_repaired_by_retransmission() {
    let mut sim = connected_pair();
    sim.clients[1].downlink_loss = 5;
    for frame in 0..150u64 {
        sim.send_media(0, frame, frame == 0);
        sim.run_for(Duration::from_millis(20));
    }
    sim.run_for(Duration::from_millis(500));
    let video = sim.received(1, MediaKind::Video);
    // Every video frame spans two packets; with 5 % loss and no repair about
    // a tenth of the frames would be incomplete.
    assert!(
        video.len() >= 148,
        "NACK and RTX repair the loss: {} of 150 frames",
        video.len()
    );
}

#[test]
fn leaving_ends_the_tracks_at_the_others() {
    let mut sim = connected_pair();
    sim.shard.handle_command(
        sim.now,
        tafelrunde_sfu::core::Command::Message {
            participant: sim.clients[0].id,
            message: tafelrunde_protocol::ClientMessage::Leave,
        },
    );
    sim.pump();
    let bob = &sim.clients[1].signals;
    let removed = bob
        .iter()
        .filter(|m| matches!(m, ServerMessage::TrackRemoved { .. }))
        .count();
    assert_eq!(removed, 2, "both of Ada's tracks end");
    assert!(matches!(
        bob.last(),
        Some(ServerMessage::ParticipantLeft { .. })
    ));
    assert!(matches!(
        sim.clients[0].signals.last(),
        Some(ServerMessage::Bye { .. })
    ));
    assert_eq!(sim.shard.participant_count(), 1);
}

#[test]
fn a_late_subscriber_gets_the_picture_at_once_without_a_keyframe_request() {
    let mut sim = Sim::new();
    let ada = sim.join("klasse-7a", "Ada");
    let bob = sim.join("klasse-7a", "Bob");
    let carl = sim.join("klasse-7a", "Carl");
    sim.publish(ada);
    sim.subscribe_all(bob);
    // Carl is connected, but does not receive Ada yet.
    sim.publish(carl);
    sim.run_for(Duration::from_secs(2));
    assert!(sim.clients[carl].rtc.is_connected());

    sim.send_media(ada, 0, true);
    for frame in 1..=10u64 {
        sim.run_for(Duration::from_millis(20));
        sim.send_media(ada, frame, false);
    }
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.received(bob, MediaKind::Video).len(), 11);
    let requests = sim.clients[ada].keyframe_requests;

    // 200 ms into Ada's picture group, Carl starts her video.
    sim.subscribe_all(carl);
    sim.run_for(Duration::from_millis(20));
    sim.send_media(ada, 11, false);
    sim.run_for(Duration::from_millis(20));

    let video = sim.received(carl, MediaKind::Video);
    let frames: Vec<u8> = video.iter().map(|m| m.data[1]).collect();
    assert_eq!(
        frames,
        (0..=11).collect::<Vec<u8>>(),
        "the picture group from its keyframe, then the live frame, all within one frame's time"
    );
    assert_eq!(
        video[0].data[0] & 1,
        0,
        "the first frame Carl gets is a keyframe"
    );
    assert_eq!(
        sim.clients[ada].keyframe_requests, requests,
        "nobody asked Ada for a keyframe"
    );
    // Replayed frames are squeezed just before the live one, so that the
    // browser shows the present at once instead of playing the past.
    let ticks =
        |m: &&str0m::media::MediaData| m.time.rebase(str0m::media::Frequency::NINETY_KHZ).numer();
    let (first, last) = (ticks(&video[0]), ticks(&video[11]));
    assert_eq!(last - first, 11, "one tick apart, not 20 ms");
    let bob_video = sim.received(bob, MediaKind::Video);
    assert_eq!(
        ticks(&bob_video[11]) - ticks(&bob_video[0]),
        11 * 3000,
        "Bob's are live"
    );
}
