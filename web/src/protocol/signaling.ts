// The WebSocket to /ws: typed send, parsed receive, keep-alive pings.

import { type ClientMessage, type ServerMessage, parseServerMessage } from "./messages";

/** How often a `ping` keeps the socket (and proxies on the way) alive. */
const PING_INTERVAL_MS = 20_000;

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

  /** Closes the socket; `onClose` is not called for a close we asked for. */
  close(): void {
    this.closed = true;
    this.stopPing();
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000);
    }
  }

  private finish(code: number): void {
    this.stopPing();
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(code, this.opened);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) window.clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}
