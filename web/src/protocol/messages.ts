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
  /** The room's password, when it has one. */
  password?: string;
}

/** Instead of `join` on a new socket: continue the session the token was given for. */
export interface ResumeMessage {
  type: "resume";
  version: number;
  /** The latest `resumeToken` from `joined`. */
  token: string;
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

// Moderation (docs/protocol.md, "Moderation"): the server refuses what the
// sender's role does not allow with `error {code: "notAllowed"}`.

/** Moderators: let these waiting people in. */
export interface AdmitMessage {
  type: "admit";
  participantIds: ParticipantId[];
}

/** Moderators: send these waiting people away. */
export interface DenyMessage {
  type: "deny";
  participantIds: ParticipantId[];
}

/** Moderators: promote or demote (never to or from owner). */
export interface SetRoleMessage {
  type: "setRole";
  participantId: ParticipantId;
  role: "moderator" | "participant";
}

/** Moderators: switch someone's microphone or camera off; no id = everyone except moderators. */
export interface ForceMuteMessage {
  type: "forceMute";
  participantId?: ParticipantId;
  kind: MediaKind;
}

/** Moderators: allow one person to speak / show video / share the screen, or take it back. */
export interface GrantMessage {
  type: "grant";
  participantId: ParticipantId;
  kind: PermissionKind;
  allowed: boolean;
}

/** Moderators: grant `kind` and ask the participant to switch it on. */
export interface AskToUnmuteMessage {
  type: "askToUnmute";
  participantId: ParticipantId;
  kind: MediaKind;
}

export interface StopScreenShareMessage {
  type: "stopScreenShare";
  participantId: ParticipantId;
}

/** Moderators: remove someone; they can come back only through the lobby. */
export interface RemoveMessage {
  type: "remove";
  participantId: ParticipantId;
}

/** Moderators: change some of the room's settings (absent fields stay). */
export interface RoomSettingsChangeMessage extends Partial<RoomSettings> {
  type: "roomSettings";
}

/** The owner and teacher moderators: end the meeting for everyone. */
export interface EndMeetingMessage {
  type: "endMeeting";
}

/** Raise or lower your own hand. */
export interface HandMessage {
  type: "hand";
  raised: boolean;
}

/** Moderators: lower someone's hand; no id = all hands. */
export interface LowerHandMessage {
  type: "lowerHand";
  participantId?: ParticipantId;
}

export interface ReactMessage {
  type: "react";
  emoji: Reaction;
}

/** A chat message to the room, or privately to `to`. */
export interface ChatSendMessage {
  type: "chat";
  /** 1–2000 characters. */
  text: string;
  to?: ParticipantId;
}

export type ClientMessage =
  | JoinMessage
  | ResumeMessage
  | OfferMessage
  | LayoutMessage
  | MuteMessage
  | PingMessage
  | LeaveMessage
  | AdmitMessage
  | DenyMessage
  | SetRoleMessage
  | ForceMuteMessage
  | GrantMessage
  | AskToUnmuteMessage
  | StopScreenShareMessage
  | RemoveMessage
  | RoomSettingsChangeMessage
  | EndMeetingMessage
  | HandMessage
  | LowerHandMessage
  | ReactMessage
  | ChatSendMessage;

// ---- shared structures -----------------------------------------------------

export type Role = "owner" | "moderator" | "participant";

/** What a moderator can grant. */
export type PermissionKind = "audio" | "video" | "screen";

/** What a participant may switch on themself right now. */
export interface Permissions {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** The reactions the server accepts (at most one per second). */
export const REACTIONS = ["👍", "👏", "😂", "😮", "❤️", "🎉"] as const;
export type Reaction = (typeof REACTIONS)[number];

/** A participant as the others see it. */
export interface ParticipantInfo {
  id: ParticipantId;
  name: string;
  audioMuted: boolean;
  videoMuted: boolean;
  role: Role;
  /** A teacher of the room's school (not a promoted guest). */
  teacher: boolean;
  handRaised: boolean;
  may: Permissions;
  /** Their connection dropped; their place is kept while it comes back. */
  reconnecting: boolean;
}

/** A room's settings. */
export interface RoomSettings {
  lobby: boolean;
  locked: boolean;
  selfUnmuteAudio: boolean;
  selfUnmuteVideo: boolean;
  chat: boolean;
  privateChat: boolean;
}

export type WaitReason = "notOpen" | "lobby";

/** Someone in the lobby, as moderators see them. */
export interface LobbyEntry {
  id: ParticipantId;
  name: string;
  /** They were removed from this meeting before. */
  removed: boolean;
}

export type ModerationAction =
  | "audioMuted"
  | "videoMuted"
  | "screenShareStopped"
  | "promoted"
  | "demoted"
  | "granted"
  | "revoked"
  | "handLowered";

/** One chat message; `to` is set for a private message. */
export interface ChatMessage {
  id: number;
  from: ParticipantId;
  fromName: string;
  to?: ParticipantId;
  text: string;
  /** Milliseconds since 1970. */
  at: number;
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

export type ByeReason = "left" | "serverShutdown" | "connectionLost" | "protocolAbuse" | "internalError"
  | "schoolUsesBigBlueButton"
  | "removed"
  | "denied"
  | "meetingEnded"
  | "testOver"
  | "sessionEnded";

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
  | "lobbyFull"
  | "rateLimited"
  | "shuttingDown"
  | "schoolUsesBigBlueButton"
  | "notAllowed"
  | "passwordRequired"
  | "wrongPassword"
  | "roomLocked"
  | "chatDisabled"
  | "noSuchParticipant"
  | "unknownRoom"
  | "resumeFailed"
  | "internalError";

// ---- server → client -------------------------------------------------------

export interface JoinedMessage {
  type: "joined";
  version: number;
  participantId: ParticipantId;
  room: string;
  participants: ParticipantInfo[];
  tracks: TrackInfo[];
  iceServers: IceServer[];
  /** Yourself: role, permissions, mute state. */
  you: ParticipantInfo;
  settings: RoomSettings;
  /** The room's public chat history, oldest first. */
  chat: ChatMessage[];
  /** Raised hands in raise order. */
  hands: ParticipantId[];
  /** For `resume` after the connection drops; good for one use. */
  resumeToken: string;
  /** How long after a drop the session can still be resumed. */
  resumeWithinMs: number;
  /** Continues our earlier session: keep the media connection, restart ICE. */
  resumed: boolean;
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

/** You wait before entering; `joined` or `bye` follows. */
export interface WaitingMessage {
  type: "waiting";
  reason: WaitReason;
}

/** To a new moderator, once: who waits in the lobby, in arrival order. */
export interface LobbyMessage {
  type: "lobby";
  waiting: LobbyEntry[];
}

/** To moderators: who came into the lobby (appended) and who left it. */
export interface LobbyChangedMessage {
  type: "lobbyChanged";
  added: LobbyEntry[];
  removed: ParticipantId[];
}

export interface RoomSettingsMessage {
  type: "roomSettings";
  settings: RoomSettings;
}

/** What a moderator (named `by`) did to you; `kind` for granted/revoked. */
export interface ModeratedMessage {
  type: "moderated";
  action: ModerationAction;
  by: string;
  kind?: PermissionKind;
}

/** A moderator asks you to switch your microphone or camera on. */
export interface UnmuteRequestMessage {
  type: "unmuteRequest";
  kind: MediaKind;
  by: string;
}

export interface HandsMessage {
  type: "hands";
  queue: ParticipantId[];
}

export interface ReactionMessage {
  type: "reaction";
  participantId: ParticipantId;
  emoji: Reaction;
}

export interface ChatMessageMessage {
  type: "chatMessage";
  message: ChatMessage;
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
  | ByeMessage
  | WaitingMessage
  | LobbyMessage
  | LobbyChangedMessage
  | RoomSettingsMessage
  | ModeratedMessage
  | UnmuteRequestMessage
  | HandsMessage
  | ReactionMessage
  | ChatMessageMessage;

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
  "waiting",
  "lobby",
  "lobbyChanged",
  "roomSettings",
  "moderated",
  "unmuteRequest",
  "hands",
  "reaction",
  "chatMessage",
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
