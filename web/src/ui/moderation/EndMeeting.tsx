// The owner and teacher moderators: end the meeting for everybody, after
// a confirmation.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import type { ServerConnection } from "../../protocol/connection";
import { useT } from "../context";

export function EndMeeting({ call }: { call: ServerConnection }) {
  const t = useT();
  const confirming = useSignal(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming.value) cancel.current?.focus();
  }, [confirming.value]);
  return (
    <>
      <button type="button" class="button button--danger" data-testid="end-meeting" onClick={() => (confirming.value = true)}>
        {t("endMeeting.button")}
      </button>
      {confirming.value && (
        <div class="dialog-backdrop">
          <div
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="end-title"
            aria-describedby="end-text"
            data-testid="end-meeting-dialog"
            onKeyDown={(e) => {
              if (e.key === "Escape") confirming.value = false;
            }}
          >
            <h2 id="end-title">{t("endMeeting.title")}</h2>
            <p id="end-text">{t("endMeeting.text")}</p>
            <div class="row">
              <button
                type="button"
                class="button button--danger"
                data-testid="end-meeting-confirm"
                onClick={() => {
                  confirming.value = false;
                  call.moderation.endMeeting();
                }}
              >
                {t("endMeeting.confirm")}
              </button>
              <button ref={cancel} type="button" class="button" data-testid="end-meeting-cancel" onClick={() => (confirming.value = false)}>
                {t("endMeeting.cancel")}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
