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
import { SignalingSocket } from "./signaling";
import { RemoteSpeakingMonitor } from "./speaking";

/** connecting: until `joined`; connected: in the room; closed: for good. */
export type ConnectionStatus = "connecting" | "connected" | "closed";

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
}

/** Without `bye` after `leave` within this time, the socket is closed anyway. */
const LEAVE_TIMEOUT_MS = 2_000;

export class ServerConnection {
  private readonly _status = signal<ConnectionStatus>("connecting");
  private readonly _selfId = signal<ParticipantId | null>(null);
  private readonly _room = signal<string>("");
  private readonly _participants = signal<ReadonlyMap<ParticipantId, ParticipantInfo>>(new Map());
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
  readonly participants: ReadonlySignal<ReadonlyMap<ParticipantId, ParticipantInfo>> = this._participants;
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
  private session: MediaSession | null = null;
  private speakingMonitor: RemoteSpeakingMonitor | null = null;
  private localAudio: MediaStreamTrack | null;
  private localVideo: MediaStreamTrack | null;
  private muteSent: { audio: boolean; video: boolean } | null = null;
  private errorSeq = 0;
  private leaveTimer: number | undefined;

  constructor(request: JoinRequest) {
    this.localAudio = request.audio;
    this.localVideo = request.video;
    this.socket = new SignalingSocket(request.url, {
      onOpen: () => this.send({ type: "join", version: PROTOCOL_VERSION, room: request.room, name: request.name }),
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
    switch (message.type) {
      case "joined":
        this.onJoined(message.participantId, message.room, message.participants);
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
        this.sendMute();
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
      this._status.value = "connected";
    });
  }

  private onError(code: ErrorCode, field: string | undefined): void {
    this.errorSeq += 1;
    this._error.value = { code, field, seq: this.errorSeq };
    if (this._selfId.value === null) {
      // The only thing sent before `joined` is `join`: it was refused.
      this.finish({ kind: "joinRefused", code });
      this.closeSocket();
      return;
    }
    if (code === "badSdp" || (field !== undefined && /^(sdp|publish|subscribe)\b/.test(field))) {
      void this.session?.handleOfferRefused();
    }
  }

  private putParticipant(participant: ParticipantInfo): void {
    if (participant.id === this._selfId.value) return;
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
