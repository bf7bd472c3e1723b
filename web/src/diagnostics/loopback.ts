// One check of the connection test: a short loopback call through the SFU
// over one transport. Two signaling sessions enter a connection-test room
// (`~test-…`: at most two people, no moderation, ended by the server after
// 60 s): one publishes a synthetic picture and tone, the other subscribes.
// Round-trip time and bit rate come from getStats().

import { toRtcIceServers } from "../protocol/mediaSession";
import type { IceServer, TrackInfo } from "../protocol/messages";
import { ProbeError, ProbeSocket, withTimeout } from "./probeSocket";
import { keepCandidates, serverPorts, type Transport } from "./sdp";
import { syntheticMedia, type SyntheticMedia } from "./synthetic";

export interface CheckResult {
  transport: Transport;
  ok: boolean;
  /** Why not: notConfigured (no TURN), unreachable, timeout (no media path), noMedia, or the server's refusal. */
  error?: string;
  /** Round-trip time of the media path, milliseconds. */
  rttMs?: number;
  /** What arrived at the receiving side, kbit/s. */
  kbps?: number;
  /** Packets lost on the way, percent. */
  lossPct?: number;
  /** The path that was used, e.g. "udp", "tcp", "relay/udp". */
  path?: string;
}

export interface LoopbackOutcome {
  result: CheckResult;
  /** The server's media ports as its answer named them. */
  ports: { udp: number[]; tcp: number[] } | null;
}

const STEP_MS = 8_000;
const CONNECT_MS = 10_000;
export const MEASURE_MS = 4_000;

export function testRoomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return "~test-" + [...bytes].map((b) => b.toString(36).padStart(2, "0")).join("").slice(0, 12);
}

function peerConnection(transport: Transport, servers: readonly IceServer[]): RTCPeerConnection {
  // UDP and TCP checks use no TURN server, so only the SFU's own path counts;
  // the TURN check allows relayed candidates only.
  return new RTCPeerConnection({
    iceServers: transport === "turn" ? toRtcIceServers(servers) : [],
    iceTransportPolicy: transport === "turn" ? "relay" : "all",
    bundlePolicy: "max-bundle",
  });
}

function answerFor(transport: Transport, sdp: string): string {
  return transport === "turn" ? sdp : keepCandidates(sdp, transport);
}

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === "connected") resolve();
      else if (pc.connectionState === "failed" || pc.connectionState === "closed") reject(new ProbeError("timeout"));
    };
    pc.addEventListener("connectionstatechange", check);
    check();
  });
}

interface Sample {
  at: number;
  bytes: number;
  packets: number;
  lost: number;
  rtt: number | null;
  path: string | null;
}

async function sample(pc: RTCPeerConnection, direction: "inbound-rtp" | "outbound-rtp"): Promise<Sample> {
  const stats = await pc.getStats();
  const s: Sample = { at: performance.now(), bytes: 0, packets: 0, lost: 0, rtt: null, path: null };
  const byId = new Map<string, Record<string, unknown>>();
  stats.forEach((r: Record<string, unknown>) => byId.set(r.id as string, r));
  for (const r of byId.values()) {
    if (r.type === direction) {
      s.bytes += Number(r[direction === "inbound-rtp" ? "bytesReceived" : "bytesSent"] ?? 0);
      s.packets += Number(r.packetsReceived ?? 0);
      s.lost += Math.max(0, Number(r.packetsLost ?? 0));
    }
    if (r.type === "transport" && typeof r.selectedCandidatePairId === "string") {
      const pair = byId.get(r.selectedCandidatePairId);
      if (pair !== undefined) {
        if (typeof pair.currentRoundTripTime === "number") s.rtt = pair.currentRoundTripTime * 1000;
        const local = byId.get(pair.localCandidateId as string);
        if (local !== undefined) {
          const protocol = String(local.protocol ?? "");
          s.path = local.candidateType === "relay" ? `relay/${String(local.relayProtocol ?? protocol)}` : protocol;
        }
      }
    }
  }
  return s;
}

