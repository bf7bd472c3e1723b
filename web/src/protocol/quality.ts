// Connection quality of the others' tiles: good, medium or poor, from the
// statistics of what arrives from each of them (inbound-rtp of their audio
// and video: bit rate, packet loss, jitter, picture size, frame rate) and the
// round-trip time to the SFU (the selected candidate pair). Polled about once
// a second, and only for the tiles on screen.

import { signal, type ReadonlySignal } from "@preact/signals";

import type { ParticipantId } from "./messages";

export type Quality = "good" | "medium" | "poor";

/** What the indicator shows on hover or focus. */
export interface QualityFigures {
  /** Received bit rate of the participant's audio and video, bit/s. */
  bitrate: number;
  /** Lost packets in percent of the expected ones. */
  lossPercent: number;
  /** Interarrival jitter in ms: of the audio while it flows, else of the video. */
  jitterMs: number | null;
  /** Round-trip time between this browser and the SFU, ms. */
  rttMs: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
  framesPerSecond: number | null;
}

export interface QualityReport {
  quality: Quality;
  figures: QualityFigures;
}

/** The tracks whose statistics make up one tile's quality. */
export interface TileTracks {
  /** MediaStreamTrack ids (the stats' trackIdentifier). */
  audio: string | null;
  video: string | null;
  /** The camera is on: frames should arrive. */
  videoExpected: boolean;
}

export const QUALITY_POLL_MS = 1_000;
/** Figures are taken over the last few polls, so one bad second is not a verdict. */
const WINDOW = 4;
/** Loss is judged only over at least this many packets. */
const MIN_PACKETS_FOR_LOSS = 40;

/** Counters of one inbound stream at one moment. */
interface Counters {
  ssrc: number;
  bytes: number;
  packetsReceived: number;
  packetsLost: number;
  jitter: number | null;
  framesDecoded: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
}

interface Sample {
  /** Stats timestamp, ms. */
  at: number;
  audio: Counters | null;
  video: Counters | null;
  rtt: number | null;
}

/** good / medium / poor from the figures; thresholds as for a video call. */
export function rateQuality(f: QualityFigures, videoExpected: boolean): Quality {
  const rtt = f.rttMs ?? 0;
  const jitter = f.jitterMs ?? 0;
  // A frame rate of 0 means a paused or switching video, not a bad line.
  const fps = videoExpected && f.framesPerSecond !== null && f.framesPerSecond > 0 ? f.framesPerSecond : null;
  if (f.lossPercent >= 8 || rtt >= 400 || jitter >= 80 || (fps !== null && fps < 5)) return "poor";
  if (f.lossPercent >= 2 || rtt >= 200 || jitter >= 40 || (fps !== null && fps < 12)) return "medium";
  return "good";
}

/** The figures between an older and a newer sample of the same tile. */
export function figuresBetween(older: Sample, newer: Sample): QualityFigures {
  const seconds = Math.max(0.001, (newer.at - older.at) / 1000);
  let bytes = 0;
  let received = 0;
  let lost = 0;
  let frames: number | null = null;
  for (const kind of ["audio", "video"] as const) {
    const a = older[kind];
    const b = newer[kind];
    // A new SSRC (a reused receiver) starts its counters afresh.
    if (a === null || b === null || a.ssrc !== b.ssrc) continue;
    bytes += Math.max(0, b.bytes - a.bytes);
    received += Math.max(0, b.packetsReceived - a.packetsReceived);
    lost += Math.max(0, b.packetsLost - a.packetsLost);
    if (kind === "video" && a.framesDecoded !== null && b.framesDecoded !== null) {
      frames = Math.max(0, b.framesDecoded - a.framesDecoded);
    }
  }
  const expected = received + lost;
  const audioFlows = newer.audio !== null && older.audio?.ssrc === newer.audio.ssrc &&
    newer.audio.packetsReceived > older.audio.packetsReceived;
  const jitter = audioFlows ? newer.audio?.jitter ?? null : newer.video?.jitter ?? newer.audio?.jitter ?? null;
  return {
    bitrate: Math.round((bytes * 8) / seconds),
    lossPercent: expected >= MIN_PACKETS_FOR_LOSS ? (100 * lost) / expected : 0,
    jitterMs: jitter === null ? null : jitter * 1000,
    rttMs: newer.rtt === null ? null : newer.rtt * 1000,
    frameWidth: newer.video?.frameWidth ?? null,
    frameHeight: newer.video?.frameHeight ?? null,
    framesPerSecond: frames === null ? null : frames / seconds,
  };
}

