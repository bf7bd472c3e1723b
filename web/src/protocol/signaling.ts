// The WebSocket to /ws: typed send, parsed receive, keep-alive pings, and
// a probe that finds a socket that is open but no longer carries anything.

import { type ClientMessage, type ServerMessage, parseServerMessage } from "./messages";

/** How often a `ping` keeps the socket (and proxies on the way) alive. */
const PING_INTERVAL_MS = 20_000;
/**
 * The close code reported when a probe got no answer: the socket may look
 * open, but nothing came back (the browser's TCP connection would take
 * minutes to notice a network that went away).
 */
export const NO_ANSWER_CODE = 4_408;

export interface SignalingHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /**
   * The socket closed; `code` is the WebSocket close code, `opened` whether
   * it was ever open (false: the server could not be reached).
   */
  onClose(code: number, opened: boolean): void;
}

/** The signaling URL on the page's own origin: ws://host/ws or wss://host/ws. */
export function signalingUrl(location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

export class SignalingSocket {
  private readonly socket: WebSocket;
  private pingTimer: number | undefined;
  private probeTimer: number | undefined;
  private closed = false;
  private opened = false;

  constructor(url: string, private readonly handlers: SignalingHandlers) {
    this.socket = new WebSocket(url);
    this.socket.addEventListener("open", () => {
      this.opened = true;
      this.pingTimer = window.setInterval(() => this.send({ type: "ping" }), PING_INTERVAL_MS);
      this.handlers.onOpen();
    });
    this.socket.addEventListener("message", (event: MessageEvent) => {
      // Anything at all from the server answers a probe.
      this.stopProbe();
      if (typeof event.data !== "string") return;
      const message = parseServerMessage(event.data);
      if (message === null) {
        console.warn("tafelrunde: ignoring unreadable signaling frame");
        return;
      }
      this.handlers.onMessage(message);
    });
    this.socket.addEventListener("close", (event: CloseEvent) => this.finish(event.code));
    // An error is always followed by `close`, which reports it.
  }

  /** Sends a message if the socket is open; returns whether it was sent. */
  send(message: ClientMessage): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Whether the socket is open (messages can be sent). */
  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a `ping`; when nothing at all arrives within `timeoutMs`, the
   * socket counts as dead: it is closed and `onClose` reports NO_ANSWER_CODE.
   * A probe already running is not restarted.
   */
  probe(timeoutMs: number): void {
    if (this.closed || this.probeTimer !== undefined) return;
    if (!this.send({ type: "ping" })) return;
    this.probeTimer = window.setTimeout(() => {
      this.probeTimer = undefined;
      this.abandon();
    }, timeoutMs);
  }

  /** Closes the socket; `onClose` is not called for a close we asked for. */
  close(): void {
    this.closed = true;
    this.stopPing();
    this.stopProbe();
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000);
    }
  }

  /** Gives up a socket that does not answer: closed here, reported as closed at once. */
  private abandon(): void {
    if (this.closed) return;
    try {
      this.socket.close(4_000);
    } catch {
      // Closing a socket that is not open yet may throw in some browsers; it is dropped all the same.
    }
    this.finish(NO_ANSWER_CODE);
  }

  private finish(code: number): void {
    this.stopPing();
    this.stopProbe();
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(code, this.opened);
  }

  private stopProbe(): void {
    if (this.probeTimer !== undefined) window.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) window.clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}
