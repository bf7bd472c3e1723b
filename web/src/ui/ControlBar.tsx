// Microphone, camera, screen share, hand, reactions, the panels, the view,
// leave. What the room does not allow us is disabled (with the reason) or
// hidden.

import type { ServerConnection } from "../protocol/connection";
import { DeviceToggle } from "./DeviceToggle";
import { Icon } from "./Icon";
import { PanelButtons } from "./SidePanel";
import { ViewToggle } from "./ViewToggle";
import { useApp, useT } from "./context";
import { HandButton } from "./moderation/HandButton";
import { ReactionPicker } from "./moderation/ReactionPicker";
import { ScreenShareButton } from "./moderation/ScreenShareButton";
import { youIn } from "./moderation/you";

export function ControlBar({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  // While reconnecting the controls stay where they are (a request sent then is lost, not harmful).
  const connected = call.status.value === "connected" || call.status.value === "reconnecting";
  const you = youIn(call);
  // Locked: off, and the room does not let us switch it on ourselves.
  const micLocked = connected && !you.may.audio && app.media.micTrack.value === null;
  const camLocked = connected && !you.may.video && app.media.camTrack.value === null;
  return (
    <div class="controls-area">
      {(micLocked || camLocked) && (
        <p id="device-lock-hint" class="controls__hint" data-testid="device-lock-hint">
          {t(micLocked && camLocked ? "locked.both" : micLocked ? "locked.mic" : "locked.camera")}
        </p>
      )}
      <nav class="controls" aria-label={t("controls.label")}>
        <DeviceToggle device="microphone" testId="mic-toggle" locked={micLocked} describedBy="device-lock-hint" />
        <DeviceToggle device="camera" testId="camera-toggle" locked={camLocked} describedBy="device-lock-hint" />
        {connected && <ScreenShareButton call={call} />}
        {connected && <HandButton call={call} />}
        {connected && <ReactionPicker call={call} />}
        {connected && <PanelButtons call={call} />}
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
    </div>
  );
}
