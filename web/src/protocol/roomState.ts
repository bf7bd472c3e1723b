// The moderated room as the server describes it: our own role and
// permissions, the room's settings, the lobby, raised hands, chat,
// reactions, and what moderators did to us. The server decides all of it;
// this class only keeps its last word and sends our requests. No UI code.

import { batch, signal, type ReadonlySignal } from "@preact/signals";

import type { ClientMessage, ParticipantId, ParticipantInfo, ServerMessage } from "./messages";
import {
  DEFAULT_MODERATION,
  DEFAULT_SETTINGS,
  type ChatMessage,
  type GrantKind,
  type LobbyEntry,
  type ModeratedAction,
  type ModerationInfo,
  type Reaction,
  type RoomSettings,
} from "./moderationTypes";

/** A participant with the moderation fields. */
export type Participant = ParticipantInfo;

/** The messages of docs/protocol.md, "Moderation", that this class keeps. */
type ModerationMessage = Extract<
  ServerMessage,
  { type: "lobby" | "lobbyChanged" | "roomSettings" | "moderated" | "unmuteRequest" | "hands" | "reaction" | "chatMessage" }
>;

export const MODERATION_TYPES: ReadonlySet<string> = new Set<ModerationMessage["type"]>([
  "lobby",
  "lobbyChanged",
  "roomSettings",
  "moderated",
  "unmuteRequest",
  "hands",
  "reaction",
  "chatMessage",
]);

export function isModerationMessage(message: ServerMessage): message is ModerationMessage {
  return MODERATION_TYPES.has(message.type);
}

/** Something that happened to us, to be told to the user once. */
export type NoticeBody =
  | { what: "moderated"; action: ModeratedAction; by: string; kind: GrantKind | undefined }
  | { what: "unmuteRefused"; kind: "audio" | "video" }
  | { what: "screenRefused" };
export type Notice = NoticeBody & { seq: number };

export interface UnmuteRequest {
  kind: "audio" | "video";
  by: string;
}

export interface ShownReaction {
  seq: number;
  participantId: ParticipantId;
  emoji: string;
}

/** Chat history kept in the page (the server keeps the room's own). */
const MAX_CHAT_MESSAGES = 500;
/** How long a reaction is shown. */
export const REACTION_MS = 4_000;
/** Notices beyond this many are dropped, oldest first. */
const MAX_NOTICES = 4;

/** The moderation fields; an older server that sends none gets the defaults. */
export function moderationOf(p: Participant): ModerationInfo {
  return {
    role: p.role ?? DEFAULT_MODERATION.role,
    teacher: p.teacher ?? DEFAULT_MODERATION.teacher,
    handRaised: p.handRaised ?? DEFAULT_MODERATION.handRaised,
    may: p.may ?? DEFAULT_MODERATION.may,
  };
}

export class RoomState {
  private readonly _you = signal<Participant | null>(null);
  private readonly _settings = signal<RoomSettings>(DEFAULT_SETTINGS);
  private readonly _lobby = signal<readonly LobbyEntry[]>([]);
  private readonly _hands = signal<readonly ParticipantId[]>([]);
  private readonly _chat = signal<readonly ChatMessage[]>([]);
  private readonly _notices = signal<readonly Notice[]>([]);
  private readonly _unmuteRequest = signal<UnmuteRequest | null>(null);
  private readonly _reactions = signal<readonly ShownReaction[]>([]);

  /** Ourselves as the server sees us (role, permissions, mute state). */
  readonly you: ReadonlySignal<Participant | null> = this._you;
  readonly settings: ReadonlySignal<RoomSettings> = this._settings;
  /** People waiting to be let in, in arrival order (moderators only). */
  readonly lobby: ReadonlySignal<readonly LobbyEntry[]> = this._lobby;
  /** Raised hands in raise order. */
  readonly hands: ReadonlySignal<readonly ParticipantId[]> = this._hands;
  readonly chat: ReadonlySignal<readonly ChatMessage[]> = this._chat;
  readonly notices: ReadonlySignal<readonly Notice[]> = this._notices;
  readonly unmuteRequest: ReadonlySignal<UnmuteRequest | null> = this._unmuteRequest;
  readonly reactions: ReadonlySignal<readonly ShownReaction[]> = this._reactions;

  private seq = 0;
  private readonly timers = new Set<number>();

  constructor(
    private readonly send: (message: ClientMessage) => boolean,
    private readonly hooks: {
      /** A moderator switched one of our devices off, or the server refused it. */
      forceOff(kind: "audio" | "video" | "screen"): void;
    },
  ) {}

  /** The moderation parts of `joined`. */
  onJoined(you: Participant | undefined, settings: RoomSettings | undefined, chat: ChatMessage[] | undefined, hands: ParticipantId[] | undefined): void {
    batch(() => {
      this._you.value = you ?? null;
      if (settings !== undefined) this._settings.value = settings;
      this._chat.value = (chat ?? []).slice(-MAX_CHAT_MESSAGES);
      this._hands.value = hands ?? [];
    });
  }

  /** `participantUpdated` about ourselves. */
  updateYou(you: Participant): void {
    this._you.value = you;
  }

