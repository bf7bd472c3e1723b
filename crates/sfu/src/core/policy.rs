//! How layers are chosen: the layer of each video a subscriber receives,
//! within last-N, its layout and its downlink, and which layers publishers
//! need to send.

use std::time::{Duration, Instant};

use str0m::bwe::Bitrate;
use tafelrunde_protocol::{MediaKind, ParticipantId, ServerMessage, TrackId, TrackSource};

use super::allocate::{allocate, VideoDemand};
use super::forwarder::Forwarder;
use super::outbox::Outbox;
use super::peer::INITIAL_DOWNLINK_KBPS;
use super::room_id::RoomId;
use super::ShardConfig;

/// How often speakers are re-evaluated.
pub const TICK: Duration = Duration::from_millis(100);
/// Layers and bandwidth are re-allocated every this many ticks.
pub const ALLOCATE_EVERY: u32 = 5;
/// A layer nobody needed for this long is paused at the publisher (long
/// enough that a subscriber's short dip in bandwidth does not pause it).
const PAUSE_AFTER: Duration = Duration::from_secs(4);
/// What one audio stream costs a subscriber's downlink.
const AUDIO_BITRATE: u64 = 50_000;
/// How far above the wanted rate the estimator may probe.
const PROBE_HEADROOM: f64 = 1.4;
/// The bandwidth estimator never aims below this.
const MIN_BITRATE: u64 = 300_000;

/// How the layers of a room's videos are chosen: for each subscriber, the
/// layer each video it receives; for each publisher, the layers anybody
/// needs. Shard-wide settings, applied room by room.
#[derive(Debug, Clone, Copy)]
pub struct LayerPolicy {
    /// At most this many videos are forwarded to one subscriber (last-N).
    pub max_videos: usize,
    /// Fit layers into each subscriber's estimated downlink.
    pub bandwidth_estimation: bool,
}

impl LayerPolicy {
    /// The policy a shard's settings ask for.
    pub fn of(config: &ShardConfig) -> Self {
        Self {
            max_videos: config.max_videos,
            bandwidth_estimation: config.bandwidth_estimation,
        }
    }