export class QualityMonitor {
  private readonly _reports = signal<ReadonlyMap<ParticipantId, QualityReport>>(new Map());
  /** The latest report of each watched participant. */
  readonly reports: ReadonlySignal<ReadonlyMap<ParticipantId, QualityReport>> = this._reports;

  /** Watched participants, counted (a tile may be mounted twice during a re-render). */
  private readonly watched = new Map<ParticipantId, number>();
  private readonly history = new Map<ParticipantId, Sample[]>();
  private timer: number | undefined;
  private polling = false;
  private disposed = false;

  constructor(
    private readonly getStats: () => Promise<RTCStatsReport | null>,
    private readonly tracksOf: (id: ParticipantId) => TileTracks | null,
  ) {}

  /** Polls this participant's quality while their tile is on screen; returns the function that stops it. */
  watch(id: ParticipantId): () => void {
    this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
    this.start();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.watched.get(id) ?? 1) - 1;
      if (n > 0) {
        this.watched.set(id, n);
        return;
      }
      this.watched.delete(id);
      this.history.delete(id);
      if (this.watched.size === 0) this.stop();
    };
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.watched.clear();
    this.history.clear();
  }

  private start(): void {
    if (this.disposed || this.timer !== undefined) return;
    this.timer = window.setInterval(() => void this.poll(), QUALITY_POLL_MS);
  }

  private stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return;
    this.polling = true;
    let report: RTCStatsReport | null = null;
    try {
      report = await this.getStats();
    } catch {
      report = null;
    } finally {
      this.polling = false;
    }
    if (report === null || this.disposed) return;
    const inbound = latestInbound(report);
    const rtt = selectedRtt(report);
    const next = new Map<ParticipantId, QualityReport>();
    for (const id of this.watched.keys()) {
      const tracks = this.tracksOf(id);
      if (tracks === null) continue;
      const audio = tracks.audio === null ? undefined : inbound.get(tracks.audio);
      const video = tracks.video === null ? undefined : inbound.get(tracks.video);
      const at = (audio ?? video)?.timestamp ?? performance.now();
      const sample: Sample = { at, audio: counters(audio), video: counters(video), rtt };
      const samples = [...(this.history.get(id) ?? []), sample].slice(-WINDOW);
      this.history.set(id, samples);
      if (samples.length < 2) continue;
      const figures = figuresBetween(samples[0]!, sample);
      next.set(id, { quality: rateQuality(figures, tracks.videoExpected), figures });
    }
    this._reports.value = next;
  }
}

/** Fields of the stats we read (the DOM typings do not list all of them). */
interface InboundStats {
  type: string;
  timestamp: number;
  trackIdentifier?: string;
  ssrc?: number;
  bytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  framesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  lastPacketReceivedTimestamp?: number;
}

/** inbound-rtp by track id; of several (a reused receiver), the one that received last. */
function latestInbound(report: RTCStatsReport): Map<string, InboundStats> {
  const out = new Map<string, InboundStats>();
  report.forEach((value: InboundStats) => {
    if (value.type !== "inbound-rtp" || value.trackIdentifier === undefined) return;
    const seen = out.get(value.trackIdentifier);
    if (seen === undefined || (value.lastPacketReceivedTimestamp ?? 0) > (seen.lastPacketReceivedTimestamp ?? 0)) {
      out.set(value.trackIdentifier, value);
    }
  });
  return out;
}

function counters(s: InboundStats | undefined): Counters | null {
  if (s === undefined) return null;
  return {
    ssrc: s.ssrc ?? 0,
    bytes: s.bytesReceived ?? 0,
    packetsReceived: s.packetsReceived ?? 0,
    packetsLost: s.packetsLost ?? 0,
    jitter: s.jitter ?? null,
    framesDecoded: s.framesDecoded ?? null,
    frameWidth: s.frameWidth ?? null,
    frameHeight: s.frameHeight ?? null,
  };
}

/** currentRoundTripTime (s) of the selected candidate pair. */
function selectedRtt(report: RTCStatsReport): number | null {
  let pairId: string | undefined;
  report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
    if (s.type === "transport" && s.selectedCandidatePairId !== undefined) pairId = s.selectedCandidatePairId;
  });
  let rtt: number | null = null;
  report.forEach((s: { type: string; id: string; nominated?: boolean; state?: string; currentRoundTripTime?: number }) => {
    if (s.type !== "candidate-pair" || s.currentRoundTripTime === undefined) return;
    const selected = pairId !== undefined ? s.id === pairId : s.nominated === true && s.state === "succeeded";
    if (selected) rtt = s.currentRoundTripTime;
  });
  return rtt;
}
