//! The same synthetic participant, speaking Janus' VideoRoom API over its
//! WebSocket transport: one session per participant, a publisher handle (every
//! participant joins as a publisher, so that it hears of new feeds) with its own
//! connection when it sends, and one multistream subscriber handle with a second
//! connection for everything it receives. Janus offers to subscribers; our
//! str0m peers answer.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, MediaKind, Mid, Simulcast, SimulcastLayer};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::media::{layer_for_height, SCREEN};
use crate::peer::{PeerHandle, PeerOptions};
use crate::run::{Ctx, Phase};
use crate::scenario::ParticipantPlan;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One Janus API session over one WebSocket.
pub struct Conn {
    ws: Ws,
    session: u64,
    next: u64,
    events: VecDeque<Value>,
}

impl Conn {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "janus-protocol".parse()?);
        // As a browser does: no Nagle delay on the signaling socket.
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
            .await
            .context("Janus connect")?;
        let mut conn = Conn {
            ws,
            session: 0,
            next: 1,
            events: VecDeque::new(),
        };
        let created = conn.call(json!({"janus": "create"}), false).await?;
        conn.session = created["data"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow!("no session id: {created}"))?;
        Ok(conn)
    }

    async fn recv(&mut self) -> anyhow::Result<Value> {
        loop {
            let message = self
                .ws
                .next()
                .await
                .ok_or_else(|| anyhow!("Janus closed the socket"))??;
            if let Message::Text(t) = message {
                return Ok(serde_json::from_str(&t)?);
            }
        }
    }

    /// Send a request and wait for its result: `success`/`error`, or for an
    /// asynchronous plugin request (`wait_event`) the `event` after the `ack`.
    async fn call(&mut self, mut request: Value, wait_event: bool) -> anyhow::Result<Value> {
        let transaction = format!("t{}", self.next);
        self.next += 1;
        request["transaction"] = json!(transaction);
        if self.session != 0 {
            request["session_id"] = json!(self.session);
        }
        self.ws.send(Message::text(request.to_string())).await?;
        loop {
            let m = self.recv().await?;
            if m["transaction"] != json!(transaction) {
                self.events.push_back(m);
                continue;
            }
            match m["janus"].as_str().unwrap_or("") {
                "ack" if wait_event => continue,
                "error" => bail!("Janus error: {}", m["error"]),
                "event" | "success" => {
                    if let Some(error) = m["plugindata"]["data"].get("error") {
                        bail!("VideoRoom error: {error}");
                    }
                    return Ok(m);
                }
                _ => continue,
            }
        }
    }

    pub async fn attach(&mut self) -> anyhow::Result<u64> {
        let m = self
            .call(
                json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}),
                false,
            )
            .await?;
        m["data"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow!("no handle id: {m}"))
    }

    /// A plugin message on `handle`, with an optional JSEP.
    pub async fn message(
        &mut self,
        handle: u64,
        body: Value,
        jsep: Option<Value>,
        wait_event: bool,
    ) -> anyhow::Result<Value> {
        let mut request = json!({"janus": "message", "handle_id": handle, "body": body});
        if let Some(jsep) = jsep {
            request["jsep"] = jsep;
        }
        self.call(request, wait_event).await
    }

    async fn keepalive(&mut self) -> anyhow::Result<()> {
        let request =
            json!({"janus": "keepalive", "session_id": self.session, "transaction": "ka"});
        self.ws.send(Message::text(request.to_string())).await?;
        Ok(())
    }

    async fn next_event(&mut self) -> anyhow::Result<Value> {
        if let Some(e) = self.events.pop_front() {
            return Ok(e);
        }
        self.recv().await
    }

    pub async fn close(mut self) {
        let _ = self
            .ws
            .send(Message::text(
                json!({"janus": "destroy", "session_id": self.session, "transaction": "bye"})
                    .to_string(),
            ))
            .await;
        let _ = self.ws.close(None).await;
    }
}

/// With TAFELRUNDE_BENCH_DEBUG set, SDPs go to stderr.
fn debug_sdp(what: &str, sdp: &str) {
    if std::env::var_os("TAFELRUNDE_BENCH_DEBUG").is_some() {
        eprintln!("--- {what}\n{sdp}");
    }
}

/// Create one VideoRoom room for a scenario room.
pub async fn create_room(url: &str, room: u64) -> anyhow::Result<()> {
    let mut conn = Conn::connect(url).await?;
    let handle = conn.attach().await?;
    let body = json!({
        "request": "create", "room": room, "publishers": 1000, "bitrate": 0,
        "videocodec": "vp8", "audiocodec": "opus", "audiolevel_ext": true,
        "transport_wide_cc_ext": true, "notify_joining": false, "permanent": false,
    });
    conn.message(handle, body, None, false).await?;
    conn.close().await;
    Ok(())
}

/// The Janus room number of scenario room `index`.
pub fn room_number(index: usize) -> u64 {
    1000 + index as u64
}

