//! One subscriber behind a slow link: the others get every frame at once,
//! and the slow one gets a fresh picture after a pause, not an ever later
//! one (simulated time, bandwidth estimation on as in production).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tafelrunde_protocol::MediaKind;
use tafelrunde_sfu::sim::{Link, Sim};

/// Frames per second the teacher's camera sends (600-byte frames, one
/// packet each: about 120 kbit/s with audio).
const FPS: u64 = 25;

#[test]
fn a_slow_subscriber_skips_to_a_keyframe_and_the_others_get_every_frame_at_once() {
    let mut sim = Sim::with_bandwidth_estimation(true);
    let teacher = sim.join("klasse-7a", "Frau Berg");
    let pupils: Vec<usize> = ["Ada", "Bob", "Cem"]
        .iter()
        .map(|name| sim.join("klasse-7a", name))
        .collect();
    sim.publish(teacher);
    for &p in &pupils {
        sim.subscribe_all(p);
    }
    sim.run_for(Duration::from_secs(2));
    let slow = pupils[2];
    // 60 kbit/s and a router queue of four packets: half of what the camera sends.
    sim.clients[slow].downlink = Some(Link::new(60, 4));

    let mut sent_at: HashMap<u8, Instant> = HashMap::new();
    let mut requests = sim.clients[teacher].keyframe_requests;
    let frames = 10 * FPS;
    for frame in 0..frames {
        // Like a browser: a keyframe at the start and whenever one is asked for.
        let asked = sim.clients[teacher].keyframe_requests > requests;
        requests = sim.clients[teacher].keyframe_requests;
        sent_at.insert(frame as u8, sim.now);
        sim.send_media(teacher, frame, frame == 0 || asked);
        sim.run_for(Duration::from_millis(1_000 / FPS));
    }

    let delay = |m: &&str0m::media::MediaData| m.network_time - sent_at[&m.data[1]];
    for &p in &pupils[..2] {
        let video = sim.received(p, MediaKind::Video);
        assert!(
            video.len() as u64 >= frames - 2,
            "a pupil on a good link sees every frame: {} of {frames}",
            video.len()
        );
        let worst = video.iter().map(delay).max().expect("frames");
        assert!(
            worst <= Duration::from_millis(10),
            "and each at once, whatever the slow pupil's link: worst {worst:?}"
        );
    }
    // Without a bound the slow pupil's picture drifts 1.6 s behind and more
    // (str0m drains its queue only at 2 s) and never gets a keyframe; with
    // it, what reaches her is at most the bound (300 ms) plus her router's
    // queue (four packets: 350 ms) plus a little pacing old.
    let video = sim.received(slow, MediaKind::Video);
    let mut delays: Vec<Duration> = video.iter().map(delay).collect();
    delays.sort();
    // A few late ones are resends of lost packets, which a browser skips.
    let (median, p90) = (delays[delays.len() / 2], delays[delays.len() * 9 / 10]);
    assert!(
        median <= Duration::from_millis(600) && p90 <= Duration::from_secs(1),
        "the slow pupil's picture stays near the present: median {median:?}, p90 {p90:?} of {} frames",
        delays.len()
    );
    let restarts = video.iter().skip(1).filter(|m| m.data[0] & 1 == 0).count();
    assert!(
        restarts >= 1,
        "she got a fresh keyframe after an overflow: {restarts}"
    );
    let last_second = video
        .iter()
        .filter(|m| sim.now - m.network_time <= Duration::from_secs(1))
        .count();
    assert!(
        last_second >= 3,
        "and she still sees video at the end: {last_second} frames in the last second"
    );
    assert!(
        sim.clients[teacher].keyframe_requests <= 2 * 10,
        "the teacher is asked for keyframes at most twice a second: {}",
        sim.clients[teacher].keyframe_requests
    );
}
