// Choice of camera or microphone; filled once the browser lists devices
// (with names after permission was given).

import type { DeviceKind } from "../media/localMedia";
import { useApp, useT } from "./context";

interface Props {
  device: DeviceKind;
  testId: string;
}

export function DeviceSelect({ device, testId }: Props) {
  const app = useApp();
  const t = useT();
  const media = app.media;
  const camera = device === "camera";
  const options = (camera ? media.cameras : media.microphones).value;
  const selected = (camera ? media.camId : media.micId).value;
  const id = `${device}-select`;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {t(camera ? "prejoin.cameraSelect" : "prejoin.micSelect")}
      </label>
      <select
        id={id}
        data-testid={testId}
        value={selected}
        disabled={options.length === 0}
        onChange={(e) => void media.select(device, e.currentTarget.value)}
      >
        {options.length === 0 && <option value="">{t(camera ? "prejoin.noCameraYet" : "prejoin.noMicYet")}</option>}
        {options.length > 0 && !options.some((o) => o.deviceId === selected) && (
          <option value="">{t("prejoin.defaultDevice")}</option>
        )}
        {options.map((o, i) => (
          <option key={o.deviceId} value={o.deviceId}>
            {o.label !== "" ? o.label : t(camera ? "prejoin.cameraN" : "prejoin.micN", { n: i + 1 })}
          </option>
        ))}
      </select>
    </div>
  );
}
