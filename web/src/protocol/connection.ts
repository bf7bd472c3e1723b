// One session in one room: the signaling socket, the media session and the
// room state that follows from the server's messages. No UI code: the UI
// reads the signals below.

import { batch, signal, type ReadonlySignal } from "@preact/signals";

import {
  PROTOCOL_VERSION,
  type ByeReason,
  type ClientMessage,
  type ErrorCode,
  type MediaKind,
  type ParticipantId,
  type ParticipantInfo,
  type ServerMessage,
  type TileSize,
} from "./messages";
import { MediaSession, type RemoteTrack } from "./mediaSession";
import type { WaitingReason } from "./moderationTypes";
import { RoomState, isModerationMessage, type Participant } from "./roomState";
import { SignalingSocket } from "./signaling";
import { RemoteSpeakingMonitor } from "./speaking";

/**
 * connecting: until `joined` (or `waiting`); waiting: outside the room, in
 * the lobby or until a teacher opens it; connected: in the room; closed: for good.
 */
export type ConnectionStatus = "connecting" | "waiting" | "connected" | "closed";

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

  private readonly socket: SignalingSocket;
  private readonly request: JoinRequest;
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
    this.moderation = new RoomState((message) => this.socket.send(message), { forceOff: (kind) => request.forceOff(kind) });
    this.socket = new SignalingSocket(request.url, {
      onOpen: () => this.sendJoin(undefined),
      onMessage: (message) => this.handle(message),
      onClose: (code, opened) => this.finish({ kind: "socketClosed", code, opened }),
    });
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
    if (this._status.value === "closed" || this._selfId.value !== null) return;
    this._password.value = null;
    this.sendJoin(password);
  }

  /** Starts (a track) or ends (null) our screen share. */
  setScreenTrack(track: MediaStreamTrack | null): void {
    this.screenTrack = track;
    this.session?.setScreenTrack(track);
  }

  /** Leaves the room: `leave`, then the server's `bye` closes the socket. */
  leave(): void {
    if (this._status.value === "closed") return;
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
    return this.send({ type: "layout", tiles });
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

  private sendJoin(password: string | undefined): void {
    const join = { type: "join" as const, version: PROTOCOL_VERSION, room: this.request.room, name: this.request.name };
    this.send(password === undefined ? join : { ...join, password });
  }

  private sendMute(): void {
    if (this._status.value !== "connected") return;
    const mute = { audio: this.localAudio === null, video: this.localVideo === null };
    if (this.muteSent !== null && this.muteSent.audio === mute.audio && this.muteSent.video === mute.video) return;
    if (this.send({ type: "mute", ...mute })) this.muteSent = mute;
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
        batch(() => {
          this._waiting.value = message.reason;
          this._status.value = "waiting";
        });
        break;
      case "joined": {
        this.onJoined(message.participantId, message.room, message.participants);
        this.moderation.onJoined(message.you, message.settings, message.chat, message.hands);
        this.session = new MediaSession(message.iceServers, this.localAudio, this.localVideo, {
          sendOffer: (offer) => this.send(offer),
          onRemoteTracksChanged: () => this.refreshRemoteTracks(),
          onConnectionState: (state) => (this._mediaState.value = state),
          onNegotiationError: (error) => console.error("tafelrunde: negotiation failed", error),
        });
        this.speakingMonitor = new RemoteSpeakingMonitor(
          () => this.audioSources(),
          (speaking) => (this._speaking.value = speaking),
        );
        this.session.start(message.tracks.filter((t) => t.participantId !== message.participantId));
        if (this.screenTrack !== null) this.session.setScreenTrack(this.screenTrack);
        this.sendMute();
        break;
      }
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
        this.finish({ kind: "bye", reason: message.reason });
        this.closeSocket();
        break;
    }
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
    this.errorSeq += 1;
    this._error.value = { code, field, seq: this.errorSeq };
    if (this._selfId.value === null) {
      // The room wants a password: the socket stays open for another `join`.
      if (code === "passwordRequired" || code === "wrongPassword") {
        this._password.value = code;
        this._error.value = null;
        return;
      }
      // The only thing sent before `joined` is `join`: it was refused.
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

  /** Ends the session on our side: media off, state closed, reason kept. */
  private finish(reason: CloseReason): void {
    if (this._status.value === "closed") return;
    this.speakingMonitor?.stop();
    this.speakingMonitor = null;
    this.moderation.dispose();
    this.session?.close();
    this.session = null;
    batch(() => {
      this._closeReason.value = reason;
      this._status.value = "closed";
      this._remoteTracks.value = [];
      this._speaking.value = new Set();
      this._dominantSpeaker.value = null;
      this._participants.value = new Map();
      if (this._mediaState.value !== "new") this._mediaState.value = "closed";
    });
  }

  private closeSocket(): void {
    if (this.leaveTimer !== undefined) window.clearTimeout(this.leaveTimer);
    this.leaveTimer = undefined;
    this.socket.close();
  }
}
