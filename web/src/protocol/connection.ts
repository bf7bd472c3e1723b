// One session in one room: the signaling socket, the media session and the
// room state that follows from the server's messages. No UI code: the UI
// reads the signals below.
//
// A session survives the network: when the socket drops, a new one resumes
// it (`resume` with the latest token) and the media connection is kept, its
// ICE restarted; when the server restarts, a fresh `join` brings us back.

import { batch, signal, type ReadonlySignal } from "@preact/signals";

import {
  PROTOCOL_VERSION,
  type ByeReason,
  type ClientMessage,
  type ErrorCode,
  type JoinedMessage,
  type MediaKind,
  type ParticipantId,
  type ParticipantInfo,
  type ServerMessage,
  type TileSize,
} from "./messages";
import { MediaSession, type RemoteTrack } from "./mediaSession";
import type { WaitingReason } from "./moderationTypes";
import { DEFAULT_RESUME_WITHIN_MS, type DropCause } from "./reconnect";
import { Redialer } from "./redial";
import { RoomState, isModerationMessage, type Participant } from "./roomState";
import { SignalingSocket } from "./signaling";
import { RemoteSpeakingMonitor } from "./speaking";

/**
 * connecting: until `joined` (or `waiting`); waiting: outside the room, in
 * the lobby or until a teacher opens it; connected: in the room;
 * reconnecting: the socket dropped or the server restarts, and we are on
 * our way back (the room stays on screen); closed: for good.
 */
export type ConnectionStatus = "connecting" | "waiting" | "connected" | "reconnecting" | "closed";

/** The room asks for a password (again, when the last one was wrong). */
export type PasswordPrompt = "passwordRequired" | "wrongPassword";

/** Why a session ended (other than by our own `leave`). */
export type CloseReason =
  | { kind: "bye"; reason: ByeReason }
  | { kind: "socketClosed"; code: number; opened: boolean }
  | { kind: "joinRefused"; code: ErrorCode }
  | { kind: "left" };

export interface ServerError {
  code: ErrorCode;
  field: string | undefined;
  /** Increases with every error, so that the same code twice is still news. */
  seq: number;
}

export interface JoinRequest {
  url: string;
  room: string;
  name: string;
  /** Devices that are already on when joining. */
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** A moderator (or the server's refusal) switched one of our devices off. */
  forceOff(kind: "audio" | "video" | "screen"): void;
}

/** Without `bye` after `leave` within this time, the socket is closed anyway. */
const LEAVE_TIMEOUT_MS = 2_000;
/** While the media looks broken, the socket must answer a `ping` within this time. */
const PROBE_TIMEOUT_MS = 4_000;
/** …and is asked again this often while the media stays broken. */
const PROBE_INTERVAL_MS = 5_000;

/** `navigator.connection` where the browser has it (Chromium). */
interface NetworkInformation {
  addEventListener(type: "change", listener: () => void): void;
  removeEventListener(type: "change", listener: () => void): void;
}

export class ServerConnection {
  private readonly _status = signal<ConnectionStatus>("connecting");
  private readonly _selfId = signal<ParticipantId | null>(null);
  private readonly _room = signal<string>("");
  private readonly _participants = signal<ReadonlyMap<ParticipantId, Participant>>(new Map());
  private readonly _waiting = signal<WaitingReason | null>(null);
  private readonly _password = signal<PasswordPrompt | null>(null);
  private readonly _remoteTracks = signal<readonly RemoteTrack[]>([]);
  private readonly _speaking = signal<ReadonlySet<ParticipantId>>(new Set());
  private readonly _dominantSpeaker = signal<ParticipantId | null>(null);
  private readonly _mediaState = signal<RTCPeerConnectionState>("new");
  private readonly _error = signal<ServerError | null>(null);
  private readonly _closeReason = signal<CloseReason | null>(null);
  private readonly _joins = signal(0);
  private readonly _reconnectCause = signal<DropCause | null>(null);

