//! One synthetic WebRTC endpoint: a str0m `Rtc` in RTP mode on its own UDP
//! socket on loopback, driven by a task of the load generator's single thread.
//! It sends media when it publishes, counts and checks what it receives, and
//! str0m answers with RTCP (receiver reports, NACK, TWCC) like a browser.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{KeyframeRequest, MediaKind, Mid, Pt, Rid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite, SeqNo, Ssrc};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::Notify;

use crate::impair::{Link, LinkSpec};
use crate::media::{self, Layer};
use crate::stats::{RequestRate, SeqTrack, SharedStats};

/// Keyframe requests closer than this to the last keyframe are ignored.
const MIN_KEYFRAME_INTERVAL: Duration = Duration::from_millis(300);

/// How one peer behaves beyond str0m's defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeerOptions {
    /// Emulate a weak downlink.
    pub impaired: Option<LinkSpec>,
    /// A keyframe on every layer this often, besides those asked for.
    pub keyframe_interval: Option<Duration>,
}

/// When several speakers take turns: speaker `index` of `count` talks in
/// its slot of `slot` length, and sends silence (audio level -127) otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Turns {
    pub index: usize,
    pub count: usize,
    pub slot: Duration,
}

struct AudioOut {
    mid: Mid,
    pt: Pt,
    seq: u64,
    next: Instant,
    counter: u32,
    turns: Option<Turns>,
}

struct VideoOut {
    mid: Mid,
    rid: Option<Rid>,
    layer: Layer,
    pt: Pt,
    seq: u64,
    frame: u64,
    next: Instant,
    keyframe_due: bool,
    last_keyframe: Option<Instant>,
    counter: u32,
    /// Paused when the SFU says nobody needs this layer (`publishLayers`).
    active: bool,
}

struct RxStream {
    video: bool,
    mid: Option<Mid>,
    seq: SeqTrack,
}

/// A synthetic client's connection.
pub struct Peer {
    pub rtc: Rtc,
    pub local: SocketAddr,
    socket: Rc<UdpSocket>,
    stats: SharedStats,
    options: PeerOptions,
    link: Option<Link>,
    audio: Option<AudioOut>,
    video: Vec<VideoOut>,
    rx: HashMap<Ssrc, RxStream>,
    /// Set when signaling starts: the origin of join-to-first-packet.
    pub joined_at: Option<Instant>,
    first_packet: bool,
    first_video: bool,
    /// Receiving mids newly subscribed, and when: for track-to-first-packet.
    awaiting: Vec<(Mid, Instant)>,
    keyframe_rate: RequestRate,
    last_datagram_len: usize,
    pub connected: bool,
    pub started: Instant,
    /// Set when the connection failed or the peer must stop.
    pub closed: bool,
}

/// The handle the signaling side keeps: the peer, and a way to wake its task.
#[derive(Clone)]
pub struct PeerHandle {
    pub peer: Rc<RefCell<Peer>>,
    pub wake: Rc<Notify>,
    stop: Rc<Cell<bool>>,
}

impl PeerHandle {
    /// A new peer on a fresh UDP socket on `ip`, with its task spawned on the
    /// current `LocalSet`.
    pub async fn spawn(
        ip: std::net::IpAddr,
        stats: SharedStats,
        options: PeerOptions,
        seed: u64,
    ) -> anyhow::Result<Self> {
        let socket = Rc::new(UdpSocket::bind(SocketAddr::new(ip, 0)).await?);
        let local = socket.local_addr()?;
        let now = Instant::now();
        let mut rtc = Rtc::builder()
            .set_rtp_mode(true)
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .set_stats_interval(None)
            .build(now);
        rtc.add_local_candidate(Candidate::host(local, "udp")?);
        let peer = Peer {
            rtc,
            local,
            socket: socket.clone(),
            stats,
            options,
            link: options.impaired.map(|spec| Link::new(spec, seed)),
            audio: None,
            video: Vec::new(),
            rx: HashMap::new(),
            joined_at: None,
            first_packet: false,
            first_video: false,
            awaiting: Vec::new(),
            keyframe_rate: RequestRate::default(),
            last_datagram_len: 0,
            connected: false,
            started: now,
            closed: false,
        };
        let handle = PeerHandle {
            peer: Rc::new(RefCell::new(peer)),
            wake: Rc::new(Notify::new()),
            stop: Rc::new(Cell::new(false)),
        };
        tokio::task::spawn_local(drive_task(handle.clone(), socket));
        Ok(handle)
    }

