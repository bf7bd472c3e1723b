// E-mail address and password; on success the account's page.

import { useSignal } from "@preact/signals";

import { ApiError, type ApiErrorBody, type SessionInfo } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";

export function LoginForm() {
  const app = useApp();
  const t = useT();
  const email = useSignal("");
  const password = useSignal("");
  const error = useSignal<ApiErrorBody | null>(null);
  const busy = useSignal(false);
  return (
    <form
      class="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        busy.value = true;
        error.value = null;
        app.account.clearEnded();
        try {
          app.account.set(await app.account.api.post<SessionInfo>("/api/login", { email: email.value, password: password.value }));
          password.value = "";
          app.navigate("/konto");
        } catch (err) {
          error.value = err instanceof ApiError ? err.body : { code: "unknown", message: String(err) };
        } finally {
          busy.value = false;
        }
      }}
    >
      <label class="field">
        <span class="field__label">{t("login.email")}</span>
        <input type="email" name="email" autoComplete="username" required value={email.value} data-testid="login-email" onInput={(e) => (email.value = e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field__label">{t("login.password")}</span>
        <input type="password" name="password" autoComplete="current-password" required value={password.value} data-testid="login-password" onInput={(e) => (password.value = e.currentTarget.value)} />
      </label>
      <ApiErrorText error={error.value} />
      <button type="submit" class="button button--primary" disabled={busy.value} data-testid="login-button">
        {t("login.submit")}
      </button>
    </form>
  );
}