struct Subscriber {
    handle: u64,
    peer: PeerHandle,
    /// (feed, feed mid) pairs subscribed.
    streams: HashSet<(u64, String)>,
    seen_mids: HashSet<String>,
    videos: usize,
    started: bool,
}

/// Run one participant until the phase becomes `Stop`.
pub async fn participant(url: String, plan: ParticipantPlan, ctx: Ctx) -> anyhow::Result<()> {
    let options = PeerOptions {
        impaired: plan.impaired,
        keyframe_interval: ctx.keyframe_interval,
    };
    let started = Instant::now();
    let mut conn = Conn::connect(&url).await?;
    let room = room_number(plan.room);
    let publisher = conn.attach().await?;
    let mut peers = Vec::new();
    let publishes = plan.audio || !plan.video_layers.is_empty();
    let joined = if publishes {
        let peer = PeerHandle::spawn(
            ctx.ip,
            ctx.stats.clone(),
            options,
            ctx.seed ^ plan.index as u64,
        )
        .await?;
        peers.push(peer.clone());
        let body = json!({"request": "joinandconfigure", "room": room, "ptype": "publisher", "display": plan.name, "audio": plan.audio, "video": !plan.video_layers.is_empty()});
        publish(&mut conn, publisher, &peer, &plan, body, false).await?
    } else {
        let body =
            json!({"request": "join", "room": room, "ptype": "publisher", "display": plan.name});
        conn.message(publisher, body, None, true).await?
    };
    let mut sub: Option<Subscriber> = None;
    let wants = plan.subscribe_audio || plan.max_videos > 0;
    if wants {
        let peer = PeerHandle::spawn(
            ctx.ip,
            ctx.stats.clone(),
            options,
            ctx.seed ^ ((plan.index as u64 + 1) << 20),
        )
        .await?;
        peer.peer.borrow_mut().joined_at = Some(started);
        peers.push(peer.clone());
        let handle = conn.attach().await?;
        sub = Some(Subscriber {
            handle,
            peer,
            streams: HashSet::new(),
            seen_mids: HashSet::new(),
            videos: 0,
            started: false,
        });
    }
    if let (Some(s), Some(list)) = (
        &mut sub,
        joined["plugindata"]["data"]["publishers"].as_array(),
    ) {
        subscribe(&mut conn, s, &plan, room, list, &ctx).await?;
    }
    ctx.stats.borrow_mut().joined += 1;

    let mut phase = ctx.phase.clone();
    let mut keepalive = tokio::time::interval(Duration::from_secs(20));
    let mut screen = false;
    let result = loop {
        tokio::select! {
            event = conn.next_event() => {
                let event = match event { Ok(e) => e, Err(e) => break Err(e) };
                let data = &event["plugindata"]["data"];
                if let (Some(s), Some(list)) = (&mut sub, data["publishers"].as_array()) {
                    if let Err(e) = subscribe(&mut conn, s, &plan, room, list, &ctx).await {
                        break Err(e);
                    }
                }
                if event["janus"] == "hangup" {
                    ctx.stats.borrow_mut().error(format!("{}: Janus hung up: {}", plan.name, event["reason"]));
                }
            }
            _ = keepalive.tick() => {
                if let Err(e) = conn.keepalive().await { break Err(e) }
            }
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow() == Phase::Stop {
                    break Ok(());
                }
                if *phase.borrow() == Phase::ScreenShare && plan.screen_share && !screen {
                    screen = true;
                    // A second publisher handle for the screen, as the Janus demos do.
                    let peer = PeerHandle::spawn(ctx.ip, ctx.stats.clone(), options, ctx.seed ^ 0x5c).await?;
                    peers.push(peer.clone());
                    let handle = conn.attach().await?;
                    let body = json!({"request": "joinandconfigure", "room": room, "ptype": "publisher", "display": format!("{} (screen)", plan.name), "audio": false, "video": true});
                    if let Err(e) = publish(&mut conn, handle, &peer, &plan, body, true).await {
                        break Err(e);
                    }
                }
            }
        }
    };
    conn.close().await;
    for p in peers {
        p.stop();
    }
    result
}

