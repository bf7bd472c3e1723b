//! The scenarios of ../shared/BENCHMARKS.md as plans: who joins which room
//! when, what each participant sends and what it receives.

use std::time::Duration;

use crate::impair::LinkSpec;
use crate::media::{layer, Layer, LAYERS};
use crate::options::{Options, ScenarioName};
use crate::peer::Turns;

/// One synthetic participant.
#[derive(Debug, Clone)]
pub struct ParticipantPlan {
    pub index: usize,
    pub room: usize,
    pub name: String,
    /// When it joins, from the start of the join phase.
    pub join_at: Duration,
    /// Sends Opus-shaped audio.
    pub audio: bool,
    /// Speakers taking turns (assembly).
    pub turns: Option<Turns>,
    /// Camera layers, low to high; empty: no camera.
    pub video_layers: Vec<Layer>,
    /// Receives every audio track of its room.
    pub subscribe_audio: bool,
    /// Receives at most this many video tracks (last-N).
    pub max_videos: usize,
    /// Size of each video tile on its screen (width, height).
    pub tile: (u32, u32),
    /// Behind a weak link.
    pub impaired: Option<LinkSpec>,
    /// Starts a screen share when the run reaches that phase (storm).
    pub screen_share: bool,
}

impl ParticipantPlan {
    pub fn room_name(&self) -> String {
        format!("bench-room-{}", self.room)
    }
}

/// A whole scenario.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: &'static str,
    /// The sizes, for people (e.g. "100 subscribers").
    pub shape: String,
    pub rooms: usize,
    pub participants: Vec<ParticipantPlan>,
    /// Publishers send three simulcast layers (and subscribers send `layout`).
    pub simulcast: bool,
    /// A screen share starts after the joins (storm).
    pub screen_share: bool,
}

impl Plan {
    pub fn largest_room(&self) -> usize {
        (0..self.rooms)
            .map(|r| self.participants.iter().filter(|p| p.room == r).count())
            .max()
            .unwrap_or(0)
    }

    /// When the last participant starts joining.
    pub fn join_spread(&self) -> Duration {
        self.participants
            .iter()
            .map(|p| p.join_at)
            .max()
            .unwrap_or_default()
    }
}

/// Gap between joins when a scenario does not say otherwise: fast, but not
/// all at once (the load generator does every DTLS handshake on one core).
const JOIN_GAP: Duration = Duration::from_millis(15);

struct Builder {
    plan: Plan,
    camera: Vec<Layer>,
}

impl Builder {
    fn add(&mut self, room: usize, join_at: Duration, f: impl FnOnce(&mut ParticipantPlan)) {
        let index = self.plan.participants.len();
        let mut p = ParticipantPlan {
            index,
            room,
            name: format!("p{index}"),
            join_at,
            audio: false,
            turns: None,
            video_layers: Vec::new(),
            subscribe_audio: true,
            max_videos: 0,
            tile: (320, 180),
            impaired: None,
            screen_share: false,
        };
        f(&mut p);
        self.plan.participants.push(p);
    }
}

