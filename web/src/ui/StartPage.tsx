// `/`: what Tafelrunde is, enter a room by name, or create a new one.

import { useSignal } from "@preact/signals";

import { MAX_ROOM_CHARS } from "../app/model";
import { checkRoomName } from "../app/roomNames";
import { useApp, useT } from "./context";
import { HelpLinks } from "./helpdesk/HelpLinks";

export function StartPage() {
  const app = useApp();
  const t = useT();
  const room = useSignal("");
  const showError = useSignal(false);
  const { name, problem } = checkRoomName(room.value);
  const invalid = problem !== null;

  return (
    <section class="card start" aria-labelledby="start-title">
      <h1 id="start-title">{t("start.title")}</h1>
      <p class="lead">{t("start.intro")}</p>
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (invalid) {
            showError.value = true;
            return;
          }
          app.enterRoom(name);
        }}
      >
        <label class="field">
          <span class="field__label">{t("start.roomLabel")}</span>
          <input
            type="text"
            name="room"
            autoComplete="off"
            autoCapitalize="none"
            spellcheck={false}
            maxLength={MAX_ROOM_CHARS}
            placeholder={t("start.roomPlaceholder")}
            value={room.value}
            aria-invalid={showError.value && invalid}
            aria-describedby={showError.value && invalid ? "room-error" : undefined}
            data-testid="room-name-input"
            onInput={(e) => {
              room.value = e.currentTarget.value;
              showError.value = false;
            }}
          />
        </label>
        {showError.value && invalid && (
          <p id="room-error" class="field__error" role="alert" data-testid="error-message">
            {t(problem === "chars" ? "start.roomBadChars" : "start.roomRequired")}
          </p>
        )}
        <button type="submit" class="button button--primary" data-testid="enter-room-button">
          {t("start.enter")}
        </button>
      </form>
      <div class="divider" role="presentation">
        <span>{t("start.or")}</span>
      </div>
      <button type="button" class="button" data-testid="create-room-button" onClick={() => app.createRoom()}>
        {t("start.create")}
      </button>
      <HelpLinks where="start" />
    </section>
  );
}
