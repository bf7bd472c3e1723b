//! A simulated network around one `Shard` and str0m clients that behave like
//! browsers: no sockets, simulated time, seeded loss, so every run is the
//! same. Used by the scenario tests, the micro-benchmarks and the callgrind
//! script (feature `sim`).
#![allow(missing_docs)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::core::moderation::Entry;
use crate::core::{Command, Shard, ShardConfig};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::media::{Direction, MediaData, MediaKind as StrKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tafelrunde_protocol::{
    ClientMessage, LayerSpec, MediaKind, ParticipantId, PublishedTrack, ServerMessage,
    Subscription, TileSize, TrackId, TrackInfo,
};

pub const SFU_ADDR: &str = "10.0.0.1:10000";

/// A deterministic generator for packet loss.
pub struct Lcg(u64);

impl Lcg {
    pub fn chance(&mut self, percent: u64) -> bool {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % 100 < percent
    }
}

pub struct Client {
    pub id: ParticipantId,
    pub addr: SocketAddr,
    pub rtc: Rtc,
    pub signals: Vec<ServerMessage>,
    pub media: Vec<MediaData>,
    pub keyframe_requests: usize,
    pub publish: Vec<PublishedTrack>,
    pub subscribe: Vec<Subscription>,
    pending: Option<SdpPendingOffer>,
    /// Tracks announced but not yet subscribed.
    pub unsubscribed: Vec<TrackInfo>,
    /// Loss (percent) on the path from the SFU to this client.
    pub downlink_loss: u64,
    /// A bottleneck on the path from the SFU to this client; `None` is a
    /// link that takes everything at once.
    pub downlink: Option<Link>,
    /// The network is down: every datagram to and from this client is lost.
    pub cut: bool,
    /// The address the SFU sees this client at, when a NAT maps it to
    /// another one than its own.
    pub public: Option<SocketAddr>,
}

impl Client {
    /// Where the SFU sees this client.
    fn seen_at(&self) -> SocketAddr {
        self.public.unwrap_or(self.addr)
    }
}

/// A slow link: datagrams leave at `kbps`, one after the other, and wait in a
/// buffer of `buffer` datagrams before it; a full buffer drops (as a home
/// router does).
pub struct Link {
    pub kbps: u64,
    pub buffer: usize,
    busy_until: Option<Instant>,
    queue: VecDeque<(Instant, SocketAddr, Vec<u8>)>,
}

impl Link {
    pub fn new(kbps: u64, buffer: usize) -> Self {
        Self {
            kbps,
            buffer,
            busy_until: None,
            queue: VecDeque::new(),
        }
    }

    /// Take a datagram at `now`; false when the buffer is full and it is lost.
    fn push(&mut self, now: Instant, source: SocketAddr, contents: Vec<u8>) -> bool {
        if self.queue.len() >= self.buffer {
            return false;
        }
        let start = self.busy_until.map_or(now, |b| b.max(now));
        let bits = contents.len() as u64 * 8;
        let done = start + Duration::from_micros(bits * 1_000 / self.kbps);
        self.busy_until = Some(done);
        self.queue.push_back((done, source, contents));
        true
    }

    /// The next datagram through the link by `now`.
    fn pop(&mut self, now: Instant) -> Option<(SocketAddr, Vec<u8>)> {
        if self.queue.front()?.0 > now {
            return None;
        }
        self.queue
            .pop_front()
            .map(|(_, source, contents)| (source, contents))
    }
}

impl Client {
    /// A datagram from the SFU arrives.
    fn receive(&mut self, now: Instant, source: SocketAddr, contents: &[u8]) {
        let Ok(contents) = contents.try_into() else {
            return;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.addr,
                contents,
            },
        );
        self.rtc.handle_input(input).expect("client input");
    }
}

pub struct Sim {
    pub now: Instant,
    pub shard: Shard,
    pub clients: Vec<Client>,
    rng: Lcg,
    to_sfu: VecDeque<(SocketAddr, Vec<u8>)>,
}

impl Sim {
    #[allow(clippy::new_without_default)] // a simulation is made on purpose, never by default
    pub fn new() -> Self {
        Self::with_bandwidth_estimation(false)
    }

