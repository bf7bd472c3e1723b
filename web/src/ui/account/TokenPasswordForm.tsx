// The pages behind one-time links: first-start setup (e-mail and password
// of the first operator), activation and password reset (a new password).
// The token is in the link's fragment (#…), which no server ever sees.

import { useSignal } from "@preact/signals";

import { ApiError, type ApiErrorBody, type SessionInfo } from "../../account/api";
import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";

const ENDPOINT = { setup: "/api/setup", activate: "/api/activate", reset: "/api/password-reset/complete" } as const;

export function TokenPasswordForm({ kind }: { kind: "setup" | "activate" | "reset" }) {
  const app = useApp();
  const t = useT();
  const token = useSignal(typeof location === "undefined" ? "" : location.hash.replace(/^#/, ""));
  const email = useSignal("");
  const password = useSignal("");
  const repeat = useSignal("");
  const error = useSignal<ApiErrorBody | null>(null);
  const mismatch = password.value !== repeat.value && repeat.value !== "";
  return (
    <section class="card account" aria-labelledby="token-title">
      <h1 id="token-title">{t(`tokenPage.title.${kind}`)}</h1>
      <p class="lead">{t(`tokenPage.intro.${kind}`)}</p>
      {token.value === "" && (
        <p class="alert alert--error" role="alert">
          {t("apiError.invalidLink")}
        </p>
      )}
      <form
        class="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (password.value !== repeat.value) return;
          error.value = null;
          const body: Record<string, string> = { token: token.value, password: password.value };
          if (kind === "setup") body.email = email.value;
          try {
            app.account.set(await app.account.api.post<SessionInfo>(ENDPOINT[kind], body));
            history.replaceState(null, "", location.pathname);
            app.navigate("/konto");
          } catch (err) {
            error.value = err instanceof ApiError ? err.body : { code: "unknown", message: String(err) };
          }
        }}
      >
        {kind === "setup" && (
          <label class="field">
            <span class="field__label">{t("login.email")}</span>
            <input type="email" autoComplete="username" required value={email.value} data-testid="setup-email" onInput={(e) => (email.value = e.currentTarget.value)} />
          </label>
        )}
        <label class="field">
          <span class="field__label">{t("tokenPage.password")}</span>
          <input type="password" autoComplete="new-password" required minLength={10} value={password.value} data-testid="new-password" aria-describedby="password-hint" onInput={(e) => (password.value = e.currentTarget.value)} />
          <span id="password-hint" class="field__hint">
            {t("tokenPage.passwordHint")}
          </span>
        </label>
        <label class="field">
          <span class="field__label">{t("tokenPage.repeat")}</span>
          <input type="password" autoComplete="new-password" required value={repeat.value} data-testid="new-password-repeat" aria-invalid={mismatch} onInput={(e) => (repeat.value = e.currentTarget.value)} />
        </label>
        {mismatch && (
          <p class="field__error" role="alert">
            {t("tokenPage.mismatch")}
          </p>
        )}
        <ApiErrorText error={error.value} />
        <button type="submit" class="button button--primary" data-testid="token-submit">
          {t(`tokenPage.submit.${kind}`)}
        </button>
      </form>
    </section>
  );
}
