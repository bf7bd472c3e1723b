//! A synthetic participant speaking Tafelrunde's signaling (docs/protocol.md):
//! join, then offers (the client is always the offerer) to publish and to
//! subscribe to announced tracks, and `layout` with its tile sizes when
//! publishers send simulcast.

use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::media::{Direction, MediaKind, Mid, Simulcast, SimulcastLayer};
use tokio_tungstenite::tungstenite::Message;

use crate::media::{Layer, SCREEN};
use crate::peer::{PeerHandle, PeerOptions};
use crate::run::{Ctx, Phase};
use crate::scenario::ParticipantPlan;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, Clone)]
struct Track {
    id: u64,
    video: bool,
}

struct Session {
    plan: ParticipantPlan,
    peer: PeerHandle,
    publish: Vec<Value>,
    subscribe: Vec<Value>,
    /// Video tracks received, for `layout`.
    videos: Vec<u64>,
    queued: Vec<Track>,
    pending: Option<SdpPendingOffer>,
    /// Sending transceivers waiting for the answer before media starts.
    to_start: Vec<(Mid, Option<Vec<Layer>>)>,
    published: bool,
    screen: bool,
    answered: bool,
}

/// Run one participant until the phase becomes `Stop`.
pub async fn participant(url: String, plan: ParticipantPlan, ctx: Ctx) -> anyhow::Result<()> {
    let options = PeerOptions {
        impaired: plan.impaired,
        keyframe_interval: ctx.keyframe_interval,
    };
    let peer = PeerHandle::spawn(
        ctx.ip,
        ctx.stats.clone(),
        options,
        ctx.seed ^ plan.index as u64,
    )
    .await?;
    let result = run(url, plan, &ctx, peer.clone()).await;
    peer.stop();
    result
}

async fn run(
    url: String,
    plan: ParticipantPlan,
    ctx: &Ctx,
    peer: PeerHandle,
) -> anyhow::Result<()> {
    peer.peer.borrow_mut().joined_at = Some(Instant::now());
    // As a browser does: no Nagle delay on the signaling socket (a small
    // `mute` followed by the offer otherwise waits for the server's delayed
    // acknowledgement, 40 ms).
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), None, true)
        .await
        .context("signaling connect")?;
    debug_step(&peer, "signaling open", "");
    let join = json!({"type": "join", "version": 1, "room": plan.room_name(), "name": plan.name});
    send(&mut ws, &join).await?;
    let mut s = Session {
        plan,
        peer,
        publish: Vec::new(),
        subscribe: Vec::new(),
        videos: Vec::new(),
        queued: Vec::new(),
        pending: None,
        to_start: Vec::new(),
        published: false,
        screen: false,
        answered: false,
    };
    let mut phase = ctx.phase.clone();
    loop {
        tokio::select! {
            message = ws.next() => {
                let Some(message) = message else { bail!("signaling closed") };
                let text = match message.context("signaling")? {
                    Message::Text(t) => t,
                    Message::Close(_) => bail!("signaling closed by the server"),
                    _ => continue,
                };
                let value: Value = serde_json::from_str(&text)?;
                if !s.handle(&mut ws, &value, ctx).await? {
                    return Ok(());
                }
            }
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow() == Phase::Stop {
                    let _ = send(&mut ws, &json!({"type": "leave"})).await;
                    let _ = ws.close(None).await;
                    return Ok(());
                }
                if *phase.borrow() == Phase::ScreenShare && s.plan.screen_share && !s.screen {
                    s.screen = true;
                    s.offer(&mut ws).await?;
                }
            }
        }
    }
}

/// With TAFELRUNDE_BENCH_DEBUG set: a step of the join, with the time since
/// it began, and what came with it (an SDP).
fn debug_step(peer: &PeerHandle, step: &str, detail: &str) {
    if std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some() {
        let since = peer.peer.borrow().joined_at.map(|j| j.elapsed());
        eprintln!("--- tafelrunde {step} ({since:?} after the join began)\n{detail}");
    }
}

async fn send(ws: &mut Ws, value: &Value) -> anyhow::Result<()> {
    ws.send(Message::text(value.to_string()))
        .await
        .context("signaling send")
}

fn track(value: &Value) -> Option<Track> {
    Some(Track {
        id: value.get("id")?.as_u64()?,
        video: value.get("kind")?.as_str()? == "video",
    })
}

