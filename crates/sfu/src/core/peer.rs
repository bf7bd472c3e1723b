//! One participant's media connection: its str0m `Rtc` and what it sends and
//! receives on which transceiver.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use rustc_hash::FxHashMap;
use str0m::bwe::Bitrate;
use str0m::error::IceError;
use str0m::media::{Mid, Pt, Rid};
use str0m::net::Protocol;
use str0m::net::TcpType;
use str0m::rtp::RtpPacket;
use str0m::{Candidate, Rtc};
use tafelrunde_protocol::TrackId;

use super::codec::VideoCodec;
use super::down_track::{DownTrack, Sent};
use super::incoming::{Incoming, IncomingCodec};
use super::ShardConfig;

/// The downlink assumed for a new subscriber until the estimator knows
/// better: a typical home connection; lower estimates follow within a
/// second, higher ones are probed for.
pub const INITIAL_DOWNLINK_KBPS: u64 = 2_500;
/// At most this many network paths per participant (ICE may try a few).
pub const MAX_PATHS: usize = 8;
/// A participant of a room on this shard.
pub struct Peer {
    /// Drop the camera's and microphone's packets: the participant is muted
    /// (own switch, a moderator, or on arrival). Screen shares are not
    /// affected; they need their own permission. (audio, video)
    pub muted: (bool, bool),
    /// The WebRTC connection.
    pub rtc: Rtc,
    /// Our ICE ufrag in this connection.
    pub ufrag: String,
    /// Network paths this connection was seen on.
    pub paths: Vec<(Protocol, SocketAddr)>,
    /// The path the browser last sent media (or DTLS) on: what we send goes
    /// back on it. After a NAT rebinding str0m would keep sending to the
    /// old address until that path's checks time out (15 s).
    pub latched: Option<(Protocol, SocketAddr)>,
    /// Transceivers the browser sends on, and the track each carries.
    pub published: FxHashMap<Mid, TrackId>,
    /// Transceivers the browser receives on.
    pub outgoing: FxHashMap<Mid, DownTrack>,
    /// Codec of each incoming payload type, learnt on first use.
    pub incoming_codecs: Vec<(Pt, Option<IncomingCodec>)>,
    /// Visible tiles: their heights and places in the layout; `None` until the first `layout`
    /// (then every video counts as visible and large).
    pub layout: Option<HashMap<TrackId, (u32, usize)>>,
    /// Estimated downlink (str0m's TWCC estimate), bit/s.
    pub downlink: Option<u64>,
    /// What the estimator was last told we would like to send, bit/s.
    pub desired: u64,
    /// Waiting in the shard's queue of connections to drive.
    pub queued: bool,
    /// Which of its connections dropped, and since when.
    pub away: Away,
}

/// A member's two connections: signaling (the WebSocket) and media (ICE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The signaling connection.
    Signaling,
    /// The media connection.
    Media,
}

/// Which of a member's connections are down. While one is, nothing is
/// forwarded to the member, and the room keeps its place for the grace time.
#[derive(Debug, Default, Clone, Copy)]
pub struct Away {
    signaling: bool,
    media: bool,
    /// Since when one of them has been down without a break.
    pub since: Option<Instant>,
}

impl Away {
    /// `link` dropped. True when the member was fully connected until now.
    pub fn lost(&mut self, link: Link, now: Instant) -> bool {
        match link {
            Link::Signaling => self.signaling = true,
            Link::Media => self.media = true,
        }
        if self.since.is_some() {
            return false;
        }
        self.since = Some(now);
        true
    }

    /// `link` is back. True when the member is now fully connected again.
    pub fn back(&mut self, link: Link) -> bool {
        match link {
            Link::Signaling => self.signaling = false,
            Link::Media => self.media = false,
        }
        if self.signaling || self.media || self.since.is_none() {
            return false;
        }
        self.since = None;
        true
    }
}

/// Where an incoming packet goes.
pub struct Ingress {
    /// The track it belongs to.
    pub track: TrackId,
    /// Its simulcast layer's stream id, if any.
    pub rid: Option<Rid>,
    /// How to read it.
    pub codec: IncomingCodec,
}

/// What became of a write into a subscriber's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written; the subscriber must be queued to be driven.
    Queued,
    /// Written; the subscriber waits to be driven already.
    AlreadyQueued,
    /// Not written (no such stream, no matching payload type, a packet from
    /// before the stream's current source).
    Dropped,
    /// Not written: the subscriber's queue is full. The stream now waits for
    /// a keyframe, which the caller asks for.
    Overflowed,
}

/// A call into str0m panicked; the participant must end.
#[derive(Debug)]
pub struct Panicked;

