//! The forwarding path in isolation, shared by the criterion benchmark
//! (`forwarding`) and the instruction count (`forwarding_callgrind`, run by
//! scripts/callgrind-forwarding.sh).
//!
//! One publisher and N subscribers are connected through the simulated
//! network of `tafelrunde_sfu::sim` (real str0m ICE, DTLS and SRTP, simulated
//! time). Each step the publisher writes one audio packet and one video
//! packet of about 1000 bytes; their SRTP datagrams are collected without
//! delivery, and the measured part is the shard receiving them and producing
//! every subscriber's encrypted datagram: route, decrypt, forward (rewrite,
//! write into each subscriber's stream), encrypt. Handing the results to the
//! subscribers and advancing time happen outside the measurement.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use str0m::media::{MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Input, Output};
use tafelrunde_protocol::MediaKind;
use tafelrunde_sfu::core::Transmit;
use tafelrunde_sfu::sim::{Sim, SFU_ADDR};

/// Packets the publisher writes per step: one audio, one video.
pub const PACKETS_PER_STEP: usize = 2;

/// One publisher, `subscribers` subscribers, all connected.
pub struct Fanout {
    pub sim: Sim,
    pub subscribers: usize,
    publisher: usize,
    frame: u64,
    by_addr: HashMap<SocketAddr, usize>,
    sfu: SocketAddr,
}

impl Fanout {
    pub fn new(subscribers: usize) -> Self {
        let mut sim = Sim::new();
        let publisher = sim.join("bench", "teacher");
        sim.publish(publisher);
        let ids: Vec<usize> = (0..subscribers)
            .map(|i| sim.join("bench", &format!("s{i}")))
            .collect();
        for &s in &ids {
            sim.subscribe_all(s);
        }
        // ICE and DTLS.
        sim.run_for(Duration::from_secs(1));
        let by_addr = sim
            .clients
            .iter()
            .enumerate()
            .map(|(i, c)| (c.addr, i))
            .collect();
        let mut f = Fanout {
            sim,
            subscribers,
            publisher,
            frame: 0,
            by_addr,
            sfu: SFU_ADDR.parse().expect("address"),
        };
        // A keyframe starts every subscriber's video.
        f.write_frame(true);
        f.sim.pump();
        f.sim.run_for(Duration::from_millis(100));
        f
    }

    fn write_frame(&mut self, keyframe: bool) {
        self.frame += 1;
        let (now, frame) = (self.sim.now, self.frame);
        let c = &mut self.sim.clients[self.publisher];
        let tracks: Vec<(Mid, MediaKind)> = c
            .publish
            .iter()
            .map(|p| (Mid::from(p.mid.as_str()), p.kind))
            .collect();
        for (mid, kind) in tracks {
            let Some(writer) = c.rtc.writer(mid) else {
                continue;
            };
            let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
                continue;
            };
            let (time, data) = match kind {
                MediaKind::Audio => (MediaTime::from_millis(frame * 20), vec![0xfc; 80]),
                MediaKind::Video => {
                    // VP8 payload header: bit 0 clear marks a keyframe.
                    let mut data = vec![if keyframe { 0x10 } else { 0x11 }; 1000];
                    data[1] = frame as u8;
                    (MediaTime::from_90khz(frame * 1800), data)
                }
            };
            writer.write(pt, now, time, data).expect("write");
        }
    }

    /// Advance 20 ms, then the publisher's datagrams for the next step (not
    /// yet delivered).
    pub fn next_datagrams(&mut self) -> Vec<Vec<u8>> {
        self.sim.run_for(Duration::from_millis(20));
        self.write_frame(false);
        let now = self.sim.now;
        let c = &mut self.sim.clients[self.publisher];
        // Written frames are packetised when time is handed in.
        c.rtc
            .handle_input(Input::Timeout(now))
            .expect("publisher timeout");
        let mut out = Vec::new();
        loop {
            match c.rtc.poll_output().expect("publisher output") {
                Output::Timeout(_) => break,
                Output::Transmit(t) => out.push(t.contents.into()),
                Output::Event(_) => {}
            }
        }
        out
    }

    /// The measured part: the shard receives the publisher's datagrams as
    /// one batch, as the runtime reads them, and produces what it sends.
    #[inline(never)]
    pub fn forward(&mut self, datagrams: &[Vec<u8>], out: &mut Vec<Transmit>) {
        let source = self.sim.clients[self.publisher].addr;
        let now = self.sim.now;
        for d in datagrams {
            self.sim
                .shard
                .receive(now, Protocol::Udp, source, self.sfu, d);
        }
        self.sim.shard.drive_touched(now);
        while let Some(t) = self.sim.shard.poll_transmit() {
            out.push(t);
        }
    }

    /// Datagrams of `out` that go to subscribers.
    pub fn to_subscribers(&self, out: &[Transmit]) -> usize {
        let publisher = self.sim.clients[self.publisher].addr;
        out.iter().filter(|t| t.destination != publisher).count()
    }

    /// Hand the shard's datagrams to their receivers (so nothing needs
    /// repair), and let everything settle.
    pub fn deliver(&mut self, out: Vec<Transmit>) {
        let now = self.sim.now;
        for t in out {
            let Some(&i) = self.by_addr.get(&t.destination) else {
                continue;
            };
            let Ok(contents) = t.contents.as_slice().try_into() else {
                continue;
            };
            let input = Input::Receive(
                now,
                Receive {
                    proto: Protocol::Udp,
                    source: t.source,
                    destination: t.destination,
                    contents,
                },
            );
            self.sim.clients[i]
                .rtc
                .handle_input(input)
                .expect("client input");
        }
        self.sim.pump();
    }

    /// One whole step, for warming up.
    pub fn step(&mut self) -> usize {
        let d = self.next_datagrams();
        let mut out = Vec::new();
        self.forward(&d, &mut out);
        let n = self.to_subscribers(&out);
        self.deliver(out);
        n
    }
}
