// Level of the own microphone through a WebAudio AnalyserNode: drives the
// pre-join level meter and the speaking ring of the own tile.

import { signal, type ReadonlySignal } from "@preact/signals";

const POLL_INTERVAL_MS = 100;
/** RMS level (0..1) above which the own microphone counts as speech. */
const SPEAKING_RMS = 0.02;
const SPEAKING_HOLD_MS = 600;
/** The meter shows RMS scaled up, so normal speech fills about half of it. */
const METER_GAIN = 4;

export class MicLevelMeter {
  private readonly _level = signal(0);
  private readonly _speaking = signal(false);
  /** Meter value 0..1. */
  readonly level: ReadonlySignal<number> = this._level;
  readonly speaking: ReadonlySignal<boolean> = this._speaking;

  private context: AudioContext | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private analyser: AnalyserNode | null = null;
  private samples: Float32Array<ArrayBuffer> | null = null;
  private timer: number | undefined;
  private lastLoud = -Infinity;

  /** Measures this track from now on; null stops measuring. */
  attach(track: MediaStreamTrack | null): void {
    this.detach();
    if (track === null) return;
    const context = this.context ?? new AudioContext();
    this.context = context;
    // Created or resumed inside the click that switched the microphone on,
    // so the autoplay policy lets it run.
    void context.resume().catch(() => undefined);
    this.source = context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
    this.timer = window.setInterval(() => this.measure(), POLL_INTERVAL_MS);
  }

  dispose(): void {
    this.detach();
    if (this.context !== null) void this.context.close().catch(() => undefined);
    this.context = null;
  }

  private detach(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.samples = null;
    this.lastLoud = -Infinity;
    this._level.value = 0;
    this._speaking.value = false;
  }

  private measure(): void {
    if (this.analyser === null || this.samples === null) return;
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    const rms = Math.sqrt(sum / this.samples.length);
    const now = performance.now();
    if (rms > SPEAKING_RMS) this.lastLoud = now;
    this._level.value = Math.min(1, rms * METER_GAIN);
    this._speaking.value = now - this.lastLoud <= SPEAKING_HOLD_MS;
  }
}
