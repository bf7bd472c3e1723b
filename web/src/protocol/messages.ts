// Signaling messages, mirroring crates/protocol/src/messages.rs (the source
// of truth) and docs/protocol.md. Field names are camelCase, every message
// is a JSON object tagged by `type`.

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** Participant id (a `u64` on the server; safe as a JS number up to 2^53). */
export type ParticipantId = number;
/** Track id (a `u64` on the server). */
export type TrackId = number;

export type MediaKind = "audio" | "video";

/** Where a track comes from; screen shares get bandwidth before cameras. */
export type TrackSource = "device" | "screen";

/** One simulcast layer of a video track, as the publisher encodes it. */
export interface LayerSpec {
  /** The RTP stream id (`a=rid`) of the layer. */
  rid: string;
  /** Its picture height in pixels. */
  height: number;
}

/** A track the client sends, named by the `mid` of its transceiver. */
export interface PublishedTrack {
  mid: string;
  kind: MediaKind;
  /** Camera/microphone or screen; the server assumes "device" when absent. */
  source?: TrackSource;
  /** Simulcast layers from lowest to highest; absent for a single-layer track. */
  layers?: LayerSpec[];
}

/** The size at which a subscribed video is shown, in device pixels. */
export interface TileSize {
  trackId: TrackId;
  width: number;
  height: number;
}

/** A track the client wants to receive on the transceiver with this `mid`. */
export interface Subscription {
  mid: string;
  trackId: TrackId;
}

// ---- client → server -------------------------------------------------------

export interface JoinMessage {
  type: "join";
  version: number;
  room: string;
  name: string;
}

export interface OfferMessage {
  type: "offer";
  sdp: string;
  publish: PublishedTrack[];
  subscribe: Subscription[];
}

/**
 * Which subscribed videos are visible and how large. Videos not listed are
 * paused at the SFU; until the first `layout` every video counts as visible.
 */
export interface LayoutMessage {
  type: "layout";
  tiles: TileSize[];
}

export interface MuteMessage {
  type: "mute";
  /** Microphone off. */
  audio: boolean;
  /** Camera off. */
  video: boolean;
}

export interface PingMessage {
  type: "ping";
}

export interface LeaveMessage {
  type: "leave";
}

export type ClientMessage =
  | JoinMessage
  | OfferMessage
  | LayoutMessage
  | MuteMessage
  | PingMessage
  | LeaveMessage;

// ---- shared structures -----------------------------------------------------

/** A participant as the others see it. */
export interface ParticipantInfo {
  id: ParticipantId;
  name: string;
  audioMuted: boolean;
  videoMuted: boolean;
}

/** A track that can be subscribed to. */
export interface TrackInfo {
  id: TrackId;
  participantId: ParticipantId;
  kind: MediaKind;
  source: TrackSource;
}

/** A TURN server the client should use beside the SFU's own candidates. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

export type ByeReason = "left" | "serverShutdown" | "connectionLost" | "protocolAbuse" | "internalError";

export type ErrorCode =
  | "badJson"
  | "binaryFrame"
  | "unknownType"
  | "missingField"
  | "invalidField"
  | "messageTooLarge"
  | "notJoined"
  | "alreadyJoined"
  | "unsupportedVersion"
  | "badSdp"
  | "roomFull"
  | "rateLimited"
  | "shuttingDown"
  | "schoolUsesBigBlueButton";

// ---- server → client -------------------------------------------------------

export interface JoinedMessage {
  type: "joined";
  version: number;
  participantId: ParticipantId;
  room: string;
  participants: ParticipantInfo[];
  tracks: TrackInfo[];
  iceServers: IceServer[];
}

export interface ParticipantJoinedMessage {
  type: "participantJoined";
  participant: ParticipantInfo;
}

export interface ParticipantUpdatedMessage {
  type: "participantUpdated";
  participant: ParticipantInfo;
}

export interface ParticipantLeftMessage {
  type: "participantLeft";
  participantId: ParticipantId;
}

export interface TrackAddedMessage {
  type: "trackAdded";
  track: TrackInfo;
}

export interface TrackRemovedMessage {
  type: "trackRemoved";
  trackId: TrackId;
}

export interface AnswerMessage {
  type: "answer";
  sdp: string;
}

export interface PongMessage {
  type: "pong";
}

/** The room's dominant speaker changed (null: nobody speaks). */
export interface DominantSpeakerMessage {
  type: "dominantSpeaker";
  participantId: ParticipantId | null;
}

/** Encode only these simulcast layers (RIDs) of the track sent on `mid`. */
export interface PublishLayersMessage {
  type: "publishLayers";
  mid: string;
  active: string[];
}

export interface ErrorMessage {
  type: "error";
  code: ErrorCode;
  field?: string;
  message: string;
}

export interface ByeMessage {
  type: "bye";
  reason: ByeReason;
}

export type ServerMessage =
  | JoinedMessage
  | ParticipantJoinedMessage
  | ParticipantUpdatedMessage
  | ParticipantLeftMessage
  | TrackAddedMessage
  | TrackRemovedMessage
  | AnswerMessage
  | PongMessage
  | DominantSpeakerMessage
  | PublishLayersMessage
  | ErrorMessage
  | ByeMessage;

const SERVER_TYPES: ReadonlySet<string> = new Set<ServerMessage["type"]>([
  "joined",
  "participantJoined",
  "participantUpdated",
  "participantLeft",
  "trackAdded",
  "trackRemoved",
  "answer",
  "pong",
  "dominantSpeaker",
  "publishLayers",
  "error",
  "bye",
]);

/**
 * Parses one text frame from the server. Returns null for anything that is
 * not a JSON object with a known `type`; the fields are trusted (the server
 * serialises them from the Rust types).
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || !SERVER_TYPES.has(type)) return null;
  return value as ServerMessage;
}