/** Runs one check; never throws. */
export async function loopback(url: string, transport: Transport, doc: Document): Promise<LoopbackOutcome> {
  const room = testRoomName();
  const pub = new ProbeSocket(url);
  let sub: ProbeSocket | null = null;
  let media: SyntheticMedia | null = null;
  const pcs: RTCPeerConnection[] = [];
  let ports: LoopbackOutcome["ports"] = null;
  try {
    media = syntheticMedia(doc);
    const joined = await pub.join(room, STEP_MS);
    if (transport === "turn" && joined.iceServers.length === 0) {
      return { result: { transport, ok: false, error: "notConfigured" }, ports };
    }
    const pcPub = peerConnection(transport, joined.iceServers);
    pcs.push(pcPub);
    const audio = pcPub.addTransceiver(media.audio, { direction: "sendonly" });
    const video = pcPub.addTransceiver(media.video, { direction: "sendonly", sendEncodings: [{ maxBitrate: 1_500_000 }] });
    await pcPub.setLocalDescription(await pcPub.createOffer());
    pub.send({
      type: "offer",
      sdp: pcPub.localDescription?.sdp ?? "",
      publish: [
        { mid: audio.mid ?? "", kind: "audio" },
        { mid: video.mid ?? "", kind: "video", source: "device" },
      ],
      subscribe: [],
    });
    const answer = await pub.next("answer", STEP_MS);
    if (answer.type !== "answer") throw new ProbeError("refused");
    ports = serverPorts(answer.sdp);
    await pcPub.setRemoteDescription({ type: "answer", sdp: answerFor(transport, answer.sdp) });

    // Devices on: the server forwards nothing of a participant who is muted.
    pub.send({ type: "mute", audio: false, video: false });

    sub = new ProbeSocket(url);
    const joinedSub = await sub.join(room, STEP_MS);
    const tracks: TrackInfo[] = joinedSub.tracks.filter((t) => t.participantId === joined.participantId);
    while (tracks.length < 2) {
      const added = await sub.next("trackAdded", STEP_MS);
      if (added.type === "trackAdded" && added.track.participantId === joined.participantId) tracks.push(added.track);
    }
    const pcSub = peerConnection(transport, joinedSub.iceServers);
    pcs.push(pcSub);
    const slots = tracks.map((t) => ({ track: t, tr: pcSub.addTransceiver(t.kind, { direction: "recvonly" }) }));
    await pcSub.setLocalDescription(await pcSub.createOffer());
    sub.send({
      type: "offer",
      sdp: pcSub.localDescription?.sdp ?? "",
      publish: [],
      subscribe: slots.map((s) => ({ mid: s.tr.mid ?? "", trackId: s.track.id })),
    });
    const subAnswer = await sub.next("answer", STEP_MS);
    if (subAnswer.type !== "answer") throw new ProbeError("refused");
    await pcSub.setRemoteDescription({ type: "answer", sdp: answerFor(transport, subAnswer.sdp) });

    await withTimeout(Promise.all([connected(pcPub), connected(pcSub)]), CONNECT_MS, "timeout");
    const before = await sample(pcSub, "inbound-rtp");
    await new Promise((r) => window.setTimeout(r, MEASURE_MS));
    const after = await sample(pcSub, "inbound-rtp");
    const sent = await sample(pcPub, "outbound-rtp");
    const bytes = after.bytes - before.bytes;
    if (bytes <= 0) return { result: { transport, ok: false, error: "noMedia" }, ports };
    const seconds = (after.at - before.at) / 1000;
    const received = after.packets - before.packets;
    const lost = after.lost - before.lost;
    const rtts = [after.rtt, sent.rtt].filter((x): x is number => x !== null);
    const result: CheckResult = {
      transport,
      ok: true,
      kbps: Math.round((bytes * 8) / seconds / 1000),
      lossPct: received + lost > 0 ? Math.round((lost / (received + lost)) * 1000) / 10 : 0,
    };
    if (rtts.length > 0) result.rttMs = Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length);
    const path = after.path ?? sent.path;
    if (path !== null) result.path = path;
    return { result, ports };
  } catch (e) {
    const reason = e instanceof ProbeError ? e.reason : "failed";
    return { result: { transport, ok: false, error: reason }, ports };
  } finally {
    for (const pc of pcs) pc.close();
    pub.close();
    sub?.close();
    media?.stop();
  }
}
