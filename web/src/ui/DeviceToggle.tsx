// Switches the own camera or microphone on and off (aria-pressed = on).

import type { DeviceKind } from "../media/localMedia";
import { Icon } from "./Icon";
import { useApp, useT } from "./context";

interface Props {
  device: DeviceKind;
  testId: string;
  /** Round icon-only button for the control bar. */
  compact?: boolean;
}

export function DeviceToggle({ device, testId, compact = false }: Props) {
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
      class={`toggle ${compact ? "toggle--compact" : ""} ${on ? "toggle--on" : "toggle--off"}`}
      aria-pressed={on}
      aria-label={label}
      aria-busy={busy}
      disabled={busy}
      data-testid={testId}
      onClick={() => void media.toggle(device)}
    >
      <Icon name={icon} />
      {!compact && <span>{text}</span>}
    </button>
  );
}
