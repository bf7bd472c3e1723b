// The one RTCPeerConnection between this browser and the SFU, and the
// offer/answer rules of docs/protocol.md: the client is always the offerer,
// one offer is in flight at a time, and changes that arrive meanwhile are
// folded into the next offer. Every offer carries the full publish and
// subscribe lists. The camera is sent in three simulcast layers.
// When the path breaks, ICE is restarted through the same offers; the
// connection itself (DTLS, transceivers, our tracks) is kept.

import type {
  IceServer,
  LayerSpec,
  MediaKind,
  OfferMessage,
  ParticipantId,
  PublishedTrack,
  Subscription,
  TrackId,
  TrackInfo,
  TrackSource,
} from "./messages";

/** A subscribed remote track and where it arrives. */
export interface RemoteTrack {
  trackId: TrackId;
  participantId: ParticipantId;
  kind: MediaKind;
  source: TrackSource;
  /** The receiver's track; media flows once the subscribing offer is answered. */
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

export interface MediaSessionHandlers {
  /** Returns false when it could not be sent (the signaling socket is down). */
  sendOffer(offer: OfferMessage): boolean;
  /** The set of remote tracks, or one of their states, changed. */
  onRemoteTracksChanged(): void;
  onConnectionState(state: RTCPeerConnectionState): void;
  /** Creating or applying a description failed locally. */
  onNegotiationError(error: unknown): void;
}

interface ReceiveSlot {
  info: TrackInfo;
  transceiver: RTCRtpTransceiver;
}

/** A refused offer is retried this many times before waiting for a new change. */
const MAX_REFUSED_RETRIES = 1;
const RETRY_DELAY_MS = 1_000;
/** A connection that stays "disconnected" this long gets an ICE restart. */
export const DISCONNECTED_RESTART_MS = 2_000;

/**
 * The camera's simulcast layers, lowest first (the order of `layers` in the
 * offer): about 180p at 150 kbit/s, 360p at 500 kbit/s, 720p at 1.5 Mbit/s
 * from a 720p camera.
 */
export const CAMERA_ENCODINGS: readonly RTCRtpEncodingParameters[] = [
  { rid: "q", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: "h", scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: "f", scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];
/** Assumed camera height until a camera track says otherwise. */
const ASSUMED_CAMERA_HEIGHT = 720;

/** The layers a camera of this height is sent in. */
export function cameraLayers(cameraHeight: number): LayerSpec[] {
  return CAMERA_ENCODINGS.map((e) => ({
    rid: e.rid ?? "",
    height: Math.max(1, Math.round(cameraHeight / (e.scaleResolutionDownBy ?? 1))),
  }));
}

export function toRtcIceServers(servers: readonly IceServer[]): RTCIceServer[] {
  // Only what the server hands out: never a public STUN server of a third party.
  return servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

export class MediaSession {
  private readonly pc: RTCPeerConnection;
  private readonly audioSender: RTCRtpTransceiver;
  private readonly videoSender: RTCRtpTransceiver;
  /** The screen share's sender, made on the first share and kept for the next. */
  private screenSender: RTCRtpTransceiver | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  /** Current subscriptions by track id. */
  private readonly slots = new Map<TrackId, ReceiveSlot>();
  /** Receiving transceivers whose track was removed, free for the next track of their kind. */
  private readonly spare: RTCRtpTransceiver[] = [];
  private offerInFlight = false;
  private changesPending = false;
  private refusedInARow = 0;
  private retryTimer: number | undefined;
  /** The next offer restarts ICE (new credentials, new candidates). */
  private iceRestartPending = false;
  private disconnectedTimer: number | undefined;
  /** Raised by resync(): an offer being made before it is dropped, not sent. */
  private generation = 0;
  private closed = false;
  /**
   * The announced layer heights. The SFU takes them only to fit layers to
   * tiles, so they stay what the first camera gave, even if a later camera
   * differs.
   */
  private cameraLayers: LayerSpec[] = cameraLayers(ASSUMED_CAMERA_HEIGHT);
  private cameraMeasured = false;
  /** setParameters() calls run one after another (each needs fresh parameters). */
  private parameterChain: Promise<void> = Promise.resolve();

  constructor(
    iceServers: readonly IceServer[],
    localAudio: MediaStreamTrack | null,
    localVideo: MediaStreamTrack | null,
    private readonly handlers: MediaSessionHandlers,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: toRtcIceServers(iceServers), bundlePolicy: "max-bundle" });
    this.pc.addEventListener("connectionstatechange", () => this.onConnectionState());
    this.pc.addEventListener("track", () => this.handlers.onRemoteTracksChanged());
    // Camera and microphone may be off: then the transceivers carry no track
    // until replaceTrack() gives them one.
    this.audioSender = this.pc.addTransceiver(localAudio ?? "audio", { direction: "sendonly" });
    this.videoSender = this.pc.addTransceiver(localVideo ?? "video", {
      direction: "sendonly",
      sendEncodings: CAMERA_ENCODINGS.map((e) => ({ ...e })),
    });
    if (localVideo !== null) this.measureCamera(localVideo);
  }

  /** Subscribes to the given tracks and sends the first offer. */
  start(tracks: readonly TrackInfo[]): void {
    for (const track of tracks) this.addSlot(track);
    this.handlers.onRemoteTracksChanged();
    void this.negotiate();
  }

  subscribe(track: TrackInfo): void {
    if (this.closed || this.slots.has(track.id)) return;
    this.addSlot(track);
    this.handlers.onRemoteTracksChanged();
    void this.negotiate();
  }

  unsubscribe(trackId: TrackId): void {
    const slot = this.slots.get(trackId);
    if (this.closed || slot === undefined) return;
    this.slots.delete(trackId);
    slot.transceiver.direction = "inactive";
    this.spare.push(slot.transceiver);
    this.handlers.onRemoteTracksChanged();
    void this.negotiate();
  }

  /** Removes every subscription of one participant (they left). */
  unsubscribeParticipant(participantId: ParticipantId): void {
    for (const slot of [...this.slots.values()]) {
      if (slot.info.participantId === participantId) this.unsubscribe(slot.info.id);
    }
  }

  /** Switches a device on (a track) or off (null); no renegotiation. */
  async setLocalTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    const sender = (kind === "audio" ? this.audioSender : this.videoSender).sender;
    if (sender.track === track) return;
    if (kind === "video" && track !== null) this.measureCamera(track);
    await sender.replaceTrack(track);
  }

