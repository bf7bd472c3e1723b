// A signaling session for the connection test: the same socket as a call,
// with "wait for this message" as a promise, which is all a scripted
// loopback needs.

import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from "../protocol/messages";
import { SignalingSocket } from "../protocol/signaling";

export class ProbeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

type Waiter = { type: ServerMessage["type"]; resolve: (m: ServerMessage) => void; reject: (e: Error) => void };

export class ProbeSocket {
  private readonly socket: SignalingSocket;
  private readonly inbox: ServerMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: ProbeError | null = null;
  private readonly opened: Promise<void>;
  /** Rejects when the session ends (socket closed, `bye`, `error`). */
  private readonly ended: Promise<never>;
  private end: (e: ProbeError) => void = () => {};

  constructor(url: string) {
    let open: () => void = () => {};
    this.opened = new Promise((resolve) => (open = resolve));
    this.ended = new Promise<never>((_, reject) => (this.end = reject));
    // Nobody may be waiting when it ends; that is no error of its own.
    this.ended.catch(() => {});
    this.socket = new SignalingSocket(url, {
      onOpen: () => open(),
      onMessage: (m) => this.deliver(m),
      onClose: (_code, wasOpen) => this.fail(new ProbeError(wasOpen ? "closed" : "unreachable")),
    });
  }

  /** Joins `room` and returns the `joined` message. */
  async join(room: string, timeoutMs: number): Promise<Extract<ServerMessage, { type: "joined" }>> {
    await withTimeout(Promise.race([this.opened, this.ended]), timeoutMs, "unreachable");
    this.send({ type: "join", version: PROTOCOL_VERSION, room, name: "Verbindungstest" } as ClientMessage);
    return (await this.next("joined", timeoutMs)) as Extract<ServerMessage, { type: "joined" }>;
  }

  send(message: ClientMessage): void {
    this.socket.send(message);
  }

  /** The next message of this type (one that came earlier counts). */
  next(type: ServerMessage["type"], timeoutMs: number): Promise<ServerMessage> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    if (this.failure !== null) return Promise.reject(this.failure);
    const waiting = new Promise<ServerMessage>((resolve, reject) => this.waiters.push({ type, resolve, reject }));
    return withTimeout(waiting, timeoutMs, "timeout");
  }

  close(): void {
    this.send({ type: "leave" });
    this.socket.close();
  }

  private deliver(m: ServerMessage): void {
    if (m.type === "bye") {
      this.fail(new ProbeError(`bye:${m.reason}`));
      return;
    }
    if (m.type === "error") {
      this.fail(new ProbeError(`error:${m.code}`));
      return;
    }
    const i = this.waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.inbox.push(m);
  }

  private fail(error: ProbeError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.end(error);
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, reason: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new ProbeError(reason)), ms);
    p.then(
      (v) => {
        window.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        window.clearTimeout(timer);
        reject(e);
      },
    );
  });
}
