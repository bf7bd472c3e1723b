// The moderation part of the signaling protocol (docs/protocol.md, section
// "Moderation"), as the room state and the UI use it: the wire types come
// from messages.ts, the defaults and small rules are here.

import type { ParticipantInfo, Role, RoomSettings } from "./messages";

export type {
  ChatMessage,
  LobbyEntry,
  ModerationAction as ModeratedAction,
  PermissionKind as GrantKind,
  Permissions,
  Reaction,
  Role,
  RoomSettings,
  WaitReason as WaitingReason,
} from "./messages";
export { REACTIONS } from "./messages";

/** The fields a participant gains with the moderation protocol. */
export type ModerationInfo = Pick<ParticipantInfo, "role" | "teacher" | "handRaised" | "may">;

/** The contract's defaults, until the server's `joined` says otherwise. */
export const DEFAULT_SETTINGS: RoomSettings = {
  lobby: false,
  locked: false,
  selfUnmuteAudio: true,
  selfUnmuteVideo: true,
  chat: true,
  privateChat: false,
};

export const DEFAULT_MODERATION: ModerationInfo = {
  role: "participant",
  teacher: false,
  handRaised: false,
  may: { audio: true, video: true, screen: false },
};

/** The server's limit of a chat message (characters). */
export const MAX_CHAT_CHARS = 2000;

export function isModerator(role: Role): boolean {
  return role === "owner" || role === "moderator";
}
