// The six reactions of the protocol, one tap each; shown briefly to all.

import { useSignal } from "@preact/signals";

import type { MessageKey } from "../../i18n";
import type { ServerConnection } from "../../protocol/connection";
import { REACTIONS, type Reaction } from "../../protocol/moderationTypes";
import { Icon } from "../Icon";
import { useT } from "../context";

export const REACTION_NAMES: Readonly<Record<Reaction, MessageKey>> = {
  "👍": "reaction.thumbsUp",
  "👏": "reaction.clap",
  "😂": "reaction.laugh",
  "😮": "reaction.surprised",
  "❤️": "reaction.heart",
  "🎉": "reaction.party",
};

export function ReactionPicker({ call }: { call: ServerConnection }) {
  const t = useT();
  const open = useSignal(false);
  return (
    <div class="popover-anchor">
      <button
        type="button"
        class={`toggle toggle--extra ${open.value ? "toggle--pressed" : "toggle--neutral"}`}
        aria-expanded={open.value}
        aria-controls="reaction-list"
        aria-label={t("reaction.label")}
        data-testid="reaction-toggle"
        onClick={() => (open.value = !open.value)}
      >
        <Icon name="smile" />
        <span>{t("reaction.label")}</span>
      </button>
      {open.value && (
        <ul
          id="reaction-list"
          class="popover reactions-picker"
          onKeyDown={(e) => {
            if (e.key === "Escape") open.value = false;
          }}
        >
          {REACTIONS.map((emoji) => (
            <li key={emoji}>
              <button
                type="button"
                class="reactions-picker__button"
                aria-label={t(REACTION_NAMES[emoji])}
                title={t(REACTION_NAMES[emoji])}
                data-testid={`react-${emoji}`}
                onClick={() => {
                  call.moderation.react(emoji);
                  open.value = false;
                }}
              >
                <span aria-hidden="true">{emoji}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
