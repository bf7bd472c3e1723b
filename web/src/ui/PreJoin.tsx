// Before entering: camera preview, microphone level, device choice, name.
// Camera and microphone are off until the user switches them on.

import { useSignal } from "@preact/signals";

import { roomDocumentPath } from "../account/privacy";
import { MAX_NAME_CHARS, cleanName } from "../app/model";
import { CameraPreview } from "./CameraPreview";
import { DeviceSelect } from "./DeviceSelect";
import { DeviceToggle } from "./DeviceToggle";
import { MediaErrorNotice } from "./MediaErrorNotice";
import { MicLevel } from "./MicLevel";
import { useApp, useT } from "./context";
import { HelpLinks } from "./helpdesk/HelpLinks";

export function PreJoin({ room }: { room: string }) {
  const app = useApp();
  const t = useT();
  const showNameError = useSignal(false);
  const nameMissing = cleanName(app.displayName.value) === "";

  return (
    <section class="card prejoin" aria-labelledby="prejoin-title">
      <h1 id="prejoin-title">{t("prejoin.title", { room })}</h1>
      <div class="prejoin__grid">
        <div class="stack">
          <CameraPreview />
          <div class="row row--center">
            <DeviceToggle device="microphone" testId="prejoin-mic-toggle" />
            <DeviceToggle device="camera" testId="prejoin-camera-toggle" />
          </div>
          <MicLevel />
          <MediaErrorNotice />
        </div>
        <form
          class="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (nameMissing) {
              showNameError.value = true;
              return;
            }
            app.join();
          }}
        >
          <label class="field">
            <span class="field__label">{t("prejoin.nameLabel")}</span>
            <input
              type="text"
              name="name"
              required
              autoComplete="nickname"
              maxLength={MAX_NAME_CHARS}
              placeholder={t("prejoin.namePlaceholder")}
              value={app.displayName.value}
              aria-invalid={showNameError.value && nameMissing}
              aria-describedby={showNameError.value && nameMissing ? "name-error" : "name-hint"}
              data-testid="display-name-input"
              onInput={(e) => {
                app.displayName.value = e.currentTarget.value;
                showNameError.value = false;
              }}
            />
            <span id="name-hint" class="field__hint">
              {t("prejoin.nameHint")}
            </span>
          </label>
          {showNameError.value && nameMissing && (
            <p id="name-error" class="field__error" role="alert" data-testid="error-message">
              {t("prejoin.nameRequired")}
            </p>
          )}
          <DeviceSelect device="camera" testId="camera-select" />
          <DeviceSelect device="microphone" testId="mic-select" />
          <button type="submit" class="button button--primary" data-testid="join-button">
            {t("prejoin.join")}
          </button>
          <p class="field__hint" data-testid="prejoin-consent">
            {t("prejoin.consent")}{" "}
            <a href={roomDocumentPath(room, "nutzungsordnung")} target="_blank" rel="noopener" data-testid="prejoin-usage-policy">
              {t("prejoin.usagePolicy")}
            </a>
            {" · "}
            <a href={roomDocumentPath(room, "info-schueler")} target="_blank" rel="noopener" data-testid="prejoin-privacy">
              {t("prejoin.privacyInfo")}
            </a>
          </p>
          <HelpLinks newTab where="prejoin" />
        </form>
      </div>
    </section>
  );
}