    /// A simulation whose shard estimates each subscriber's downlink (and
    /// paces what it sends), as a production server does.
    pub fn with_bandwidth_estimation(bandwidth_estimation: bool) -> Self {
        let provider = str0m::crypto::from_feature_flags();
        provider.clone().install_process_default();
        let cert = provider
            .dtls_provider
            .generate_certificate()
            .expect("certificate");
        let shard = Shard::new(ShardConfig {
            udp_candidate: SFU_ADDR.parse().unwrap(),
            tcp_candidate: None,
            keyframe_interval: Duration::from_millis(500),
            max_room_size: 100,
            max_videos: 20,
            bandwidth_estimation,
            owner_grace: Duration::from_secs(300),
            reconnect_grace: Duration::from_secs(60),
            dtls_cert: cert,
        });
        Self {
            now: Instant::now(),
            shard,
            clients: Vec::new(),
            rng: Lcg(7),
            to_sfu: VecDeque::new(),
        }
    }

    /// A client joins `room` (an open room: the first one in is its owner);
    /// returns its index.
    pub fn join(&mut self, room: &str, name: &str) -> usize {
        let key = format!("device-{}", self.clients.len() + 1);
        self.join_as(room, name, Entry::open_guest(key))
    }

    /// A client joins `room` as the person `entry` describes.
    pub fn join_as(&mut self, room: &str, name: &str, entry: Entry) -> usize {
        let index = self.clients.len();
        let id = ParticipantId(index as u64 + 1);
        let addr: SocketAddr = format!("10.0.1.{}:5000", index + 1).parse().unwrap();
        let mut rtc = Rtc::builder().set_rtp_mode(false).build(self.now);
        rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
        self.clients.push(Client {
            id,
            addr,
            rtc,
            signals: Vec::new(),
            media: Vec::new(),
            keyframe_requests: 0,
            publish: Vec::new(),
            subscribe: Vec::new(),
            pending: None,
            unsubscribed: Vec::new(),
            downlink_loss: 0,
            downlink: None,
            cut: false,
            public: None,
        });
        self.shard.handle_command(
            self.now,
            Command::Join {
                participant: id,
                room: room.into(),
                name: name.into(),
                entry,
            },
        );
        self.pump();
        index
    }

    /// Client `i` sends a signaling message.
    pub fn send(&mut self, i: usize, message: ClientMessage) {
        let participant = self.clients[i].id;
        self.shard.handle_command(
            self.now,
            Command::Message {
                participant,
                message,
            },
        );
        self.pump();
    }

    /// Client `i`'s signaling connection drops.
    pub fn drop_signaling(&mut self, i: usize) {
        let participant = self.clients[i].id;
        self.shard
            .handle_command(self.now, Command::Disconnected { participant });
        self.pump();
    }

    /// Client `i` comes back on a new signaling connection.
    pub fn resume(&mut self, i: usize) {
        let participant = self.clients[i].id;
        self.shard
            .handle_command(self.now, Command::Resume { participant });
        self.pump();
    }

    /// Client `i` restarts ICE: an offer with new credentials.
    pub fn restart_ice(&mut self, i: usize) {
        let c = &mut self.clients[i];
        let mut api = c.rtc.sdp_api();
        api.ice_restart(true);
        let (offer, pending) = api.apply().expect("changes");
        c.pending = Some(pending);
        self.offer(i, offer.to_sdp_string());
    }

    /// Client `i` adds a sending audio and video transceiver and offers.
    pub fn publish(&mut self, i: usize) {
        self.publish_with_layers(i, &[]);
    }