    /// Choose the target layer of every video `id` receives in the room of
    /// `media` (whose recent dominant speakers are `recent`), ask for the
    /// keyframes the new choice needs, and tell the bandwidth estimator what
    /// to aim for.
    pub fn reallocate(
        &self,
        (room_id, media, recent): (RoomId, &mut Forwarder, &[ParticipantId]),
        now: Instant,
        id: ParticipantId,
        outbox: &mut Outbox,
    ) {
        let Some(p) = media.peers.get(&id) else {
            return;
        };
        let mut videos = Vec::new();
        let mut audio = 0;
        for (mid, out) in &p.outgoing {
            let Some(track) = out.track.and_then(|t| media.tracks.get(&t)) else {
                continue;
            };
            if track.kind == MediaKind::Audio {
                audio += 1;
                continue;
            }
            let priority = match (track.source, recent.iter().position(|s| *s == track.owner)) {
                (TrackSource::Screen, _) => 1000,
                (_, Some(rank)) => 100 - rank as u32,
                _ => 0,
            };
            let (tile_height, place) = match &p.layout {
                None => (Some(u32::MAX), 0),
                Some(layout) => match layout.get(&track.id) {
                    Some((height, place)) => (Some(*height), *place),
                    None => (None, usize::MAX),
                },
            };
            let demand = VideoDemand {
                priority,
                tile_height,
                layers: track.views(now),
                current: out.current,
                must_show: track.source == TrackSource::Screen,
                // Only a choice of layers is fitted into the estimate. A
                // single-layer video is shown or not by last-N and the
                // layout; holding it back until the estimate has grown kept
                // a class's cameras dark for seconds.
                within_budget: track.layers.len() > 1,
            };
            videos.push(((place, track.id), (*mid, track.id), demand));
        }
        // Equal priorities keep the layout's order, then the tracks' age:
        // the same videos are chosen every time, whatever order the
        // subscriber's transceivers are kept in.
        videos.sort_unstable_by_key(|(order, _, _)| *order);
        let (outs, demands): (Vec<_>, Vec<_>) = videos.into_iter().map(|(_, o, d)| (o, d)).unzip();
        // The estimator only learns what we send or probe for: an estimate
        // near what we asked for says "no congestion", not "no more room".
        // Only an estimate clearly below it limits the layers.
        let app_limited = |d: u64| d as f64 >= 0.9 * p.desired as f64;
        let initial = INITIAL_DOWNLINK_KBPS * 1000;
        let budget = p
            .downlink
            .map(|d| if app_limited(d) { d.max(initial) } else { d })
            .map(|d| d.saturating_sub(audio * AUDIO_BITRATE));
        let targets = allocate(&demands, self.max_videos, budget);
        let wanted: u64 = allocate(&demands, self.max_videos, None)
            .iter()
            .zip(&demands)
            .filter_map(|(t, d)| t.map(|l| d.layers[l].cost()))
            .sum::<u64>()
            + audio * AUDIO_BITRATE;

        let mut keyframes = Vec::new();
        let p = media.peers.get_mut(&id).expect("present");
        for ((mid, track), target) in outs.into_iter().zip(targets) {
            let Some(out) = p.outgoing.get_mut(&mid) else {
                continue;
            };
            if out.target != target {
                out.target = target;
                if let Some(layer) = target.filter(|t| out.current != Some(*t)) {
                    // A fresh start replays the layer's picture group, if
                    // it has one; only a switch, or a start without one,
                    // needs a keyframe.
                    let replay = out.current.is_none()
                        && media.tracks.get(&track).is_some_and(|t| {
                            t.layers
                                .get(layer)
                                .is_some_and(|l| l.pictures.replayable(now))
                        });
                    if !replay {
                        keyframes.push((track, layer));
                    }
                }
            }
        }
        if self.bandwidth_estimation {
            // Ask for more than we need, so that the estimate can show the
            // headroom an upgrade requires (it does not probe past `desired`).
            let desired = ((wanted as f64 * PROBE_HEADROOM) as u64).max(MIN_BITRATE);
            p.desired = desired;
            let desired = Bitrate::from(desired);
            let set = p.with_rtc(|rtc| rtc.bwe().set_bitrate(Bitrate::from(MIN_BITRATE), desired));
            if set.is_err() {
                outbox.panicked.push(id);
                return;
            }
        }
        for (track, layer) in keyframes {
            media.request_keyframe(room_id, now, track, layer, false, outbox);
        }
    }

    /// Tell a publisher which layers of `track` anybody needs. A layer is
    /// resumed at once and paused only after nobody needed it for a while.
    /// Returns the message to the publisher when that changed.
    pub fn publish_layers(
        &self,
        media: &mut Forwarder,
        now: Instant,
        track_id: TrackId,
    ) -> Option<(ParticipantId, ServerMessage)> {
        let track = media.tracks.get_mut(&track_id)?;
        if track.layers.len() < 2 {
            return None;
        }
        let mut needed = vec![false; track.layers.len()];
        for (subscriber, mid) in &track.subscribers {
            let Some(out) = media
                .peers
                .get(subscriber)
                .and_then(|s| s.outgoing.get(mid))
            else {
                continue;
            };
            for layer in [out.target, out.current].into_iter().flatten() {
                needed[layer] = true;
            }
        }
        let mut changed = false;
        for (layer, needed) in track.layers.iter_mut().zip(needed) {
            if needed {
                layer.unneeded_since = None;
                if std::mem::replace(&mut layer.paused, false) {
                    layer.grace_until = now + super::track::LAYER_SILENCE;
                    changed = true;
                }
            } else {
                let since = *layer.unneeded_since.get_or_insert(now);
                if !layer.paused && now.saturating_duration_since(since) >= PAUSE_AFTER {
                    layer.paused = true;
                    changed = true;
                }
            }
        }
        if changed {
            let active = track
                .layers
                .iter()
                .filter(|l| !l.paused)
                .filter_map(|l| l.rid.map(|r| r.to_string()))
                .collect();
            let (owner, mid) = (track.owner, track.mid.to_string());
            return Some((owner, ServerMessage::PublishLayers { mid, active }));
        }
        None
    }
}
