// Who we are in the moderated room: role and permissions as the server
// last said. The UI hides what the role may not do; the server decides.

import type { ServerConnection } from "../../protocol/connection";
import { DEFAULT_MODERATION, isModerator, type ModerationInfo } from "../../protocol/moderationTypes";
import { moderationOf } from "../../protocol/roomState";

export interface You extends ModerationInfo {
  moderator: boolean;
  /** May end the meeting: the owner, and teachers among the moderators. */
  mayEnd: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
}

export function youIn(call: ServerConnection): You {
  const you = call.moderation.you.value;
  const info = you === null ? DEFAULT_MODERATION : moderationOf(you);
  const moderator = isModerator(info.role);
  return {
    ...info,
    moderator,
    mayEnd: info.role === "owner" || (moderator && info.teacher),
    audioMuted: you?.audioMuted ?? true,
    videoMuted: you?.videoMuted ?? true,
  };
}