impl Session {
    /// Returns false when the session is over.
    async fn handle(&mut self, ws: &mut Ws, m: &Value, ctx: &Ctx) -> anyhow::Result<bool> {
        match m.get("type").and_then(Value::as_str).unwrap_or("") {
            "joined" => {
                debug_step(&self.peer, "joined", "");
                let tracks = m
                    .get("tracks")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.queued.extend(tracks.iter().filter_map(track));
                // Devices on, as a browser says: the SFU forwards nothing
                // of a muted participant.
                let unmute = json!({"type": "mute", "audio": false, "video": false});
                send(ws, &unmute).await?;
                self.offer(ws).await?;
            }
            "trackAdded" => {
                if let Some(t) = m.get("track").and_then(track) {
                    self.queued.push(t);
                }
                self.offer(ws).await?;
            }
            "answer" => {
                let sdp = m
                    .get("sdp")
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow!("answer without sdp"))?;
                debug_step(&self.peer, "answer", sdp);
                let answer = SdpAnswer::from_sdp_string(sdp).context("answer parses")?;
                let pending = self
                    .pending
                    .take()
                    .ok_or_else(|| anyhow!("answer without offer"))?;
                {
                    let mut peer = self.peer.peer.borrow_mut();
                    peer.rtc
                        .sdp_api()
                        .accept_answer(pending, answer)
                        .context("answer accepted")?;
                    for (mid, layers) in self.to_start.drain(..) {
                        match layers {
                            None => peer.send_audio(mid, self.plan.turns),
                            Some(layers) => peer.send_video(mid, &layers, layers.len() > 1),
                        }
                    }
                }
                self.peer.poke();
                if !self.answered {
                    self.answered = true;
                    ctx.stats.borrow_mut().joined += 1;
                }
                if ctx.simulcast && !self.videos.is_empty() {
                    let (w, h) = self.plan.tile;
                    let tiles: Vec<Value> = self
                        .videos
                        .iter()
                        .map(|id| json!({"trackId": id, "width": w, "height": h}))
                        .collect();
                    send(ws, &json!({"type": "layout", "tiles": tiles})).await?;
                }
                self.offer(ws).await?;
            }
            "publishLayers" => {
                if let (Some(mid), Some(active)) = (
                    m.get("mid").and_then(Value::as_str),
                    m.get("active").and_then(Value::as_array),
                ) {
                    let rids: Vec<String> = active
                        .iter()
                        .filter_map(|r| r.as_str().map(String::from))
                        .collect();
                    self.peer
                        .peer
                        .borrow_mut()
                        .set_active_layers(Mid::from(mid), &rids);
                }
            }
            "error" => {
                ctx.stats
                    .borrow_mut()
                    .error(format!("{}: server error {m}", self.plan.name));
            }
            "bye" => {
                ctx.stats
                    .borrow_mut()
                    .error(format!("{}: bye {m}", self.plan.name));
                return Ok(false);
            }
            _ => {}
        }
        Ok(true)
    }

    /// Offer whatever is new, unless an offer is outstanding.
    async fn offer(&mut self, ws: &mut Ws) -> anyhow::Result<()> {
        if self.pending.is_some() {
            return Ok(());
        }
        let subscribed_videos = self.videos.len();
        let mut take = Vec::new();
        for t in self.queued.drain(..) {
            let wanted = if t.video {
                subscribed_videos + take.iter().filter(|x: &&Track| x.video).count()
                    < self.plan.max_videos
            } else {
                self.plan.subscribe_audio
            };
            if wanted {
                take.push(t);
            }
        }
        let publish_now =
            !self.published && (self.plan.audio || !self.plan.video_layers.is_empty());
        let screen_now = self.screen && !self.publish.iter().any(|p| p["source"] == "screen");
        if take.is_empty() && !publish_now && !screen_now {
            self.published = true;
            return Ok(());
        }
        let now = Instant::now();
        let (offer, pending) = {
            let mut peer = self.peer.peer.borrow_mut();
            let mut added = Vec::new();
            let mut api = peer.rtc.sdp_api();
            if publish_now {
                if self.plan.audio {
                    let mid =
                        api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
                    self.publish
                        .push(json!({"mid": mid.to_string(), "kind": "audio"}));
                    self.to_start.push((mid, None));
                }
                if !self.plan.video_layers.is_empty() {
                    let layers = self.plan.video_layers.clone();
                    let simulcast = (layers.len() > 1).then(|| {
                        let mut s = Simulcast::new();
                        for l in &layers {
                            s.add_send_layer(SimulcastLayer::new(l.rid));
                        }
                        s
                    });
                    let mid =
                        api.add_media(MediaKind::Video, Direction::SendOnly, None, None, simulcast);
                    let mut p = json!({"mid": mid.to_string(), "kind": "video"});
                    if layers.len() > 1 {
                        p["layers"] = layers
                            .iter()
                            .map(|l| json!({"rid": l.rid, "height": l.height}))
                            .collect();
                    }
                    self.publish.push(p);
                    self.to_start.push((mid, Some(layers)));
                }
            }
            if screen_now {
                let mid = api.add_media(MediaKind::Video, Direction::SendOnly, None, None, None);
                self.publish
                    .push(json!({"mid": mid.to_string(), "kind": "video", "source": "screen"}));
                self.to_start.push((mid, Some(vec![SCREEN])));
            }
            for t in &take {
                let kind = if t.video {
                    MediaKind::Video
                } else {
                    MediaKind::Audio
                };
                let mid = api.add_media(kind, Direction::RecvOnly, None, None, None);
                self.subscribe
                    .push(json!({"mid": mid.to_string(), "trackId": t.id}));
                added.push(mid);
                if t.video {
                    self.videos.push(t.id);
                }
            }
            let (offer, pending) = api.apply().ok_or_else(|| anyhow!("nothing to offer"))?;
            for mid in added {
                peer.awaiting_track(mid, now);
            }
            (offer, pending)
        };
        self.published = true;
        self.pending = Some(pending);
        let message = json!({"type": "offer", "sdp": offer.to_sdp_string(), "publish": self.publish, "subscribe": self.subscribe});
        send(ws, &message).await
    }
}