impl Peer {
    /// A new member's media connection: ICE-lite, RTP mode, the shard's
    /// DTLS certificate and candidates, and a bandwidth estimator when the
    /// shard fits layers into downlinks.
    pub fn new(config: &ShardConfig, now: Instant, muted: (bool, bool)) -> Result<Self, IceError> {
        let mut builder = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            .set_dtls_cert(config.dtls_cert.clone())
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .enable_h264(true);
        if config.bandwidth_estimation {
            builder = builder.enable_bwe(Some(Bitrate::kbps(INITIAL_DOWNLINK_KBPS)));
        }
        let mut rtc = builder.build(now);
        rtc.add_local_candidate(Candidate::host(config.udp_candidate, "udp")?);
        if let Some(tcp) = config.tcp_candidate {
            rtc.add_local_candidate(
                Candidate::builder()
                    .tcp()
                    .host(tcp)
                    .tcptype(TcpType::Passive)
                    .build()?,
            );
        }
        let ufrag = rtc.direct_api().local_ice_credentials().ufrag;
        Ok(Self {
            muted,
            rtc,
            ufrag,
            paths: Vec::new(),
            latched: None,
            published: FxHashMap::default(),
            outgoing: FxHashMap::default(),
            incoming_codecs: Vec::new(),
            layout: None,
            downlink: None,
            desired: 0,
            queued: false,
            away: Away::default(),
        })
    }

    /// Mark it as waiting to be driven; true when it was not waiting yet (the
    /// caller then puts it in the shard's queue).
    pub fn queue(&mut self) -> bool {
        !std::mem::replace(&mut self.queued, true)
    }

    /// Run `f` on the connection; a panic inside str0m is caught so that it
    /// ends this participant only, never the shard.
    pub fn with_rtc<T>(&mut self, f: impl FnOnce(&mut Rtc) -> T) -> Result<T, Panicked> {
        catch_unwind(AssertUnwindSafe(|| f(&mut self.rtc))).map_err(|_| Panicked)
    }

    /// The codec behind an incoming payload type (cached).
    pub fn incoming_codec(&mut self, pt: Pt) -> Option<IncomingCodec> {
        if let Some((_, codec)) = self.incoming_codecs.iter().find(|(p, _)| *p == pt) {
            return codec.clone();
        }
        let codec = self
            .rtc
            .codec_config()
            .find(|p| p.pt() == pt)
            .map(|params| IncomingCodec {
                params: *params,
                video: match params.spec().codec {
                    str0m::format::Codec::Vp8 => Some(VideoCodec::Vp8),
                    str0m::format::Codec::H264 => Some(VideoCodec::H264),
                    _ => None,
                },
            });
        self.incoming_codecs.push((pt, codec.clone()));
        codec
    }

    /// Which published track and layer an incoming packet belongs to, and
    /// its codec: `None` for a stream the participant does not publish.
    pub fn ingress(&mut self, packet: &RtpPacket) -> Option<Ingress> {
        let (mid, rid) = self
            .rtc
            .direct_api()
            .stream_rx(&packet.header.ssrc)
            .map(|s| (s.mid(), s.rid()))?;
        let track = self.published.get(&mid).copied()?;
        let codec = self.incoming_codec(packet.header.payload_type)?;
        Some(Ingress { track, rid, codec })
    }

    /// Write one packet into the stream of transceiver `mid`, as
    /// [`DownTrack::prepare`] and [`DownTrack::send`] shape it. This runs
    /// for every subscriber of every packet: the subscriber is looked up
    /// once, by the caller.
    pub fn write(
        &mut self,
        mid: Mid,
        packet: &Incoming,
        timestamp: Option<u32>,
        now: Instant,
    ) -> Result<Written, Panicked> {
        let Some(out) = self.outgoing.get_mut(&mid) else {
            return Ok(Written::Dropped);
        };
        let Some(write) = out.prepare(&self.rtc, packet, timestamp, now) else {
            return Ok(Written::Dropped);
        };
        let rtc = &mut self.rtc;
        let sent = catch_unwind(AssertUnwindSafe(|| {
            let mut api = rtc.direct_api();
            let tx = api.stream_tx_by_mid(mid, None)?;
            Some(out.send(tx, packet.kind, write, now))
        }))
        .map_err(|_| Panicked)?;
        Ok(match sent {
            None => Written::Dropped,
            Some(Sent::Overflowed) => Written::Overflowed,
            Some(Sent::Written) if self.queue() => Written::Queued,
            Some(Sent::Written) => Written::AlreadyQueued,
        })
    }

    /// Remember a network path, up to [`MAX_PATHS`]: a new one beyond them
    /// (a phone that roamed, a NAT that rebound) replaces the oldest, which
    /// is returned to be forgotten.
    pub fn add_path(&mut self, path: (Protocol, SocketAddr)) -> Option<(Protocol, SocketAddr)> {
        if self.paths.contains(&path) {
            return None;
        }
        let oldest = (self.paths.len() >= MAX_PATHS).then(|| self.paths.remove(0));
        self.paths.push(path);
        oldest
    }
}
