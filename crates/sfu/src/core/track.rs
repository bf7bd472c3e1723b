//! A published track: its layers, what each sends, and who receives it.

use std::time::{Duration, Instant};

use str0m::media::{Mid, Rid};
use str0m::rtp::RtpPacket;
use tafelrunde_protocol::{MediaKind, ParticipantId, TrackId, TrackInfo, TrackSource};

use super::allocate::LayerView;
use super::gop_cache::GopCache;
use super::keyframe::KeyframeThrottle;

/// A layer that sent nothing for this long is gone (the publisher dropped it).
pub const LAYER_SILENCE: Duration = Duration::from_millis(1500);

/// Bit rate of one layer, smoothed over about a second.
#[derive(Debug, Default, Clone)]
pub struct RateMeter {
    bytes: u64,
    since: Option<Instant>,
    bitrate: u64,
}

impl RateMeter {
    /// Count a packet.
    pub fn add(&mut self, bytes: usize) {
        self.bytes += bytes as u64;
    }

    /// Close a measuring window (call about twice a second).
    pub fn tick(&mut self, now: Instant) {
        if let Some(since) = self.since {
            let secs = now.saturating_duration_since(since).as_secs_f64();
            if secs > 0.0 {
                let sample = (self.bytes as f64 * 8.0 / secs) as u64;
                self.bitrate = if self.bitrate == 0 {
                    sample
                } else {
                    (self.bitrate + sample) / 2
                };
            }
        }
        self.bytes = 0;
        self.since = Some(now);
    }

    /// The smoothed bit rate.
    pub fn bitrate(&self) -> u64 {
        self.bitrate
    }
}

/// One simulcast layer (or the only layer) of a published track.
#[derive(Debug)]
pub struct Layer {
    /// Its RTP stream id; `None` for a single-layer track.
    pub rid: Option<Rid>,
    /// Picture height the publisher announced.
    pub height: u32,
    /// What it sends.
    pub meter: RateMeter,
    /// When it last sent a packet.
    pub last_packet: Option<Instant>,
    /// The SFU asked the publisher to pause it (nobody needs it).
    pub paused: bool,
    /// Until then the layer counts as available without packets: it was just
    /// announced or resumed. After that, only packets make it available, so a
    /// layer the browser never sends (or dropped) is not waited for.
    pub grace_until: Instant,
    /// Since when nobody needs it.
    pub unneeded_since: Option<Instant>,
    /// Keyframe requests for this layer.
    pub keyframes: KeyframeThrottle,
    /// Its packets since the last keyframe, for subscribers who start it.
    pub pictures: GopCache<RtpPacket>,
}

/// A track one participant publishes, and who receives it.
#[derive(Debug)]
pub struct Track {
    /// The track's id.
    pub id: TrackId,
    /// The publisher.
    pub owner: ParticipantId,
    /// The publisher's transceiver.
    pub mid: Mid,
    /// Audio or video.
    pub kind: MediaKind,
    /// Camera/microphone or screen.
    pub source: TrackSource,
    /// Layers from lowest to highest (one for audio and plain video).
    pub layers: Vec<Layer>,
    /// Subscribers and the transceiver each receives it on.
    pub subscribers: Vec<(ParticipantId, Mid)>,
}

impl Track {
    /// A new track without subscribers. `layers` are (rid, height) from
    /// lowest to highest; empty for a single-layer track.
    #[allow(clippy::too_many_arguments)] // one call site, each argument named there
    pub fn new(
        id: TrackId,
        owner: ParticipantId,
        mid: Mid,
        kind: MediaKind,
        source: TrackSource,
        layers: &[(String, u32)],
        now: Instant,
        keyframe_interval: Duration,
    ) -> Self {
        let layer = |rid: Option<Rid>, height| Layer {
            rid,
            height,
            meter: RateMeter::default(),
            last_packet: None,
            paused: false,
            grace_until: now + LAYER_SILENCE,
            unneeded_since: None,
            keyframes: KeyframeThrottle::new(keyframe_interval),
            pictures: GopCache::default(),
        };
        let layers = if layers.is_empty() {
            vec![layer(None, 720)]
        } else {
            layers
                .iter()
                .map(|(rid, height)| layer(Some(Rid::from(rid.as_str())), *height))
                .collect()
        };
        Self {
            id,
            owner,
            mid,
            kind,
            source,
            layers,
            subscribers: Vec::new(),
        }
    }

    /// How the others learn about it.
    pub fn info(&self) -> TrackInfo {
        TrackInfo {
            id: self.id,
            participant_id: self.owner,
            kind: self.kind,
            source: self.source,
        }
    }

    /// The layer of an incoming stream.
    pub fn layer_of(&self, rid: Option<Rid>) -> Option<usize> {
        if self.layers.len() == 1 {
            return Some(0);
        }
        self.layers
            .iter()
            .position(|l| l.rid.is_some() && l.rid == rid)
    }

    /// The layers as the allocator sees them.
    pub fn views(&self, now: Instant) -> Vec<LayerView> {
        self.layers
            .iter()
            .map(|l| LayerView {
                height: l.height,
                bitrate: l.meter.bitrate(),
                available: l.paused
                    || now < l.grace_until
                    || l.last_packet
                        .is_some_and(|t| now.saturating_duration_since(t) < LAYER_SILENCE),
            })
            .collect()
    }
}
