// Who of the others is speaking, from the audio level the SFU forwards in
// the ssrc-audio-level RTP header extension (RFC 6464), read through
// RTCRtpReceiver.getSynchronizationSources().

import type { ParticipantId } from "./messages";

/** Polls per second: often enough for a lively ring, cheap enough for 30 tiles. */
const POLL_INTERVAL_MS = 250;
/** Level (0..1, linear) above which a packet counts as speech. */
export const SPEAKING_LEVEL = 0.03;
/** A participant counts as speaking this long after their last loud packet. */
export const SPEAKING_HOLD_MS = 600;

export interface AudioSource {
  participantId: ParticipantId;
  receiver: RTCRtpReceiver;
}

export class RemoteSpeakingMonitor {
  private readonly timer: number;
  /** Last time each participant was loud (performance.now()). */
  private readonly lastLoud = new Map<ParticipantId, number>();
  /** Last RTP timestamp seen per receiver: an unchanged one means no new packets. */
  private readonly lastRtpTimestamp = new Map<RTCRtpReceiver, number>();
  private current: ReadonlySet<ParticipantId> = new Set();

  constructor(
    private readonly sources: () => AudioSource[],
    private readonly onChange: (speaking: ReadonlySet<ParticipantId>) => void,
  ) {
    this.timer = window.setInterval(() => this.poll(), POLL_INTERVAL_MS);
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  private poll(): void {
    const now = performance.now();
    const seen = new Set<RTCRtpReceiver>();
    for (const { participantId, receiver } of this.sources()) {
      seen.add(receiver);
      for (const source of receiver.getSynchronizationSources()) {
        // A source stays listed for 10 s after its last packet, with its last
        // level; only a new RTP timestamp shows that the level is current.
        const fresh = this.lastRtpTimestamp.get(receiver) !== source.rtpTimestamp;
        this.lastRtpTimestamp.set(receiver, source.rtpTimestamp);
        if (fresh && (source.audioLevel ?? 0) > SPEAKING_LEVEL) this.lastLoud.set(participantId, now);
      }
    }
    for (const receiver of [...this.lastRtpTimestamp.keys()]) {
      if (!seen.has(receiver)) this.lastRtpTimestamp.delete(receiver);
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
  }
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
