// The room has a password: asked for before entering, again when wrong.

import { useSignal } from "@preact/signals";

import type { ServerConnection } from "../../protocol/connection";
import { useApp, useT } from "../context";

const MAX_PASSWORD_CHARS = 128;

export function PasswordPrompt({ call, room }: { call: ServerConnection; room: string }) {
  const app = useApp();
  const t = useT();
  const password = useSignal("");
  const wrong = call.passwordPrompt.value === "wrongPassword";
  return (
    <section class="card waiting" data-testid="password-prompt" aria-labelledby="password-title">
      <h1 id="password-title">{t("password.title")}</h1>
      <p class="lead">{t("password.text", { room })}</p>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (password.value !== "") call.submitPassword(password.value);
        }}
      >
        <label class="field">
          <span class="field__label">{t("password.label")}</span>
          <input
            type="password"
            autoComplete="off"
            required
            maxLength={MAX_PASSWORD_CHARS}
            value={password.value}
            aria-invalid={wrong}
            aria-describedby={wrong ? "password-error" : undefined}
            data-testid="room-password-input"
            onInput={(e) => (password.value = e.currentTarget.value)}
          />
        </label>
        {wrong && (
          <p id="password-error" class="field__error" role="alert" data-testid="password-wrong">
            {t("password.wrong")}
          </p>
        )}
        <div class="row">
          <button type="submit" class="button button--primary" data-testid="room-password-submit">
            {t("password.submit")}
          </button>
          <button type="button" class="button" onClick={() => app.leave()}>
            {t("waiting.leave")}
          </button>
        </div>
      </form>
    </section>
  );
}
