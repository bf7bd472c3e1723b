// The own camera before joining; a calm placeholder while it is off.

import { VideoView } from "./VideoView";
import { useApp, useT } from "./context";

export function CameraPreview() {
  const app = useApp();
  const t = useT();
  const track = app.media.camTrack.value;
  return (
    <div class="preview">
      <VideoView
        track={track}
        mirrored
        testId="camera-preview"
        label={t("prejoin.previewLabel")}
        hidden={track === null}
      />
      {track === null && <p class="preview__off">{t("prejoin.cameraIsOff")}</p>}
    </div>
  );
}