    /// Like [`Self::publish`], with simulcast video: `layers` are (rid,
    /// height) from lowest to highest, as a browser would send them.
    pub fn publish_with_layers(&mut self, i: usize, layers: &[(&str, u32)]) {
        let c = &mut self.clients[i];
        let mut api = c.rtc.sdp_api();
        let audio = api.add_media(StrKind::Audio, Direction::SendOnly, None, None, None);
        let simulcast = (!layers.is_empty()).then(|| str0m::media::Simulcast {
            send: layers
                .iter()
                .map(|(rid, _)| str0m::media::SimulcastLayer::new(rid))
                .collect(),
            recv: Vec::new(),
        });
        let video = api.add_media(StrKind::Video, Direction::SendOnly, None, None, simulcast);
        let (offer, pending) = api.apply().expect("changes");
        c.pending = Some(pending);
        let layers = layers
            .iter()
            .map(|(rid, height)| LayerSpec {
                rid: rid.to_string(),
                height: *height,
            })
            .collect();
        c.publish = vec![
            PublishedTrack {
                mid: audio.to_string(),
                kind: MediaKind::Audio,
                source: Default::default(),
                layers: vec![],
            },
            PublishedTrack {
                mid: video.to_string(),
                kind: MediaKind::Video,
                source: Default::default(),
                layers,
            },
        ];
        self.offer(i, offer.to_sdp_string());
        // A browser switches its devices on and says so; the SFU forwards
        // nothing of a muted participant.
        self.send(
            i,
            ClientMessage::Mute {
                audio: false,
                video: false,
            },
        );
    }

    /// Client `i` adds a sending video transceiver for a screen share and offers.
    pub fn publish_screen(&mut self, i: usize) {
        let c = &mut self.clients[i];
        let mut api = c.rtc.sdp_api();
        let screen = api.add_media(StrKind::Video, Direction::SendOnly, None, None, None);
        let (offer, pending) = api.apply().expect("changes");
        c.pending = Some(pending);
        c.publish.push(PublishedTrack {
            mid: screen.to_string(),
            kind: MediaKind::Video,
            source: tafelrunde_protocol::TrackSource::Screen,
            layers: vec![],
        });
        self.offer(i, offer.to_sdp_string());
    }

    /// Client `i` reports which videos it shows and how tall.
    pub fn layout(&mut self, i: usize, tiles: &[(TrackId, u32)]) {
        let tiles = tiles
            .iter()
            .map(|(track_id, height)| TileSize {
                track_id: *track_id,
                width: height * 16 / 9,
                height: *height,
            })
            .collect();
        let participant = self.clients[i].id;
        self.shard.handle_command(
            self.now,
            Command::Message {
                participant,
                message: ClientMessage::Layout { tiles },
            },
        );
        self.pump();
    }

    /// Client `i` subscribes to every track announced to it so far.
    pub fn subscribe_all(&mut self, i: usize) {
        let c = &mut self.clients[i];
        let tracks = std::mem::take(&mut c.unsubscribed);
        if tracks.is_empty() {
            return;
        }
        let mut api = c.rtc.sdp_api();
        let mut added = Vec::new();
        for t in &tracks {
            let kind = if t.kind == MediaKind::Audio {
                StrKind::Audio
            } else {
                StrKind::Video
            };
            added.push((
                api.add_media(kind, Direction::RecvOnly, None, None, None),
                t.id,
            ));
        }
        let (offer, pending) = api.apply().expect("changes");
        c.pending = Some(pending);
        for (mid, track_id) in added {
            c.subscribe.push(Subscription {
                mid: mid.to_string(),
                track_id,
            });
        }
        self.offer(i, offer.to_sdp_string());
    }

    fn offer(&mut self, i: usize, sdp: String) {
        let c = &self.clients[i];
        let message = ClientMessage::Offer {
            sdp,
            publish: c.publish.clone(),
            subscribe: c.subscribe.clone(),
        };
        self.shard.handle_command(
            self.now,
            Command::Message {
                participant: c.id,
                message,
            },
        );
        self.pump();
    }

