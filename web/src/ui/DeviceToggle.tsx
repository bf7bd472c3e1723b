// Switches the own camera or microphone on and off (aria-pressed = on).

import type { DeviceKind } from "../media/localMedia";
import { Icon } from "./Icon";
import { useApp, useT } from "./context";

interface Props {
  device: DeviceKind;
  testId: string;
  /** Round icon-only button for the control bar. */
  compact?: boolean;
  /** Off, and the room does not let us switch it on (the reason is in `describedBy`). */
  locked?: boolean;
  describedBy?: string;
}

export function DeviceToggle({ device, testId, compact = false, locked = false, describedBy }: Props) {
  const app = useApp();
  const t = useT();
  const media = app.media;
  const on = (device === "camera" ? media.camTrack.value : media.micTrack.value) !== null;
  const busy = media.busy.value.has(device);
  const camera = device === "camera";
  // A constant name; aria-pressed says whether the device is on.
  const label = t(camera ? "controls.cameraLabel" : "controls.micLabel");
  const text = camera ? t(on ? "controls.cameraOn" : "controls.cameraOff") : t(on ? "controls.micOn" : "controls.micOff");
  const icon = camera ? (on ? "camera" : "cameraOff") : on ? "mic" : "micOff";
  return (
    <button
      type="button"
      class={`toggle ${compact ? "toggle--compact" : ""} ${on ? "toggle--on" : "toggle--off"} ${locked ? "toggle--locked" : ""}`}
      aria-pressed={on}
      aria-label={label}
      aria-busy={busy}
      // aria-disabled keeps the button focusable, so that its reason is read.
      aria-disabled={locked}
      aria-describedby={locked ? describedBy : undefined}
      disabled={busy}
      data-testid={testId}
      data-locked={String(locked)}
      onClick={() => {
        if (!locked) void media.toggle(device);
      }}
    >
      <Icon name={icon} />
      {!compact && <span>{text}</span>}
    </button>
  );
}
