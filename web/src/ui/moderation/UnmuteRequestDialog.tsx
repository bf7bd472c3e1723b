// A moderator asks us to switch the microphone or camera on. We decide:
// nobody is ever unmuted silently.

import { useEffect, useRef } from "preact/hooks";

import type { ServerConnection } from "../../protocol/connection";
import { useApp, useT } from "../context";

export function UnmuteRequestDialog({ call }: { call: ServerConnection }) {
  const app = useApp();
  const t = useT();
  const request = call.moderation.unmuteRequest.value;
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (request !== null) accept.current?.focus();
  }, [request]);
  if (request === null) return null;
  const audio = request.kind === "audio";
  return (
    <div class="dialog-backdrop">
      <div
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="unmute-title"
        aria-describedby="unmute-text"
        data-testid="unmute-request"
        data-kind={request.kind}
        onKeyDown={(e) => {
          if (e.key === "Escape") call.moderation.clearUnmuteRequest();
        }}
      >
        <h2 id="unmute-title">{t(audio ? "unmute.micTitle" : "unmute.cameraTitle")}</h2>
        <p id="unmute-text">{t(audio ? "unmute.micText" : "unmute.cameraText", { by: request.by })}</p>
        <div class="row">
          <button
            ref={accept}
            type="button"
            class="button button--primary"
            data-testid="unmute-accept"
            onClick={() => {
              call.moderation.clearUnmuteRequest();
              void app.media.switchOn(audio ? "microphone" : "camera");
            }}
          >
            {t(audio ? "unmute.micAccept" : "unmute.cameraAccept")}
          </button>
          <button type="button" class="button" data-testid="unmute-decline" onClick={() => call.moderation.clearUnmuteRequest()}>
            {t("unmute.decline")}
          </button>
        </div>
      </div>
    </div>
  );
}