    /// Write one audio frame (20 ms) and one video frame per layer. Video
    /// payload byte 1 carries the frame number, byte 2 the layer index.
    pub fn send_media(&mut self, i: usize, frame_no: u64, keyframe: bool) {
        let now = self.now;
        let c = &mut self.clients[i];
        for p in &c.publish {
            let mid = Mid::from(p.mid.as_str());
            let rids: Vec<Option<str0m::media::Rid>> = if p.layers.is_empty() {
                vec![None]
            } else {
                p.layers
                    .iter()
                    .map(|l| Some(str0m::media::Rid::from(l.rid.as_str())))
                    .collect()
            };
            for (layer, rid) in rids.into_iter().enumerate() {
                let Some(mut writer) = c.rtc.writer(mid) else {
                    continue;
                };
                let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                    continue;
                };
                if let Some(rid) = rid {
                    writer = writer.rid(rid);
                }
                let (time, data) = match p.kind {
                    MediaKind::Audio => (
                        str0m::media::MediaTime::from_millis(frame_no * 20),
                        vec![0xf8, 1, 2, 3, frame_no as u8],
                    ),
                    MediaKind::Video => {
                        // VP8 payload header: bit 0 clear marks a keyframe.
                        let mut data = vec![if keyframe { 0x10 } else { 0x11 }; 600 * (layer + 1)];
                        data[1] = frame_no as u8;
                        data[2] = layer as u8;
                        (str0m::media::MediaTime::from_90khz(frame_no * 3000), data)
                    }
                };
                let _ = writer.write(pt, now, time, data);
            }
        }
        self.pump();
    }

    /// Advance simulated time in 5 ms steps.
    pub fn run_for(&mut self, duration: Duration) {
        let end = self.now + duration;
        while self.now < end {
            self.now += Duration::from_millis(5);
            self.shard.handle_timeout(self.now);
            for c in &mut self.clients {
                c.rtc
                    .handle_input(Input::Timeout(self.now))
                    .expect("client timeout");
            }
            self.pump();
        }
    }

    /// Move every packet and message until nothing moves.
    pub fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            for c in &mut self.clients {
                loop {
                    match c.rtc.poll_output().expect("client poll") {
                        Output::Timeout(_) => break,
                        Output::Transmit(t) => {
                            if !c.cut {
                                self.to_sfu.push_back((c.seen_at(), t.contents.into()));
                            }
                            moved = true;
                        }
                        Output::Event(Event::MediaData(data)) => c.media.push(data),
                        Output::Event(Event::KeyframeRequest(_)) => c.keyframe_requests += 1,
                        Output::Event(_) => {}
                    }
                }
            }
            // One batch, as the runtime reads them.
            while let Some((source, data)) = self.to_sfu.pop_front() {
                self.shard.receive(
                    self.now,
                    Protocol::Udp,
                    source,
                    SFU_ADDR.parse().unwrap(),
                    &data,
                );
                moved = true;
            }
            self.shard.drive_touched(self.now);
            while let Some(t) = self.shard.poll_transmit() {
                moved = true;
                let Some(c) = self
                    .clients
                    .iter_mut()
                    .find(|c| c.seen_at() == t.destination)
                else {
                    continue;
                };
                if c.cut {
                    continue;
                }
                if c.downlink_loss > 0 && self.rng.chance(c.downlink_loss) {
                    continue;
                }
                match &mut c.downlink {
                    Some(link) => {
                        link.push(self.now, t.source, t.contents);
                    }
                    None => c.receive(self.now, t.source, &t.contents),
                }
            }
            for c in &mut self.clients {
                while let Some((source, contents)) =
                    c.downlink.as_mut().and_then(|l| l.pop(self.now))
                {
                    moved = true;
                    c.receive(self.now, source, &contents);
                }
            }
            while let Some((to, message)) = self.shard.poll_signal() {
                moved = true;
                let Some(c) = self.clients.iter_mut().find(|c| c.id == to) else {
                    continue;
                };
                match &message {
                    ServerMessage::Answer { sdp } => {
                        let answer = SdpAnswer::from_sdp_string(sdp).expect("answer parses");
                        let pending = c.pending.take().expect("an offer was pending");
                        c.rtc
                            .sdp_api()
                            .accept_answer(pending, answer)
                            .expect("answer accepted");
                    }
                    ServerMessage::Joined { tracks, .. } => {
                        c.unsubscribed.extend(tracks.iter().cloned())
                    }
                    ServerMessage::TrackAdded { track } => c.unsubscribed.push(track.clone()),
                    _ => {}
                }
                c.signals.push(message);
            }
            if !moved {
                return;
            }
        }
        panic!("the simulated network did not settle");
    }

    /// Media frames client `i` received of `kind`.
    pub fn received(&self, i: usize, kind: MediaKind) -> Vec<&MediaData> {
        let want = if kind == MediaKind::Audio {
            StrKind::Audio
        } else {
            StrKind::Video
        };
        self.clients[i]
            .media
            .iter()
            .filter(|m| {
                self.clients[i]
                    .rtc
                    .media(m.mid)
                    .is_some_and(|media| media.kind() == want)
            })
            .collect()
    }
}