/// Offer on `peer`, send it with `body`, accept Janus' answer, start media.
async fn publish(
    conn: &mut Conn,
    handle: u64,
    peer: &PeerHandle,
    plan: &ParticipantPlan,
    body: Value,
    screen: bool,
) -> anyhow::Result<Value> {
    let (offer, pending, starts) = {
        let mut p = peer.peer.borrow_mut();
        let mut api = p.rtc.sdp_api();
        let mut starts = Vec::new();
        if screen {
            starts.push((
                api.add_media(MediaKind::Video, Direction::SendOnly, None, None, None),
                Some(vec![SCREEN]),
            ));
        } else {
            if plan.audio {
                starts.push((
                    api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None),
                    None,
                ));
            }
            if !plan.video_layers.is_empty() {
                let layers = plan.video_layers.clone();
                let simulcast = (layers.len() > 1).then(|| {
                    let mut s = Simulcast::new();
                    for l in &layers {
                        s.add_send_layer(SimulcastLayer::new(l.rid));
                    }
                    s
                });
                starts.push((
                    api.add_media(MediaKind::Video, Direction::SendOnly, None, None, simulcast),
                    Some(layers),
                ));
            }
        }
        let (offer, pending) = api.apply().ok_or_else(|| anyhow!("nothing to offer"))?;
        (offer, pending, starts)
    };
    let jsep =
        json!({"type": "offer", "sdp": browser_like(&offer.to_sdp_string()), "trickle": false});
    let event = conn.message(handle, body, Some(jsep), true).await?;
    let sdp = event["jsep"]["sdp"]
        .as_str()
        .ok_or_else(|| anyhow!("no answer from Janus: {event}"))?;
    debug_sdp("offer to Janus", &offer.to_sdp_string());
    debug_sdp("answer from Janus", sdp);
    let answer = SdpAnswer::from_sdp_string(sdp).context("Janus answer parses")?;
    {
        let mut p = peer.peer.borrow_mut();
        p.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .context("Janus answer accepted")?;
        for (mid, layers) in starts {
            match layers {
                None => p.send_audio(mid, plan.turns),
                Some(layers) => p.send_video(mid, &layers, layers.len() > 1),
            }
        }
    }
    peer.poke();
    Ok(event)
}

/// Chrome's offers for RID simulcast name no SSRCs for the layers; str0m's
/// do, and Janus then takes the first one as the whole video's ("fallback
/// SSRC") and relays every layer. Drop those lines in simulcast sections.
fn browser_like(sdp: &str) -> String {
    let mut out = String::with_capacity(sdp.len());
    for section in sdp.split_inclusive("m=") {
        if section.contains("a=simulcast:") {
            for line in section.split_inclusive('\n') {
                if !line.starts_with("a=ssrc") {
                    out.push_str(line);
                }
            }
        } else {
            out.push_str(section);
        }
    }
    out
}

/// Subscribe to what `plan` wants of the feeds in `publishers`.
async fn subscribe(
    conn: &mut Conn,
    s: &mut Subscriber,
    plan: &ParticipantPlan,
    room: u64,
    publishers: &[Value],
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let mut streams = Vec::new();
    for p in publishers {
        let Some(feed) = p["id"].as_u64() else {
            continue;
        };
        for st in p["streams"].as_array().into_iter().flatten() {
            let Some(mid) = st["mid"].as_str() else {
                continue;
            };
            if st["disabled"] == true || s.streams.contains(&(feed, mid.to_string())) {
                continue;
            }
            let wanted = match st["type"].as_str() {
                Some("audio") => plan.subscribe_audio,
                Some("video") => s.videos < plan.max_videos,
                _ => false,
            };
            if wanted {
                if st["type"] == "video" {
                    s.videos += 1;
                }
                s.streams.insert((feed, mid.to_string()));
                streams.push(json!({"feed": feed, "mid": mid}));
            }
        }
    }
    if streams.is_empty() {
        return Ok(());
    }
    let body = if s.started {
        json!({"request": "subscribe", "streams": streams})
    } else {
        json!({"request": "join", "room": room, "ptype": "subscriber", "streams": streams})
    };
    let event = conn.message(s.handle, body, None, true).await?;
    let sdp = event["jsep"]["sdp"]
        .as_str()
        .ok_or_else(|| anyhow!("no offer from Janus: {event}"))?;
    debug_sdp("offer from Janus", sdp);
    let offer = SdpOffer::from_sdp_string(sdp).context("Janus offer parses")?;
    let now = Instant::now();
    let answer = {
        let mut p = s.peer.peer.borrow_mut();
        let answer = p
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .context("Janus offer accepted")?;
        let mids = event["plugindata"]["data"]["streams"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|st| st["mid"].as_str());
        for mid in mids {
            if s.seen_mids.insert(mid.to_string()) {
                p.awaiting_track(Mid::from(mid), now);
            }
        }
        answer
    };
    s.peer.poke();
    let jsep = json!({"type": "answer", "sdp": answer.to_sdp_string(), "trickle": false});
    conn.message(s.handle, json!({"request": "start"}), Some(jsep), true)
        .await?;
    s.started = true;
    if ctx.simulcast {
        // The layer each video tile needs, as Tafelrunde's `layout` tells its SFU.
        let substream = layer_for_height(plan.tile.1);
        let configure: Vec<Value> = event["plugindata"]["data"]["streams"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|st| st["type"] == "video")
            .filter_map(|st| {
                st["mid"]
                    .as_str()
                    .map(|m| json!({"mid": m, "substream": substream}))
            })
            .collect();
        if !configure.is_empty() {
            conn.message(
                s.handle,
                json!({"request": "configure", "streams": configure}),
                None,
                true,
            )
            .await?;
        }
    }
    Ok(())
}
