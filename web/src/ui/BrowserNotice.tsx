// Recommends a Chromium-based browser; dismissible, never blocking.

import { Icon } from "./Icon";
import { useApp, useT } from "./context";

export function BrowserNotice() {
  const app = useApp();
  const t = useT();
  return (
    <div class="notice" role="note" data-testid="browser-notice">
      <p>{t("browserNotice.text")}</p>
      <button
        type="button"
        class="icon-button"
        aria-label={t("browserNotice.dismiss")}
        onClick={() => app.dismissBrowserNotice()}
      >
        <Icon name="close" size={20} />
      </button>
    </div>
  );
}