  handle(message: ModerationMessage): void {
    switch (message.type) {
      case "lobby":
        this._lobby.value = message.waiting;
        return;
      case "lobbyChanged":
        this._lobby.value = applyLobbyChange(this._lobby.value, message.added, message.removed);
        return;
      case "roomSettings":
        this._settings.value = message.settings;
        return;
      case "moderated":
        this.onModerated(message.action, message.by, message.kind);
        return;
      case "unmuteRequest":
        this._unmuteRequest.value = { kind: message.kind, by: message.by };
        return;
      case "hands":
        this._hands.value = message.queue;
        return;
      case "reaction":
        this.showReaction(message.participantId, message.emoji);
        return;
      case "chatMessage":
        this._chat.value = [...this._chat.value, message.message].slice(-MAX_CHAT_MESSAGES);
        return;
    }
  }

  /** The server refused to switch a device of ours on (`notAllowed`). */
  refused(field: string): void {
    if (field === "audio" || field === "video") {
      this.hooks.forceOff(field);
      this.notice({ what: "unmuteRefused", kind: field });
    } else if (field === "publish") {
      this.hooks.forceOff("screen");
      this.notice({ what: "screenRefused" });
    }
  }

  dismissNotice(seq: number): void {
    this._notices.value = this._notices.value.filter((n) => n.seq !== seq);
  }

  /** Answers the moderator's request: the caller switches the device on when accepted. */
  clearUnmuteRequest(): void {
    this._unmuteRequest.value = null;
  }

  // ---- requests (the server checks each one) -------------------------------

  admit(ids: ParticipantId[]): void {
    if (ids.length > 0) this.send({ type: "admit", participantIds: ids });
  }
  deny(ids: ParticipantId[]): void {
    if (ids.length > 0) this.send({ type: "deny", participantIds: ids });
  }
  setRole(participantId: ParticipantId, role: "moderator" | "participant"): void {
    this.send({ type: "setRole", participantId, role });
  }
  /** `participantId` undefined: everyone except moderators. */
  forceMute(participantId: ParticipantId | undefined, kind: "audio" | "video"): void {
    this.send(participantId === undefined ? { type: "forceMute", kind } : { type: "forceMute", participantId, kind });
  }
  grant(participantId: ParticipantId, kind: GrantKind, allowed: boolean): void {
    this.send({ type: "grant", participantId, kind, allowed });
  }
  askToUnmute(participantId: ParticipantId, kind: "audio" | "video"): void {
    this.send({ type: "askToUnmute", participantId, kind });
  }
  stopScreenShare(participantId: ParticipantId): void {
    this.send({ type: "stopScreenShare", participantId });
  }
  remove(participantId: ParticipantId): void {
    this.send({ type: "remove", participantId });
  }
  changeSettings(change: Partial<RoomSettings>): void {
    this.send({ type: "roomSettings", ...change });
  }
  endMeeting(): void {
    this.send({ type: "endMeeting" });
  }
  raiseHand(raised: boolean): void {
    this.send({ type: "hand", raised });
  }
  /** `participantId` undefined: all hands. */
  lowerHand(participantId: ParticipantId | undefined): void {
    this.send(participantId === undefined ? { type: "lowerHand" } : { type: "lowerHand", participantId });
  }
  react(emoji: Reaction): void {
    this.send({ type: "react", emoji });
  }
  sendChat(text: string, to: ParticipantId | undefined): boolean {
    return this.send(to === undefined ? { type: "chat", text } : { type: "chat", text, to });
  }

  dispose(): void {
    for (const timer of this.timers) window.clearTimeout(timer);
    this.timers.clear();
  }

  private onModerated(action: ModeratedAction, by: string, kind: GrantKind | undefined): void {
    if (action === "audioMuted") this.hooks.forceOff("audio");
    if (action === "videoMuted") this.hooks.forceOff("video");
    if (action === "screenShareStopped" || (action === "revoked" && kind === "screen")) this.hooks.forceOff("screen");
    if (action === "revoked" && (kind === "audio" || kind === "video")) {
      this._unmuteRequest.value = null;
      // Allowed to speak no more: unless everybody may, the microphone goes off.
      const settings = this._settings.value;
      if (!(kind === "audio" ? settings.selfUnmuteAudio : settings.selfUnmuteVideo)) this.hooks.forceOff(kind);
    }
    this.notice({ what: "moderated", action, by, kind });
  }

  private notice(notice: NoticeBody): void {
    this.seq += 1;
    const next = [...this._notices.value, { ...notice, seq: this.seq }];
    this._notices.value = next.slice(-MAX_NOTICES);
  }

  private showReaction(participantId: ParticipantId, emoji: string): void {
    this.seq += 1;
    const shown = { seq: this.seq, participantId, emoji };
    this._reactions.value = [...this._reactions.value, shown];
    const timer = window.setTimeout(() => {
      this.timers.delete(timer);
      this._reactions.value = this._reactions.value.filter((r) => r !== shown);
    }, REACTION_MS);
    this.timers.add(timer);
  }
}

/**
 * The lobby after a `lobbyChanged`: the removed ones out, the added ones
 * appended in arrival order (an id already listed is not listed twice).
 */
export function applyLobbyChange(
  lobby: readonly LobbyEntry[],
  added: readonly LobbyEntry[],
  removed: readonly ParticipantId[],
): readonly LobbyEntry[] {
  const gone = new Set(removed);
  const kept = lobby.filter((w) => !gone.has(w.id));
  const listed = new Set(kept.map((w) => w.id));
  return [...kept, ...added.filter((w) => !listed.has(w.id) && !gone.has(w.id))];
}
