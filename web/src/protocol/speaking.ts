// Who of the others is speaking, from the audio actually received: the
// energy each receiver decoded since the last poll (getStats inbound-rtp
// totalAudioEnergy / totalSamplesDuration). Integrating over the interval
// catches short sounds that a look at the latest packet's level would miss.

import type { ParticipantId } from "./messages";

/** Polls per second: often enough for a lively ring, cheap enough for 30 tiles. */
const POLL_INTERVAL_MS = 300;
/** RMS level (0..1, linear) over a poll interval above which someone speaks. */
export const SPEAKING_LEVEL = 0.03;
/** A participant counts as speaking this long after their last loud interval. */
export const SPEAKING_HOLD_MS = 600;

export interface AudioSource {
  participantId: ParticipantId;
  receiver: RTCRtpReceiver;
}

interface Totals {
  energy: number;
  duration: number;
}

export class RemoteSpeakingMonitor {
  private readonly timer: number;
  /** Last time each participant was loud (performance.now()). */
  private readonly lastLoud = new Map<ParticipantId, number>();
  /** Energy and duration each receiver had decoded at the last poll. */
  private readonly totals = new Map<RTCRtpReceiver, Totals>();
  private current: ReadonlySet<ParticipantId> = new Set();
  private polling = false;

  constructor(
    private readonly sources: () => AudioSource[],
    private readonly onChange: (speaking: ReadonlySet<ParticipantId>) => void,
  ) {
    this.timer = window.setInterval(() => void this.poll(), POLL_INTERVAL_MS);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const sources = this.sources();
      const reports = await Promise.all(sources.map((s) => s.receiver.getStats().catch(() => null)));
      const now = performance.now();
      sources.forEach(({ participantId, receiver }, i) => {
        const latest = totalsOf(reports[i]);
        if (!latest) return;
        const before = this.totals.get(receiver);
        this.totals.set(receiver, latest);
        if (!before) return;
        const duration = latest.duration - before.duration;
        if (duration <= 0) return;
        const rms = Math.sqrt(Math.max(0, latest.energy - before.energy) / duration);
        if (rms > SPEAKING_LEVEL) this.lastLoud.set(participantId, now);
      });
      const live = new Set(sources.map((s) => s.receiver));
      for (const receiver of [...this.totals.keys()]) {
        if (!live.has(receiver)) this.totals.delete(receiver);
      }
      const speaking = new Set<ParticipantId>();
      for (const [participantId, at] of this.lastLoud) {
        if (now - at <= SPEAKING_HOLD_MS) speaking.add(participantId);
        else this.lastLoud.delete(participantId);
      }
      if (!sameSet(speaking, this.current)) {
        this.current = speaking;
        this.onChange(speaking);
      }
    } finally {
      this.polling = false;
    }
  }
}

function totalsOf(report: RTCStatsReport | null): Totals | null {
  let totals: Totals | null = null;
  report?.forEach((s: { type?: string; totalAudioEnergy?: number; totalSamplesDuration?: number }) => {
    if (s.type === "inbound-rtp" && typeof s.totalAudioEnergy === "number" && typeof s.totalSamplesDuration === "number") {
      totals = { energy: s.totalAudioEnergy, duration: s.totalSamplesDuration };
    }
  });
  return totals;
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
