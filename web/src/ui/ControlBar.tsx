// Microphone, camera, gallery/speaker view, leave.

import { DeviceToggle } from "./DeviceToggle";
import { Icon } from "./Icon";
import { ViewToggle } from "./ViewToggle";
import { useApp, useT } from "./context";

export function ControlBar() {
  const app = useApp();
  const t = useT();
  return (
    <nav class="controls" aria-label={t("controls.label")}>
      <DeviceToggle device="microphone" testId="mic-toggle" />
      <DeviceToggle device="camera" testId="camera-toggle" />
      <ViewToggle />
      <button
        type="button"
        class="toggle toggle--leave"
        aria-label={t("controls.leaveLabel")}
        data-testid="leave-button"
        onClick={() => app.leave()}
      >
        <Icon name="leave" />
        <span>{t("controls.leave")}</span>
      </button>
    </nav>
  );
}