  readonly status: ReadonlySignal<ConnectionStatus> = this._status;
  /** Our own participant id, once joined. */
  readonly selfId: ReadonlySignal<ParticipantId | null> = this._selfId;
  /** The room name as the server normalised it. */
  readonly room: ReadonlySignal<string> = this._room;
  /** The others, in the order they came. */
  readonly participants: ReadonlySignal<ReadonlyMap<ParticipantId, Participant>> = this._participants;
  /** Why we wait outside the room (status "waiting"). */
  readonly waiting: ReadonlySignal<WaitingReason | null> = this._waiting;
  /** Set while the room wants a password from us. */
  readonly passwordPrompt: ReadonlySignal<PasswordPrompt | null> = this._password;
  /** Roles, permissions, lobby, hands, chat: the moderated room. */
  readonly moderation: RoomState;
  readonly remoteTracks: ReadonlySignal<readonly RemoteTrack[]> = this._remoteTracks;
  /** The others who are speaking now. */
  readonly speaking: ReadonlySignal<ReadonlySet<ParticipantId>> = this._speaking;
  /** The room's dominant speaker as the server detects it (may be us). */
  readonly dominantSpeaker: ReadonlySignal<ParticipantId | null> = this._dominantSpeaker;
  /** State of the media connection to the SFU. */
  readonly mediaState: ReadonlySignal<RTCPeerConnectionState> = this._mediaState;
  /** The last `error` the server sent. */
  readonly error: ReadonlySignal<ServerError | null> = this._error;
  readonly closeReason: ReadonlySignal<CloseReason | null> = this._closeReason;
  /** Counts `joined` (first, resumed or afresh): what was sent once is sent again after it. */
  readonly joins: ReadonlySignal<number> = this._joins;
  /** While reconnecting: whether the socket was lost or the server restarts. */
  readonly reconnectCause: ReadonlySignal<DropCause | null> = this._reconnectCause;

  private socket: SignalingSocket;
  private readonly request: JoinRequest;
  private readonly redial: Redialer;
  /** The answer we wait for on the current socket: to our `join` or our `resume`. */
  private pending: "join" | "resume" | null = "join";
  /** The latest `resumeToken` (single use), and the server's grace for it. */
  private resumeToken: string | null = null;
  private resumeWithinMs = DEFAULT_RESUME_WITHIN_MS;
  /** The password the room accepted (or we last typed), for a fresh `join` after a restart. */
  private password: string | undefined;
  private probeTimer: number | undefined;
  /** When the current reconnection began (for the console). */
  private droppedAt = 0;
  private readonly onNetworkChange = () => this.networkChanged();
  private screenTrack: MediaStreamTrack | null = null;
  private session: MediaSession | null = null;
  private speakingMonitor: RemoteSpeakingMonitor | null = null;
  private localAudio: MediaStreamTrack | null;
  private localVideo: MediaStreamTrack | null;
  private muteSent: { audio: boolean; video: boolean } | null = null;
  private errorSeq = 0;
  private leaveTimer: number | undefined;

  constructor(request: JoinRequest) {
    this.request = request;
    this.localAudio = request.audio;
    this.localVideo = request.video;
    this.moderation = new RoomState((message) => this.sendInRoom(message), { forceOff: (kind) => request.forceOff(kind) });
    this.redial = new Redialer({
      dial: () => {
        this.socket.close();
        this.socket = this.dial();
      },
      abandon: () => this.socket.close(),
      giveUp: () => {
        console.info(`tafelrunde: not back within ${Date.now() - this.droppedAt} ms; giving up`);
        this.finish({ kind: "bye", reason: "connectionLost" });
      },
    });
    this.socket = this.dial();
    window.addEventListener("online", this.onNetworkChange);
    networkInformation()?.addEventListener("change", this.onNetworkChange);
  }

  /** Switches a device on (a track) or off (null) and tells the others. */
  setLocalTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    if (kind === "audio") this.localAudio = track;
    else this.localVideo = track;
    if (this.session !== null) {
      this.session.setLocalTrack(kind, track).catch((error: unknown) => {
        console.error("tafelrunde: replaceTrack failed", error);
      });
    }
    this.sendMute();
  }

  /** Another `join`, with the password the user typed. */
  submitPassword(password: string): void {
    if (this._status.value === "closed" || this._password.value === null) return;
    this._password.value = null;
    this.password = password;
    this.sendJoin();
  }

  /** Starts (a track) or ends (null) our screen share. */
  setScreenTrack(track: MediaStreamTrack | null): void {
    this.screenTrack = track;
    this.session?.setScreenTrack(track);
  }

  /** Leaves the room: `leave`, then the server's `bye` closes the socket. */
  leave(): void {
    if (this._status.value === "closed") return;
    this.stopRedial();
    const sent = this.send({ type: "leave" });
    this.finish({ kind: "left" });
    if (sent) {
      this.leaveTimer = window.setTimeout(() => this.socket.close(), LEAVE_TIMEOUT_MS);
    } else {
      this.socket.close();
    }
  }

