// Why a camera or microphone could not be switched on, in plain words.

import type { MediaErrorKind } from "../media/localMedia";
import type { MessageKey } from "../i18n";
import { Icon } from "./Icon";
import { useApp, useT } from "./context";

const CAMERA_KEYS: Readonly<Record<MediaErrorKind, MessageKey>> = {
  denied: "mediaError.cameraDenied",
  notFound: "mediaError.cameraNotFound",
  inUse: "mediaError.cameraInUse",
  insecure: "mediaError.insecure",
  unknown: "mediaError.cameraUnknown",
};
const MIC_KEYS: Readonly<Record<MediaErrorKind, MessageKey>> = {
  denied: "mediaError.micDenied",
  notFound: "mediaError.micNotFound",
  inUse: "mediaError.micInUse",
  insecure: "mediaError.insecure",
  unknown: "mediaError.micUnknown",
};

export function MediaErrorNotice() {
  const app = useApp();
  const t = useT();
  const error = app.media.error.value;
  if (error === null) return null;
  const key = (error.device === "camera" ? CAMERA_KEYS : MIC_KEYS)[error.kind];
  return (
    <div class="alert" role="alert" data-testid="error-message">
      <p>{t(key)}</p>
      <button
        type="button"
        class="icon-button"
        aria-label={t("common.dismiss")}
        onClick={() => app.media.dismissError()}
      >
        <Icon name="close" size={20} />
      </button>
    </div>
  );
}
