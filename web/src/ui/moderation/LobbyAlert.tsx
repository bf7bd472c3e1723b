// Moderators: someone knocks while the people panel is closed. Said where
// it is seen (and announced), with the way to the lobby and a quick admit.

import type { ServerConnection } from "../../protocol/connection";
import { useCallView } from "../callContext";
import { useT } from "../context";
import { youIn } from "./you";

export function LobbyAlert({ call }: { call: ServerConnection }) {
  const t = useT();
  const view = useCallView();
  const waiting = call.moderation.lobby.value;
  const shown = youIn(call).moderator && waiting.length > 0 && view.panel.value !== "people";
  return (
    <div role="status" aria-live="polite" class="lobby-alert-region">
      {shown && (
        <div class="alert alert--notice lobby-alert" data-testid="lobby-alert">
          <p>{t("lobby.alert", { n: waiting.length, names: waiting.map((w) => w.name).join(", ") })}</p>
          <div class="row row--wrap">
            <button type="button" class="button button--small button--primary" data-testid="lobby-alert-open" onClick={() => view.openPanel("people")}>
              {t("lobby.show")}
            </button>
            <button type="button" class="button button--small" data-testid="lobby-alert-admit-all" onClick={() => call.moderation.admit(waiting.map((w) => w.id))}>
              {t("lobby.admitAll")}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