  /**
   * Reports which subscribed videos are visible and how large (`layout`).
   * Returns false when it could not be sent (not in the room).
   */
  sendLayout(tiles: TileSize[]): boolean {
    if (this._status.value !== "connected") return false;
    return this.sendInRoom({ type: "layout", tiles });
  }

  /** Statistics of the media connection, or null without one. */
  getStats(): Promise<RTCStatsReport | null> {
    return this.session?.getStats() ?? Promise.resolve(null);
  }

  dismissError(): void {
    this._error.value = null;
  }

  private send(message: ClientMessage): boolean {
    return this.socket.send(message);
  }

  /**
   * What belongs to the session is sent only while we are in the room: on a
   * new socket before the answer to `resume` or `join`, the server would
   * take it for a client that skipped the join.
   */
  private sendInRoom(message: ClientMessage): boolean {
    return this._status.value === "connected" && this.send(message);
  }

  /** A new signaling socket; events of a socket that was replaced are ignored. */
  private dial(): SignalingSocket {
    const socket: SignalingSocket = new SignalingSocket(this.request.url, {
      onOpen: () => {
        if (socket === this.socket) this.opened();
      },
      onMessage: (message) => {
        if (socket === this.socket) this.handle(message);
      },
      onClose: (code, opened) => {
        if (socket === this.socket) this.socketClosed(code, opened);
      },
    });
    return socket;
  }

  private opened(): void {
    if (!this.redial.active) {
      this.sendJoin();
      return;
    }
    const token = this.redial.resumeToken();
    if (this.redial.opened() === "resume" && token !== null) {
      this.pending = "resume";
      // Single use: a second drop needs the token of the next `joined`.
      this.resumeToken = null;
      this.send({ type: "resume", version: PROTOCOL_VERSION, token });
    } else {
      this.sendJoin();
    }
  }

  private socketClosed(code: number, opened: boolean): void {
    if (this._status.value === "closed") return;
    if (this.redial.active) {
      this.redial.failed();
    } else if (this._status.value === "connected" && this.resumeToken !== null) {
      // Dropped in the room: come back into the same session.
      this.startReconnect("lost");
    } else {
      this.finish({ kind: "socketClosed", code, opened });
    }
  }

  private startReconnect(cause: DropCause): void {
    this.stopProbing();
    this.pending = null;
    this.socket.close();
    this.droppedAt = Date.now();
    console.info(`tafelrunde: ${cause === "lost" ? "signaling lost" : "the server restarts"}; reconnecting`);
    batch(() => {
      this._status.value = "reconnecting";
      this._reconnectCause.value = cause;
    });
    this.redial.start(cause, this.resumeWithinMs, cause === "lost" ? this.resumeToken : null);
  }

  /** `online`, or another network (Wi-Fi to mobile): find the path again. */
  private networkChanged(): void {
    if (this._status.value === "connected") {
      this.session?.restartIce();
      this.socket.probe(PROBE_TIMEOUT_MS);
    } else if (this._status.value === "reconnecting") {
      this.redial.networkBack();
    }
  }

  /**
   * While the media looks broken the socket may be dead too without
   * knowing it (a TCP connection notices a vanished network only after
   * minutes): it has to answer a `ping` in time, or it counts as dropped.
   */
  private watchMedia(state: RTCPeerConnectionState): void {
    const broken = state === "disconnected" || state === "failed";
    if (!broken) {
      this.stopProbing();
      return;
    }
    if (this.probeTimer !== undefined) return;
    const probe = () => {
      if (this._status.value === "connected") this.socket.probe(PROBE_TIMEOUT_MS);
    };
    probe();
    this.probeTimer = window.setInterval(probe, PROBE_INTERVAL_MS);
  }