  /**
   * Starts (a track) or ends (null) the screen share: a third sender whose
   * track is published with `source: "screen"`; ending it leaves it out of
   * the next offer's publish list, which unpublishes it.
   */
  setScreenTrack(track: MediaStreamTrack | null): void {
    if (this.closed || this.screenTrack === track) return;
    this.screenTrack = track;
    if (track !== null) {
      if (this.screenSender === null) {
        this.screenSender = this.pc.addTransceiver(track, { direction: "sendonly" });
      } else {
        this.screenSender.direction = "sendonly";
        void this.screenSender.sender.replaceTrack(track).catch((error: unknown) => this.handlers.onNegotiationError(error));
      }
      // Text and slides: sharpness matters more than motion.
      track.contentHint = "detail";
    } else if (this.screenSender !== null) {
      void this.screenSender.sender.replaceTrack(null).catch(() => undefined);
      this.screenSender.direction = "inactive";
    }
    void this.negotiate();
  }

  /**
   * The server's `publishLayers`: encode only the camera layers whose RID is
   * in `active`; the others are paused until they are needed again.
   */
  setPublishLayers(mid: string, active: readonly string[]): void {
    if (this.closed || mid !== this.videoSender.mid) return;
    const sender = this.videoSender.sender;
    const apply = async (): Promise<void> => {
      if (this.closed) return;
      const params = sender.getParameters();
      let changed = false;
      for (const encoding of params.encodings) {
        const on = encoding.rid !== undefined && active.includes(encoding.rid);
        if (encoding.active !== on) {
          encoding.active = on;
          changed = true;
        }
      }
      if (changed) await sender.setParameters(params);
    };
    this.parameterChain = this.parameterChain.then(apply).catch((error: unknown) => {
      console.warn("tafelrunde: could not change the simulcast layers", error);
    });
  }

