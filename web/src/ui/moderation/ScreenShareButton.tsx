// Share the screen (when the room lets us), or say why it is missing on a
// phone. The server refuses a share without permission all the same.

import type { ServerConnection } from "../../protocol/connection";
import { Icon } from "../Icon";
import { useApp, useT } from "../context";
import { youIn } from "./you";

export function ScreenShareButton({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const may = youIn(call).may.screen;
  const sharing = app.screen.track.value !== null;
  if (!may && !sharing) return null;
  if (!app.screenSupported) return null;
  return (
    <button
      type="button"
      class={`toggle toggle--extra ${sharing ? "toggle--pressed" : "toggle--neutral"}`}
      aria-pressed={sharing}
      aria-label={t("screen.label")}
      aria-busy={app.screen.busy.value}
      disabled={app.screen.busy.value}
      data-testid="screen-toggle"
      onClick={() => (sharing ? app.screen.stop() : void app.screen.start())}
    >
      <Icon name="screen" />
      <span>{t(sharing ? "screen.stop" : "screen.start")}</span>
    </button>
  );
}

/** On phones: the reason there is no share button (shown in the people panel). */
export function ScreenShareUnsupported({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  if (app.screenSupported || !youIn(call).may.screen) return null;
  return (
    <p class="panel__hint" data-testid="screen-unsupported">
      {t("screen.unsupported")}
    </p>
  );
}