  private stopProbing(): void {
    if (this.probeTimer !== undefined) window.clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private sendJoin(): void {
    this.pending = "join";
    const join = { type: "join" as const, version: PROTOCOL_VERSION, room: this.request.room, name: this.request.name };
    this.send(this.password === undefined ? join : { ...join, password: this.password });
  }

  private sendMute(): void {
    if (this._status.value !== "connected") return;
    const mute = { audio: this.localAudio === null, video: this.localVideo === null };
    if (this.muteSent !== null && this.muteSent.audio === mute.audio && this.muteSent.video === mute.video) return;
    if (this.sendInRoom({ type: "mute", ...mute })) this.muteSent = mute;
  }

  private handle(message: ServerMessage): void {
    if (this._status.value === "closed") {
      // After our `leave` only the `bye` matters: it lets us close at once.
      if (message.type === "bye") this.closeSocket();
      return;
    }
    if (isModerationMessage(message)) {
      this.moderation.handle(message);
      return;
    }
    switch (message.type) {
      case "waiting":
        // Back after a restart, but in the lobby again: the old media connection is of no use.
        this.stopRedial();
        this.pending = null;
        this.endMedia();
        batch(() => {
          this._participants.value = new Map();
          this._waiting.value = message.reason;
          this._status.value = "waiting";
        });
        break;
      case "joined":
        if (this.redial.active) {
          console.info(`tafelrunde: back after ${Date.now() - this.droppedAt} ms (${message.resumed === true ? "resumed" : "joined afresh"})`);
        }
        this.stopRedial();
        this.pending = null;
        this.resumeToken = message.resumeToken ?? null;
        this.resumeWithinMs = message.resumeWithinMs ?? DEFAULT_RESUME_WITHIN_MS;
        if (message.resumed === true && this.session !== null) this.onResumed(message);
        else this.onJoinedAfresh(message);
        this._joins.value += 1;
        break;
      case "participantJoined":
      case "participantUpdated":
        this.putParticipant(message.participant);
        break;
      case "participantLeft":
        this.session?.unsubscribeParticipant(message.participantId);
        this.removeParticipant(message.participantId);
        break;
      case "trackAdded":
        if (message.track.participantId !== this._selfId.value) this.session?.subscribe(message.track);
        break;
      case "trackRemoved":
        this.session?.unsubscribe(message.trackId);
        break;
      case "answer":
        void this.session?.handleAnswer(message.sdp);
        break;
      case "pong":
        break;
      case "dominantSpeaker":
        this._dominantSpeaker.value = message.participantId;
        break;
      case "publishLayers":
        this.session?.setPublishLayers(message.mid, message.active);
        break;
      case "error":
        this.onError(message.code, message.field);
        break;
      case "bye":
        if (message.reason === "serverShutdown") {
          // The server restarts: it will be back, and so will we.
          this.startReconnect("serverRestart");
          break;
        }
        this.finish({ kind: "bye", reason: message.reason });
        this.closeSocket();
        break;
    }
  }

  private onJoinedAfresh(message: JoinedMessage): void {
    // After a server restart the old media connection ends with the old session.
    this.endMedia();
    this.onJoined(message.participantId, message.room, message.participants);
    this.moderation.onJoined(message.you, message.settings, message.chat, message.hands);
    this.session = new MediaSession(message.iceServers, this.localAudio, this.localVideo, {
      sendOffer: (offer) => this.sendInRoom(offer),
      onRemoteTracksChanged: () => this.refreshRemoteTracks(),
      onConnectionState: (state) => {
        this._mediaState.value = state;
        this.watchMedia(state);
      },
      onNegotiationError: (error) => console.error("tafelrunde: negotiation failed", error),
    });
    this.speakingMonitor = new RemoteSpeakingMonitor(
      () => this.audioSources(),
      (speaking) => (this._speaking.value = speaking),
    );
    this.session.start(message.tracks.filter((t) => t.participantId !== message.participantId));
    if (this.screenTrack !== null) this.session.setScreenTrack(this.screenTrack);
    this.muteSent = null;
    this.sendMute();
  }

  /**
   * The same session on a new socket: the media connection, our tracks and
   * the screen share stay; the snapshot replaces what we knew; ICE restarts.
   */
  private onResumed(message: JoinedMessage): void {
    this.onJoined(message.participantId, message.room, message.participants);
    this.moderation.onJoined(message.you, message.settings, message.chat, message.hands);
    // The server may have missed the last `mute`: say it again.
    this.muteSent = null;
    this.sendMute();
    void this.session?.resync(message.tracks.filter((t) => t.participantId !== message.participantId));
  }

  private onJoined(selfId: ParticipantId, room: string, others: ParticipantInfo[]): void {
    batch(() => {
      this._selfId.value = selfId;
      this._room.value = room;
      this._participants.value = new Map(others.filter((p) => p.id !== selfId).map((p) => [p.id, p]));
      this._waiting.value = null;
      this._password.value = null;
      this._status.value = "connected";
    });
  }

  private onError(code: ErrorCode, field: string | undefined): void {
    if (this.pending === "resume" && code === "resumeFailed") {
      // The server no longer knows our session (restarted, or the grace is over there).
      const next = this.redial.resumeFailed();
      console.info(`tafelrunde: resume refused after ${Date.now() - this.droppedAt} ms; ${next === "joinAfresh" ? "joining afresh" : "giving up"}`);
      if (next === "joinAfresh") this.sendJoin();
      else this.giveUp();
      return;
    }
    if (this.redial.active && (code === "shuttingDown" || code === "rateLimited" || code === "internalError")) {
      // Not a no to us, only "not now" (the old server still going down, say): dial again.
      this.socket.close();
      this.redial.failed();
      return;
    }
    this.errorSeq += 1;
    this._error.value = { code, field, seq: this.errorSeq };
    // Before we are in the room, the only thing sent is `join` (or `resume`): this refuses it.
    if (this.pending !== null || this._status.value === "connecting" || this._status.value === "waiting") {
      this.stopRedial();
      // The room wants a password: the socket stays open for another `join`.
      if (code === "passwordRequired" || code === "wrongPassword") {
        this.pending = null;
        this.endMedia();
        this._password.value = code;
        this._error.value = null;
        return;
      }
      // Our `join` (or `resume`) was refused.
      this.finish({ kind: "joinRefused", code });
      this.closeSocket();
      return;
    }
    if (code === "notAllowed" && (field === "audio" || field === "video" || field === "publish")) {
      // Our own device the room does not let us switch on: the notice
      // explains it in the room's terms instead of the generic error.
      this._error.value = null;
      this.moderation.refused(field);
    }
    if (code === "badSdp" || (field !== undefined && /^(sdp|publish|subscribe)\b/.test(field))) {
      void this.session?.handleOfferRefused();
    }
  }

  private putParticipant(participant: Participant): void {
    if (participant.id === this._selfId.value) {
      this.moderation.updateYou(participant);
      return;
    }
    const next = new Map(this._participants.value);
    next.set(participant.id, participant);
    this._participants.value = next;
  }

  private removeParticipant(id: ParticipantId): void {
    if (!this._participants.value.has(id)) return;
    const next = new Map(this._participants.value);
    next.delete(id);
    this._participants.value = next;
  }

  private refreshRemoteTracks(): void {
    this._remoteTracks.value = this.session?.remoteTracks() ?? [];
  }

  private audioSources() {
    return this._remoteTracks.value
      .filter((t) => t.kind === "audio")
      .map((t) => ({ participantId: t.participantId, receiver: t.receiver }));
  }

  private stopRedial(): void {
    this.redial.done();
    this._reconnectCause.value = null;
  }

  private giveUp(): void {
    this.stopRedial();
    this.socket.close();
    this.finish({ kind: "bye", reason: "connectionLost" });
  }

  /** The media connection ends (the session ended, or a new one replaces it). */
  private endMedia(): void {
    this.stopProbing();
    this.speakingMonitor?.stop();
    this.speakingMonitor = null;
    this.session?.close();
    this.session = null;
    batch(() => {
      this._remoteTracks.value = [];
      this._speaking.value = new Set();
      this._dominantSpeaker.value = null;
      if (this._mediaState.value !== "new") this._mediaState.value = "closed";
    });
  }

  /** Ends the session on our side: media off, state closed, reason kept. */
  private finish(reason: CloseReason): void {
    if (this._status.value === "closed") return;
    this.stopRedial();
    window.removeEventListener("online", this.onNetworkChange);
    networkInformation()?.removeEventListener("change", this.onNetworkChange);
    this.moderation.dispose();
    this.endMedia();
    batch(() => {
      this._closeReason.value = reason;
      this._status.value = "closed";
      this._participants.value = new Map();
    });
  }

  private closeSocket(): void {
    if (this.leaveTimer !== undefined) window.clearTimeout(this.leaveTimer);
    this.leaveTimer = undefined;
    this.socket.close();
  }
}

function networkInformation(): NetworkInformation | null {
  const connection = (navigator as Navigator & { connection?: NetworkInformation }).connection;
  return connection !== undefined && typeof connection.addEventListener === "function" ? connection : null;
}
