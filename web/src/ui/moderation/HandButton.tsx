// Raise or lower the own hand (aria-pressed = raised).

import type { ServerConnection } from "../../protocol/connection";
import { Icon } from "../Icon";
import { useT } from "../context";

export function HandButton({ call }: { call: ServerConnection }) {
  const t = useT();
  // The queue is the server's word on every hand, ours included.
  const selfId = call.selfId.value;
  const raised = selfId !== null && call.moderation.hands.value.includes(selfId);
  return (
    <button
      type="button"
      class={`toggle toggle--extra ${raised ? "toggle--pressed" : "toggle--neutral"}`}
      aria-pressed={raised}
      aria-label={t("hand.label")}
      data-testid="hand-toggle"
      onClick={() => call.moderation.raiseHand(!raised)}
    >
      <Icon name="hand" />
      <span>{t(raised ? "hand.lower" : "hand.raise")}</span>
    </button>
  );
}
