// Moderators: raised hands in the order they were raised; lower one or all.

import type { ServerConnection } from "../../protocol/connection";
import { useApp, useT } from "../context";

export function HandQueue({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const queue = call.moderation.hands.value;
  if (queue.length === 0) return null;
  const selfId = call.selfId.value;
  const people = call.participants.value;
  const nameOf = (id: number) => (id === selfId ? t("tile.selfName", { name: app.displayName.value }) : (people.get(id)?.name ?? "?"));
  return (
    <section class="panel__section" aria-labelledby="hands-title" data-testid="hand-queue">
      <h3 id="hands-title">{t("hands.title", { n: queue.length })}</h3>
      <ol class="hands">
        {queue.map((id) => (
          <li key={id} class="hands__item" data-testid="hand-entry" data-participant-id={String(id)}>
            <span class="hands__name">{nameOf(id)}</span>
            <button
              type="button"
              class="button button--small"
              aria-label={t("hands.lowerOne", { name: nameOf(id) })}
              data-testid="hand-lower"
              onClick={() => call.moderation.lowerHand(id)}
            >
              {t("hands.lower")}
            </button>
          </li>
        ))}
      </ol>
      <button type="button" class="button button--small" data-testid="hand-lower-all" onClick={() => call.moderation.lowerHand(undefined)}>
        {t("hands.lowerAll")}
      </button>
    </section>
  );
}