/// Build the plan the options ask for.
pub fn plan(o: &Options) -> Plan {
    let simulcast = o.layers >= 3;
    let single = |default: &str| -> Vec<Layer> {
        if simulcast {
            LAYERS.to_vec()
        } else {
            vec![layer(o.layer.as_deref().unwrap_or(default)).expect("valid layer name (q, h or f)")]
        }
    };
    let empty = Plan {
        name: o.scenario.name(),
        shape: String::new(),
        rooms: 1,
        participants: Vec::new(),
        simulcast,
        screen_share: false,
    };
    match o.scenario {
        ScenarioName::Lecture => {
            let subscribers = o.subscribers.unwrap_or(100);
            let mut b = Builder {
                plan: empty,
                camera: single("f"),
            };
            let camera = b.camera.clone();
            b.add(0, Duration::ZERO, |p| {
                p.name = "teacher".into();
                p.audio = true;
                p.video_layers = camera;
                p.subscribe_audio = false;
            });
            // Mixed tiles: a third each large, medium, small.
            let tiles = [(1280, 720), (640, 360), (320, 180)];
            for i in 0..subscribers {
                b.add(0, Duration::from_millis(300) + JOIN_GAP * i as u32, |p| {
                    p.max_videos = 1;
                    p.tile = tiles[i % 3];
                });
            }
            b.plan.shape = format!(
                "1 publisher → {subscribers} subscribers, {}",
                layers_text(&b.camera)
            );
            b.plan
        }
        ScenarioName::Classroom | ScenarioName::Impaired => {
            let size = o.participants.unwrap_or(30);
            let rooms = o.rooms.unwrap_or(1);
            let speakers = o.speakers.unwrap_or(2);
            let impaired = o.scenario == ScenarioName::Impaired;
            let mut b = Builder {
                plan: empty,
                camera: single("h"),
            };
            b.plan.rooms = rooms;
            let camera = b.camera.clone();
            let mut n = 0u32;
            for room in 0..rooms {
                for i in 0..size {
                    let camera = camera.clone();
                    b.add(room, JOIN_GAP * n, |p| {
                        p.audio = i < speakers;
                        p.video_layers = camera;
                        p.max_videos = o.last_n;
                        p.tile = (320, 180);
                        // Every tenth participant (for a share of 10 %) is behind the weak link.
                        let every = (1.0 / o.impaired_share.max(0.01)).round() as usize;
                        if impaired && (i + 1) % every == 0 {
                            p.impaired = Some(LinkSpec {
                                loss_percent: o.impaired_loss,
                                rtt: Duration::from_millis(o.impaired_rtt_ms),
                                rate_bps: o.impaired_kbps * 1000,
                                ..LinkSpec::default()
                            });
                        }
                    });
                    n += 1;
                }
            }
            let weak = b
                .plan
                .participants
                .iter()
                .filter(|p| p.impaired.is_some())
                .count();
            b.plan.shape = format!(
                "{rooms} room(s) × {size}, all video ({}), last-{} at 320×180, {speakers} speaking{}",
                layers_text(&b.camera),
                o.last_n,
                if impaired { format!(", {weak} behind {} kbit/s, {} % loss, {} ms RTT", o.impaired_kbps, o.impaired_loss, o.impaired_rtt_ms) } else { String::new() }
            );
            b.plan
        }
        ScenarioName::Assembly => {
            let listeners = o.subscribers.unwrap_or(300);
            let speakers = o.speakers.unwrap_or(3);
            let mut b = Builder {
                plan: empty,
                camera: Vec::new(),
            };
            for i in 0..speakers {
                b.add(0, JOIN_GAP * i as u32, |p| {
                    p.name = format!("speaker{i}");
                    p.audio = true;
                    p.turns = Some(Turns {
                        index: i,
                        count: speakers,
                        slot: Duration::from_secs(2),
                    });
                });
            }
            for i in 0..listeners {
                b.add(0, Duration::from_millis(300) + JOIN_GAP * i as u32, |_| {});
            }
            b.plan.shape = format!(
                "{speakers} speakers taking turns (2 s each) → {listeners} audio listeners"
            );
            b.plan
        }
        ScenarioName::Storm => {
            let joins = o.subscribers.unwrap_or(300);
            let rooms = o.rooms.unwrap_or(10).max(1);
            let seconds = o.join_seconds;
            let mut b = Builder {
                plan: empty,
                camera: single("h"),
            };
            b.plan.rooms = rooms;
            b.plan.screen_share = true;
            let camera = b.camera.clone();
            // Every third join goes to the first room (100 of 300), the
            // others are shared round-robin by the other rooms.
            let big = if rooms > 1 { joins.div_ceil(3) } else { joins };
            for room in 0..rooms {
                let camera = camera.clone();
                b.add(room, Duration::ZERO, |p| {
                    p.name = format!("teacher{room}");
                    p.audio = true;
                    p.video_layers = camera;
                    p.subscribe_audio = false;
                    p.screen_share = room == 0;
                });
            }
            for i in 0..joins {
                let room = if rooms == 1 || i % 3 == 0 {
                    0
                } else {
                    1 + (i - i / 3 - 1) % (rooms - 1)
                };
                let at = Duration::from_millis(500)
                    + Duration::from_secs_f64(seconds * i as f64 / joins as f64);
                b.add(room, at, |p| {
                    p.max_videos = 2;
                    p.tile = (640, 360);
                });
            }
            b.plan.shape = format!(
                "{joins} joins within {seconds} s into {rooms} rooms ({big} in the first), then a screen share there"
            );
            b.plan
        }
        ScenarioName::Soak => crate::soak::plan(o),
    }
}

pub(crate) fn layers_text(layers: &[Layer]) -> String {
    let parts: Vec<String> = layers
        .iter()
        .map(|l| format!("{}p {} kbit/s", l.height, l.bitrate / 1000))
        .collect();
    if layers.len() > 1 {
        format!("simulcast {}", parts.join(" / "))
    } else {
        format!("single layer {}", parts.join(""))
    }
}
