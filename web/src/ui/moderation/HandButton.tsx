// Raise or lower the own hand (aria-pressed = raised).

import type { ServerConnection } from "../../protocol/connection";
import { Icon } from "../Icon";
import { useT } from "../context";
import { youIn } from "./you";

export function HandButton({ call }: { call: ServerConnection }) {
  const t = useT();
  const raised = youIn(call).handRaised;
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
