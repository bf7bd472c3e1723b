// The one RTCPeerConnection between this browser and the SFU, and the
// offer/answer rules of docs/protocol.md: the client is always the offerer,
// one offer is in flight at a time, and changes that arrive meanwhile are
// folded into the next offer. Every offer carries the full publish and
// subscribe lists.

import type {
  IceServer,
  MediaKind,
  OfferMessage,
  ParticipantId,
  PublishedTrack,
  Subscription,
  TrackId,
  TrackInfo,
} from "./messages";

/** A subscribed remote track and where it arrives. */
export interface RemoteTrack {
  trackId: TrackId;
  participantId: ParticipantId;
  kind: MediaKind;
  /** The receiver's track; media flows once the subscribing offer is answered. */
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

export interface MediaSessionHandlers {
  sendOffer(offer: OfferMessage): void;
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

export function toRtcIceServers(servers: readonly IceServer[]): RTCIceServer[] {
  // Only what the server hands out: never a public STUN server of a third party.
  return servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

export class MediaSession {
  private readonly pc: RTCPeerConnection;
  private readonly audioSender: RTCRtpTransceiver;
  private readonly videoSender: RTCRtpTransceiver;
  /** Current subscriptions by track id. */
  private readonly slots = new Map<TrackId, ReceiveSlot>();
  /** Receiving transceivers whose track was removed, free for the next track of their kind. */
  private readonly spare: RTCRtpTransceiver[] = [];
  private offerInFlight = false;
  private changesPending = false;
  private refusedInARow = 0;
  private retryTimer: number | undefined;
  private closed = false;

  constructor(
    iceServers: readonly IceServer[],
    localAudio: MediaStreamTrack | null,
    localVideo: MediaStreamTrack | null,
    private readonly handlers: MediaSessionHandlers,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: toRtcIceServers(iceServers), bundlePolicy: "max-bundle" });
    this.pc.addEventListener("connectionstatechange", () => {
      this.handlers.onConnectionState(this.pc.connectionState);
    });
    this.pc.addEventListener("track", () => this.handlers.onRemoteTracksChanged());
    // Camera and microphone may be off: then the transceivers carry no track
    // until replaceTrack() gives them one.
    this.audioSender = this.pc.addTransceiver(localAudio ?? "audio", { direction: "sendonly" });
    this.videoSender = this.pc.addTransceiver(localVideo ?? "video", { direction: "sendonly" });
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
    await sender.replaceTrack(track);
  }

  remoteTracks(): RemoteTrack[] {
    return [...this.slots.values()].map(({ info, transceiver }) => ({
      trackId: info.id,
      participantId: info.participantId,
      kind: info.kind,
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
    // Our own tracks belong to LocalMedia, which stops them; close() only
    // detaches them from the senders.
    this.pc.close();
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
    // The subscriptions as they are when the offer is made; a change after
    // this point sets changesPending and goes into the next offer.
    const snapshot = [...this.slots.values()];
    try {
      const offer = await this.pc.createOffer();
      if (this.closed) return;
      await this.pc.setLocalDescription(offer);
    } catch (error) {
      this.offerInFlight = false;
      if (this.closed) return;
      this.handlers.onNegotiationError(error);
      return;
    }
    if (this.closed) return;
    const sdp = this.pc.localDescription?.sdp ?? "";
    const publish: PublishedTrack[] = [];
    if (this.audioSender.mid !== null) publish.push({ mid: this.audioSender.mid, kind: "audio" });
    if (this.videoSender.mid !== null) publish.push({ mid: this.videoSender.mid, kind: "video" });
    const subscribe: Subscription[] = [];
    for (const slot of snapshot) {
      const mid = slot.transceiver.mid;
      // Skip tracks removed since the snapshot: the server no longer has them.
      if (mid !== null && this.slots.get(slot.info.id) === slot) subscribe.push({ mid, trackId: slot.info.id });
    }
    this.handlers.sendOffer({ type: "offer", sdp, publish, subscribe });
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
