// Drives one ReconnectPlan with timers: dials again after the backoff,
// abandons a dial that does not open or is not answered in time, and gives
// up when the plan's time is over. What a dial is (a new signaling socket)
// and what is sent on it are the caller's; the clock and the timers are
// parameters, so tests can drive it without waiting.

import { ANSWER_TIMEOUT_MS, ReconnectPlan, type AfterResumeFailed, type DropCause } from "./reconnect";

/** Time and timers, `window` by default. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

export const windowClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};

export interface RedialHooks {
  /** Opens a new signaling socket; its open, answer or close come back through the methods below. */
  dial(): void;
  /** Abandons the current dial (closes its socket without a report). */
  abandon(): void;
  /** The time is over: show that the connection is lost. */
  giveUp(): void;
}

export class Redialer {
  private plan: ReconnectPlan | null = null;
  private dialTimer: number | undefined;
  private attemptTimer: number | undefined;
  private giveUpTimer: number | undefined;
  /** A dial was made and has neither failed nor been answered yet. */
  private dialPending = false;

  constructor(
    private readonly hooks: RedialHooks,
    private readonly clock: Clock = windowClock,
    private readonly random: () => number = Math.random,
  ) {}

  /** Reconnecting now (between a drop and being back or giving up). */
  get active(): boolean {
    return this.plan !== null;
  }

  get cause(): DropCause | null {
    return this.plan?.cause ?? null;
  }

  /**
   * The socket dropped (`lost`: resume with `token` within `withinMs`) or the
   * server restarts (`serverRestart`: a fresh join, for longer). A plan
   * already running is replaced.
   */
  start(cause: DropCause, withinMs: number, token: string | null): void {
    this.stopTimers();
    const now = this.clock.now();
    const plan = new ReconnectPlan(cause, now, withinMs, token, this.random);
    this.plan = plan;
    this.giveUpTimer = this.clock.setTimeout(() => this.giveUp(), plan.deadline - now);
    this.scheduleDial();
  }

  /** The current dial failed: it closed, or was refused. The next one follows the backoff. */
  failed(): void {
    // Once per dial: a socket may be reported both closed and timed out.
    if (this.plan === null || !this.dialPending) return;
    this.clearAttempt();
    this.dialPending = false;
    this.scheduleDial();
  }

  /** The new socket is open: what to send first. The answer is awaited for ANSWER_TIMEOUT_MS. */
  opened(): "resume" | "join" {
    const plan = this.plan;
    if (plan === null) return "join";
    this.awaitAnswer();
    return plan.firstMessage();
  }

  resumeToken(): string | null {
    return this.plan?.resumeToken() ?? null;
  }

  /** The server answered `resume` with `resumeFailed`. */
  resumeFailed(): AfterResumeFailed {
    const plan = this.plan;
    if (plan === null) return "giveUp";
    const next = plan.afterResumeFailed(this.clock.now());
    if (next === "joinAfresh") this.awaitAnswer();
    return next;
  }

  /** The network is back (`online`): dial at once instead of waiting out the backoff. */
  networkBack(): void {
    if (this.plan === null || this.dialPending) return;
    if (this.dialTimer !== undefined) this.clock.clearTimeout(this.dialTimer);
    this.dialTimer = undefined;
    this.dial();
  }

  /** We are back (or left): no more dials. */
  done(): void {
    this.stopTimers();
    this.plan = null;
    this.dialPending = false;
  }

  private scheduleDial(): void {
    const plan = this.plan;
    if (plan === null) return;
    const delay = plan.nextDial(this.clock.now());
    if (delay === null) {
      this.giveUp();
      return;
    }
    this.dialTimer = this.clock.setTimeout(() => {
      this.dialTimer = undefined;
      this.dial();
    }, delay);
  }

  private dial(): void {
    const plan = this.plan;
    if (plan === null) return;
    plan.dialing(this.clock.now());
    this.dialPending = true;
    this.clearAttempt();
    this.attemptTimer = this.clock.setTimeout(() => this.timedOut(), plan.openTimeout());
    this.hooks.dial();
  }

  private awaitAnswer(): void {
    this.clearAttempt();
    this.attemptTimer = this.clock.setTimeout(() => this.timedOut(), ANSWER_TIMEOUT_MS);
  }

  private timedOut(): void {
    this.attemptTimer = undefined;
    if (this.plan === null) return;
    this.hooks.abandon();
    this.failed();
  }

  private giveUp(): void {
    if (this.plan === null) return;
    this.hooks.abandon();
    this.done();
    this.hooks.giveUp();
  }

  private clearAttempt(): void {
    if (this.attemptTimer !== undefined) this.clock.clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  private stopTimers(): void {
    this.clearAttempt();
    if (this.dialTimer !== undefined) this.clock.clearTimeout(this.dialTimer);
    if (this.giveUpTimer !== undefined) this.clock.clearTimeout(this.giveUpTimer);
    this.dialTimer = undefined;
    this.giveUpTimer = undefined;
  }
}
