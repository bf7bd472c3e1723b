// Reactions of the last seconds, with the name of who reacted.

import type { MessageKey } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import type { Reaction } from "../../protocol/moderationTypes";
import { REACTION_NAMES } from "./ReactionPicker";
import { useApp, useT } from "../context";

export function ReactionsShown({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const selfId = call.selfId.value;
  const people = call.participants.value;
  const shown = call.moderation.reactions.value;
  return (
    <ul class="reactions" aria-live="polite" aria-label={t("reaction.shownLabel")}>
      {shown.map((r) => {
        const key = REACTION_NAMES[r.emoji as Reaction] as MessageKey | undefined;
        const name = r.participantId === selfId ? t("tile.selfName", { name: app.displayName.value }) : (people.get(r.participantId)?.name ?? "");
        return (
          <li key={r.seq} class="reactions__item" data-testid="reaction" data-participant-id={String(r.participantId)} data-emoji={r.emoji}>
            <span class="reactions__emoji" aria-hidden="true">
              {r.emoji}
            </span>
            <span class="reactions__name">{name}</span>
            <span class="sr-only">{key === undefined ? r.emoji : t(key)}</span>
          </li>
        );
      })}
    </ul>
  );
}