  /**
   * Restarts ICE with the next offer: the path to the SFU is found anew
   * (new network, NAT gone, server back), while DTLS and every transceiver
   * stay. Without signaling the restart waits for resync().
   */
  restartIce(): void {
    if (this.closed) return;
    console.info(`tafelrunde: restarting ICE (connection ${this.pc.connectionState})`);
    this.iceRestartPending = true;
    void this.negotiate();
  }

  /**
   * After the signaling session was resumed on a new socket: the
   * subscriptions become the server's snapshot (`tracks`), an offer lost
   * with the old socket is rolled back, and one offer with an ICE restart
   * carries everything.
   */
  async resync(tracks: readonly TrackInfo[]): Promise<void> {
    if (this.closed) return;
    const listed = new Set(tracks.map((t) => t.id));
    let changed = false;
    for (const slot of [...this.slots.values()]) {
      if (listed.has(slot.info.id)) continue;
      this.slots.delete(slot.info.id);
      slot.transceiver.direction = "inactive";
      this.spare.push(slot.transceiver);
      changed = true;
    }
    for (const track of tracks) {
      if (this.slots.has(track.id)) continue;
      this.addSlot(track);
      changed = true;
    }
    if (changed) this.handlers.onRemoteTracksChanged();
    this.generation += 1;
    if (this.offerInFlight) {
      // Its answer went with the old socket (or never came): start over.
      await this.rollback();
      this.offerInFlight = false;
      if (this.closed) return;
    }
    this.refusedInARow = 0;
    this.restartIce();
  }

  /** Statistics of the whole connection (for the connection quality). */
  async getStats(): Promise<RTCStatsReport | null> {
    if (this.closed) return null;
    return this.pc.getStats();
  }

  remoteTracks(): RemoteTrack[] {
    return [...this.slots.values()].map(({ info, transceiver }) => ({
      trackId: info.id,
      participantId: info.participantId,
      kind: info.kind,
      source: info.source,
      track: transceiver.receiver.track,
      receiver: transceiver.receiver,
    }));
  }

  async handleAnswer(sdp: string): Promise<void> {
    if (this.closed) return;
    if (!this.offerInFlight || this.pc.signalingState !== "have-local-offer") {
      console.warn("tafelrunde: answer without an offer in flight; ignored");
      return;
    }
    try {
      await this.pc.setRemoteDescription({ type: "answer", sdp });
      this.refusedInARow = 0;
    } catch (error) {
      this.handlers.onNegotiationError(error);
      await this.rollback();
    }
    this.offerInFlight = false;
    this.handlers.onRemoteTracksChanged();
    if (this.changesPending) void this.negotiate();
  }

