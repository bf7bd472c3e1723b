//! Simulcast: each subscriber gets the layer its tile needs; switches happen
//! at keyframes; invisible videos are paused, and so are layers nobody needs.

use std::time::Duration;

use tafelrunde_protocol::{MediaKind, ServerMessage, TrackId};
use tafelrunde_sfu::sim::Sim;

const LAYERS: &[(&str, u32)] = &[("q", 180), ("h", 360), ("f", 720)];

/// Ada publishes three layers; Bob subscribes. Returns Ada's video track.
fn lesson() -> (Sim, TrackId) {
    let mut sim = Sim::new();
    let ada = sim.join("7a", "Ada");
    let bob = sim.join("7a", "Bob");
    sim.publish_with_layers(ada, LAYERS);
    sim.subscribe_all(bob);
    sim.run_for(Duration::from_secs(2));
    let video = sim.clients[bob]
        .signals
        .iter()
        .find_map(|m| match m {
            ServerMessage::TrackAdded { track } if track.kind == MediaKind::Video => Some(track.id),
            _ => None,
        })
        .expect("Ada's video was announced");
    (sim, video)
}

fn send(sim: &mut Sim, from: u64, frames: u64) {
    for frame in from..from + frames {
        sim.send_media(0, frame, frame % 25 == 0);
        sim.run_for(Duration::from_millis(40));
    }
}

/// Layer indices of the video frames Bob received.
fn layers_seen(sim: &Sim) -> Vec<u8> {
    sim.received(1, MediaKind::Video)
        .iter()
        .map(|m| m.data[2])
        .collect()
}

#[test]
fn a_small_tile_gets_the_low_layer_and_a_large_one_the_high_layer() {
    let (mut sim, video) = lesson();
    sim.layout(1, &[(video, 150)]);
    send(&mut sim, 0, 50);
    let seen = layers_seen(&sim);
    assert!(seen.len() > 40, "{} frames", seen.len());
    assert!(
        seen.iter().all(|l| *l == 0),
        "only the 180p layer for a 150 px tile: {seen:?}"
    );

    sim.clients[1].media.clear();
    sim.layout(1, &[(video, 720)]);
    send(&mut sim, 50, 50);
    let seen = layers_seen(&sim);
    let switch = seen
        .iter()
        .position(|l| *l == 2)
        .expect("switched to the 720p layer");
    assert!(
        seen[switch..].iter().all(|l| *l == 2),
        "no way back: {seen:?}"
    );
    assert!(
        seen[..switch].iter().all(|l| *l == 0),
        "low layer until the switch: {seen:?}"
    );
    let first_high = sim.received(1, MediaKind::Video)[switch];
    assert_eq!(
        first_high.data[0] & 1,
        0,
        "the switch happens on a keyframe"
    );
    assert!(
        first_high.contiguous,
        "the subscriber sees one continuous stream"
    );
}

#[test]
fn an_invisible_video_is_paused_and_its_layers_stop_at_the_publisher() {
    let (mut sim, video) = lesson();
    sim.layout(1, &[]);
    send(&mut sim, 0, 100);
    assert!(
        layers_seen(&sim).is_empty(),
        "nothing forwarded for an off-screen tile"
    );
    let paused = sim.clients[0].signals.iter().rev().find_map(|m| match m {
        ServerMessage::PublishLayers { active, .. } => Some(active.clone()),
        _ => None,
    });
    assert_eq!(paused, Some(vec![]), "the publisher may stop encoding");

    sim.layout(1, &[(video, 300)]);
    let resumed = sim.clients[0].signals.iter().rev().find_map(|m| match m {
        ServerMessage::PublishLayers { active, .. } => Some(active.clone()),
        _ => None,
    });
    assert_eq!(
        resumed,
        Some(vec!["h".to_string()]),
        "the needed layer is resumed at once"
    );
}

#[test]
fn a_layer_the_publisher_stops_is_replaced_by_a_lower_one() {
    let (mut sim, video) = lesson();
    sim.layout(1, &[(video, 720)]);
    send(&mut sim, 0, 30);
    assert_eq!(layers_seen(&sim).last(), Some(&2));
    // The publisher's uplink gets weak: the browser drops the top layer.
    let layers = &mut sim.clients[0].publish[1].layers;
    layers.pop();
    sim.clients[1].media.clear();
    send(&mut sim, 30, 100);
    let seen = layers_seen(&sim);
    assert_eq!(
        seen.last(),
        Some(&1),
        "Bob falls back to 360p instead of losing the picture: {seen:?}"
    );
}
