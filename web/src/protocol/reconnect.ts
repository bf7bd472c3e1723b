// When the signaling socket drops: how long to wait before the next dial,
// what to send first on a new socket (`resume` or a fresh `join`), and when
// to give up. No timers and no sockets here: time comes in as `now` and
// chance as `random`, so the decisions can be tested as they are.

/** The shape of the waits between dials. */
export interface Backoff {
  /** The first wait. */
  baseMs: number;
  /** No wait is longer than this (before jitter). */
  capMs: number;
  /** ±share of the wait added at random, so that a room does not redial in step. */
  jitter: number;
}

/** After a dropped socket: 250 ms, 500 ms, 1 s, 2 s, then 3 s. */
export const DROP_BACKOFF: Backoff = { baseMs: 250, capMs: 3_000, jitter: 0.3 };
/** After `bye serverShutdown`: the same start, then every 5 s while the server answers nothing. */
export const RESTART_BACKOFF: Backoff = { baseMs: 250, capMs: 5_000, jitter: 0.3 };
/** How long we keep trying after `bye serverShutdown`. */
export const RESTART_WITHIN_MS = 10 * 60_000;
/** The server's grace when an older server did not say it. */
export const DEFAULT_RESUME_WITHIN_MS = 60_000;
/**
 * A dial that has not opened by then is abandoned and the next one made.
 * On a dead network the kernel sends a connection's SYN again after 1 s and
 * 3 s, then only after 7 s: waiting just past the second retry and then
 * dialing anew leaves no gap over 2 s in which a network that came back
 * goes unnoticed.
 */
export const OPEN_TIMEOUT_MS = 3_300;
/** An open socket that does not answer `resume` or `join` within this is given up. */
export const ANSWER_TIMEOUT_MS = 5_000;

/** The wait before dial number `attempt` (0 is the first). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const plain = Math.min(backoff.capMs, backoff.baseMs * 2 ** exponent);
  const factor = 1 + backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(plain * factor));
}

/**
 * Why we reconnect: the socket was lost (resume within the server's grace),
 * or the server said it restarts (a fresh `join`; tokens do not survive).
 */
export type DropCause = "lost" | "serverRestart";

/** What to do when the server answers `resume` with `resumeFailed`. */
export type AfterResumeFailed = "joinAfresh" | "giveUp";

/**
 * One reconnection, from the drop until we are back or give up. `withinMs`
 * is the server's `resumeWithinMs` for a lost socket.
 */
export class ReconnectPlan {
  readonly deadline: number;
  private attempts = 0;
  private lastDialAt: number | null = null;
  private resumeRefused = false;

  constructor(
    readonly cause: DropCause,
    readonly droppedAt: number,
    withinMs: number,
    private readonly token: string | null,
    private readonly random: () => number,
  ) {
    this.deadline = droppedAt + (cause === "serverRestart" ? RESTART_WITHIN_MS : withinMs);
  }

  /** True once the time to come back is over. */
  expired(now: number): boolean {
    return now >= this.deadline;
  }

  /**
   * The wait before the next dial, or null when the time is over. The
   * backoff counts from the start of the previous dial: one that hung until
   * its timeout has waited already (so a network that comes back is tried
   * again within about a second), one the server refused at once has not.
   */
  nextDial(now: number): number | null {
    if (this.expired(now)) return null;
    const backoff = this.cause === "serverRestart" ? RESTART_BACKOFF : DROP_BACKOFF;
    const delay = backoffDelay(this.attempts, backoff, this.random);
    this.attempts += 1;
    const waited = this.lastDialAt === null ? 0 : now - this.lastDialAt;
    return Math.max(0, Math.min(delay - waited, this.deadline - now));
  }

  /** A dial starts now. */
  dialing(now: number): void {
    this.lastDialAt = now;
  }

  /** How long the next dial may take to open before it is abandoned. */
  openTimeout(): number {
    return OPEN_TIMEOUT_MS;
  }

  /** The first message on a new socket. */
  firstMessage(): "resume" | "join" {
    if (this.cause === "serverRestart" || this.token === null || this.resumeRefused) return "join";
    return "resume";
  }

  /** The latest token, for `resume`. */
  resumeToken(): string | null {
    return this.token;
  }

  /**
   * `resumeFailed`: the server no longer knows the session (it restarted,
   * or the grace ran out there). Still within the grace, a fresh `join`
   * brings us back (through the lobby if the room has one); after it, the
   * place is gone.
   */
  afterResumeFailed(now: number): AfterResumeFailed {
    this.resumeRefused = true;
    return this.expired(now) ? "giveUp" : "joinAfresh";
  }
}