  /** The server refused the offer in flight: nothing of it applies. */
  async handleOfferRefused(): Promise<void> {
    if (this.closed || !this.offerInFlight) return;
    await this.rollback();
    this.offerInFlight = false;
    this.refusedInARow += 1;
    if (this.changesPending) {
      void this.negotiate();
    } else if (this.refusedInARow <= MAX_REFUSED_RETRIES) {
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = undefined;
        void this.negotiate();
      }, RETRY_DELAY_MS);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) window.clearTimeout(this.retryTimer);
    this.clearDisconnectedTimer();
    // Our own tracks belong to LocalMedia, which stops them; close() only
    // detaches them from the senders.
    this.pc.close();
  }

  /**
   * "failed" restarts ICE at once; "disconnected" after DISCONNECTED_RESTART_MS
   * (a short loss often heals by itself, and a restart then costs more than it
   * brings).
   */
  private onConnectionState(): void {
    const state = this.pc.connectionState;
    this.handlers.onConnectionState(state);
    if (state === "disconnected") {
      if (this.disconnectedTimer === undefined) {
        this.disconnectedTimer = window.setTimeout(() => {
          this.disconnectedTimer = undefined;
          if (this.pc.connectionState === "disconnected") this.restartIce();
        }, DISCONNECTED_RESTART_MS);
      }
      return;
    }
    this.clearDisconnectedTimer();
    if (state === "failed") this.restartIce();
  }

  private clearDisconnectedTimer(): void {
    if (this.disconnectedTimer !== undefined) window.clearTimeout(this.disconnectedTimer);
    this.disconnectedTimer = undefined;
  }

  private addSlot(info: TrackInfo): void {
    const reusable = this.spare.findIndex(
      (t) => t.receiver.track.kind === info.kind && t.currentDirection === "inactive" && t.direction === "inactive",
    );
    let transceiver: RTCRtpTransceiver;
    if (reusable >= 0) {
      transceiver = this.spare.splice(reusable, 1)[0]!;
      transceiver.direction = "recvonly";
    } else {
      transceiver = this.pc.addTransceiver(info.kind, { direction: "recvonly" });
    }
    this.slots.set(info.id, { info, transceiver });
  }

  private async negotiate(): Promise<void> {
    if (this.closed) return;
    if (this.offerInFlight) {
      this.changesPending = true;
      return;
    }
    if (this.retryTimer !== undefined) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.offerInFlight = true;
    this.changesPending = false;
    const iceRestart = this.iceRestartPending;
    this.iceRestartPending = false;
    const generation = this.generation;
    // The subscriptions as they are when the offer is made; a change after
    // this point sets changesPending and goes into the next offer.
    const snapshot = [...this.slots.values()];
    try {
      const offer = await this.pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
      if (this.closed || generation !== this.generation) return;
      await this.pc.setLocalDescription(offer);
    } catch (error) {
      if (generation !== this.generation) return;
      this.offerInFlight = false;
      if (iceRestart) this.iceRestartPending = true;
      if (this.closed) return;
      this.handlers.onNegotiationError(error);
      return;
    }
    if (this.closed || generation !== this.generation) return;
    const sdp = this.pc.localDescription?.sdp ?? "";
    const publish: PublishedTrack[] = [];
    if (this.audioSender.mid !== null) publish.push({ mid: this.audioSender.mid, kind: "audio" });
    if (this.videoSender.mid !== null) {
      publish.push({ mid: this.videoSender.mid, kind: "video", source: "device", layers: this.cameraLayers });
    }
    if (this.screenSender !== null && this.screenTrack !== null && this.screenSender.mid !== null) {
      publish.push({ mid: this.screenSender.mid, kind: "video", source: "screen" });
    }
    const subscribe: Subscription[] = [];
    for (const slot of snapshot) {
      const mid = slot.transceiver.mid;
      // Skip tracks removed since the snapshot: the server no longer has them.
      if (mid !== null && this.slots.get(slot.info.id) === slot) subscribe.push({ mid, trackId: slot.info.id });
    }
    if (!this.handlers.sendOffer({ type: "offer", sdp, publish, subscribe })) {
      // No signaling now: nothing of this offer applies. resync() sends the
      // next one when the session is back.
      await this.rollback();
      this.offerInFlight = false;
      this.changesPending = true;
      if (iceRestart) this.iceRestartPending = true;
    }
  }

  /** Takes the layer heights from the first camera track. */
  private measureCamera(track: MediaStreamTrack): void {
    if (this.cameraMeasured) return;
    const height = track.getSettings().height;
    if (height === undefined || height <= 0) return;
    this.cameraMeasured = true;
    this.cameraLayers = cameraLayers(height);
  }

  private async rollback(): Promise<void> {
    if (this.pc.signalingState !== "have-local-offer") return;
    try {
      await this.pc.setLocalDescription({ type: "rollback" });
    } catch (error) {
      this.handlers.onNegotiationError(error);
    }
  }
}