    /// Let the task move the connection after the signaling side changed it.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// End the task (the socket closes with it).
    pub fn stop(&self) {
        self.stop.set(true);
        self.wake.notify_one();
    }
}

async fn drive_task(handle: PeerHandle, socket: Rc<UdpSocket>) {
    let mut buf = vec![0u8; 2048];
    loop {
        let deadline = handle.peer.borrow_mut().drive(Instant::now());
        if handle.stop.get() || handle.peer.borrow().closed {
            return;
        }
        tokio::select! {
            biased;
            ready = socket.readable() => {
                if ready.is_err() {
                    return;
                }
                // Drain the socket: one wake-up for a burst.
                loop {
                    match socket.try_recv_from(&mut buf) {
                        Ok((n, source)) => {
                            let now = Instant::now();
                            let mut peer = handle.peer.borrow_mut();
                            peer.receive(now, source, &buf[..n]);
                            peer.drive(now);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(_) => break,
                    }
                }
            }
            _ = tokio::time::sleep_until(deadline.into()) => {}
            _ = handle.wake.notified() => {}
        }
    }
}

fn pt_of(rtc: &Rtc, codec: Codec) -> Option<Pt> {
    rtc.codec_config()
        .params()
        .iter()
        .find(|p| p.spec().codec == codec)
        .map(|p| p.pt())
}

impl Peer {
    /// Start sending audio on `mid` once connected.
    pub fn send_audio(&mut self, mid: Mid, turns: Option<Turns>) {
        let pt = pt_of(&self.rtc, Codec::Opus).expect("opus is enabled");
        self.audio = Some(AudioOut {
            mid,
            pt,
            seq: 1,
            next: Instant::now(),
            counter: 0,
            turns,
        });
    }

    /// Start sending video on `mid` in these layers (with rids when more than one).
    pub fn send_video(&mut self, mid: Mid, layers: &[Layer], simulcast: bool) {
        let pt = pt_of(&self.rtc, Codec::Vp8).expect("vp8 is enabled");
        for layer in layers {
            self.video.push(VideoOut {
                mid,
                rid: simulcast.then(|| Rid::from(layer.rid)),
                layer: *layer,
                pt,
                seq: 1,
                frame: 0,
                next: Instant::now(),
                keyframe_due: true,
                last_keyframe: None,
                counter: 0,
                active: true,
            });
        }
    }

    /// Send only these layers of the video on `mid` (as a browser does on
    /// `publishLayers`); a layer that resumes starts with a keyframe.
    pub fn set_active_layers(&mut self, mid: Mid, rids: &[String]) {
        for v in self.video.iter_mut().filter(|v| v.mid == mid) {
            let active = v.rid.is_none_or(|r| rids.iter().any(|a| a.as_str() == &*r));
            if active && !v.active {
                v.keyframe_due = true;
            }
            v.active = active;
        }
    }

    /// A receiving transceiver was set up for a new track at `at`.
    pub fn awaiting_track(&mut self, mid: Mid, at: Instant) {
        self.awaiting.push((mid, at));
    }

    /// Process one datagram (through the emulated link, if any).
    pub fn receive(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        if data.first().is_some_and(|b| *b < 2)
            && std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some()
        {
            eprintln!(
                "peer {}: STUN from {source}, {} bytes",
                self.local,
                data.len()
            );
        }
        if let Some(link) = &mut self.link {
            link.inbound(now, source, data);
            return;
        }
        self.input(now, source, data);
    }

    fn input(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        let Ok(contents) = data.try_into() else {
            return;
        };
        self.last_datagram_len = data.len();
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        if let Err(e) = self.rtc.handle_input(input) {
            self.fail(format!("receive: {e}"));
        }
    }

    fn fail(&mut self, message: String) {
        if !self.closed {
            self.closed = true;
            self.stats.borrow_mut().error(message);
        }
    }

    /// Move time to `now`, write due media, and handle everything str0m has
    /// to say. Returns when the peer needs to be woken next.
    pub fn drive(&mut self, now: Instant) -> Instant {
        if self.closed {
            return now + Duration::from_secs(3600);
        }
        while let Some((source, data)) = self.link.as_mut().and_then(|l| l.pop_inbound(now)) {
            self.input(now, source, &data);
        }
        if let Err(e) = self.rtc.handle_input(Input::Timeout(now)) {
            self.fail(format!("timeout: {e}"));
        }
        if self.connected {
            self.write_media(now);
        }
        let mut next = loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => break at,
                Ok(Output::Transmit(t)) => {
                    if t.proto == Protocol::Udp {
                        self.transmit(now, t.destination, &t.contents);
                    }
                }
                Ok(Output::Event(e)) => self.event(now, e),
                Err(e) => {
                    self.fail(format!("poll: {e}"));
                    break now + Duration::from_secs(3600);
                }
            }
        };
        while let Some((destination, data)) = self.link.as_mut().and_then(|l| l.pop_outbound(now)) {
            self.send(destination, &data);
        }
        if let Some(at) = self.link.as_ref().and_then(Link::next_due) {
            next = next.min(at);
        }
        if self.connected {
            if let Some(a) = &self.audio {
                next = next.min(a.next);
            }
            for v in &self.video {
                next = next.min(v.next);
            }
        }
        next.max(now + Duration::from_micros(200))
    }

    fn transmit(&mut self, now: Instant, destination: SocketAddr, data: &[u8]) {
        match &mut self.link {
            Some(link) => link.outbound(now, destination, data),
            None => self.send(destination, data),
        }
    }

    fn send(&mut self, destination: SocketAddr, data: &[u8]) {
        if self.socket.try_send_to(data, destination).is_err() {
            self.stats.borrow_mut().counters.send_errors += 1;
        }
    }

    fn event(&mut self, now: Instant, event: Event) {
        if !matches!(event, Event::RtpPacket(_))
            && std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some()
        {
            eprintln!(
                "peer {} at {:?}: {event:?}",
                self.local,
                now.duration_since(self.started)
            );
        }
        match event {
            Event::Connected => {
                self.connected = true;
                if let Some(link) = &mut self.link {
                    link.lossy = true;
                }
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.fail("ICE disconnected".into());
            }
            Event::RtpPacket(packet) => self.media_in(now, packet),
            Event::KeyframeRequest(request) => self.keyframe_requested(now, request),
            _ => {}
        }
    }

    fn media_in(&mut self, now: Instant, packet: RtpPacket) {
        let Some(sent) = media::read_stamp(&packet.payload) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        if !self.rx.contains_key(&ssrc) {
            let mid = self.rtc.direct_api().stream_rx(&ssrc).map(|s| s.mid());
            let video = mid
                .and_then(|m| self.rtc.media(m))
                .is_some_and(|m| m.kind() == MediaKind::Video);
            self.rx.insert(
                ssrc,
                RxStream {
                    video,
                    mid,
                    seq: SeqTrack::default(),
                },
            );
        }
        let stream = self.rx.get_mut(&ssrc).expect("inserted");
        let more = stream.seq.arrive(*packet.seq_no);
        let (video, mid) = (stream.video, stream.mid);
        if more > 1 && std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some() {
            eprintln!(
                "peer {}: gap of {} before seq {} (video {video}) at {:?}",
                self.local,
                more - 1,
                *packet.seq_no,
                now.duration_since(self.started)
            );
        }
        let impaired = self.link.is_some();
        let mut stats = self.stats.borrow_mut();
        let c = &mut stats.counters;
        c.received += 1;
        c.received_bytes += self.last_datagram_len as u64;
        if impaired {
            c.expected_impaired += more;
            c.received_impaired += 1;
        } else {
            c.expected += more;
            c.received_counted += 1;
        }
        stats.record_delay(packet.timestamp.saturating_duration_since(sent), impaired);
        if let Some(joined) = self.joined_at {
            let ms = now.saturating_duration_since(joined).as_millis() as u64;
            if !self.first_packet {
                self.first_packet = true;
                stats.join_to_first_packet.saturating_record(ms.max(1));
            }
            if video && !self.first_video {
                self.first_video = true;
                stats.join_to_first_video.saturating_record(ms.max(1));
            }
        }
        if let Some(i) = mid.and_then(|m| self.awaiting.iter().position(|(a, _)| *a == m)) {
            let (_, at) = self.awaiting.swap_remove(i);
            if std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some() {
                let ms = now.saturating_duration_since(at).as_millis();
                eprintln!(
                    "peer {}: first packet of a new track (video {video}) after {ms} ms",
                    self.local
                );
            }
            stats
                .track_to_first_packet
                .saturating_record(now.saturating_duration_since(at).as_millis().max(1) as u64);
        }
    }

    fn keyframe_requested(&mut self, now: Instant, request: KeyframeRequest) {
        let in_window = self.keyframe_rate.request(now);
        {
            let mut stats = self.stats.borrow_mut();
            stats.counters.keyframe_requests += 1;
            stats.max_keyframe_requests_per_500ms =
                stats.max_keyframe_requests_per_500ms.max(in_window);
        }
        for v in &mut self.video {
            // Like libwebrtc, a request within 300 ms of the last keyframe is
            // answered by that keyframe, not a new one.
            let recent = v
                .last_keyframe
                .is_some_and(|k| now.duration_since(k) < MIN_KEYFRAME_INTERVAL);
            if v.mid == request.mid && (request.rid.is_none() || v.rid == request.rid) && !recent {
                v.keyframe_due = true;
            }
        }
    }

    fn write_media(&mut self, now: Instant) {
        let mut written = 0;
        if let Some(a) = &mut self.audio {
            while a.next <= now {
                let talking = a.turns.is_none_or(|t| {
                    let slot = (now.duration_since(self.started).as_millis()
                        / t.slot.as_millis().max(1)) as usize;
                    slot % t.count == t.index
                });
                let ext = ExtensionValues {
                    audio_level: Some(if talking { -30 } else { -127 }),
                    voice_activity: Some(talking),
                    ..Default::default()
                };
                let payload = media::audio_packet(now, &mut a.counter);
                let time = (a.seq as u32).wrapping_mul(960);
                let write =
                    RtpWrite::new(a.pt, SeqNo::from(a.seq), time, now, payload).ext_vals(ext);
                if let Some(tx) = self.rtc.direct_api().stream_tx_by_mid(a.mid, None) {
                    tx.write_rtp(write);
                    written += 1;
                }
                a.seq += 1;
                a.next += Duration::from_millis(20);
            }
        }
        let interval = self.options.keyframe_interval;
        for v in &mut self.video {
            let frame_time = Duration::from_secs(1) / v.layer.fps;
            if !v.active {
                while v.next <= now {
                    v.next += frame_time;
                    v.frame += 1;
                }
                continue;
            }
            while v.next <= now {
                let periodic = interval
                    .is_some_and(|i| v.last_keyframe.is_none_or(|k| now.duration_since(k) >= i));
                let keyframe = v.keyframe_due || periodic;
                if keyframe {
                    v.keyframe_due = false;
                    v.last_keyframe = Some(now);
                }
                let packets =
                    media::video_frame(&v.layer, v.frame as u16, keyframe, now, &mut v.counter);
                let time = (v.frame as u32).wrapping_mul(90_000 / v.layer.fps);
                let last = packets.len() - 1;
                let mut api = self.rtc.direct_api();
                let Some(tx) = api.stream_tx_by_mid(v.mid, v.rid) else {
                    v.next += frame_time;
                    v.frame += 1;
                    continue;
                };
                for (i, payload) in packets.into_iter().enumerate() {
                    let write = RtpWrite::new(v.pt, SeqNo::from(v.seq), time, now, payload)
                        .marker(i == last)
                        .nackable(true);
                    tx.write_rtp(write);
                    v.seq += 1;
                    written += 1;
                }
                v.next += frame_time;
                v.frame += 1;
            }
        }
        if written > 0 {
            self.stats.borrow_mut().counters.sent += written;
        }
    }
}
