// "Forgot the password?": asks the server to mail a reset link. The answer
// is the same whether the address is known or not.

import { useSignal } from "@preact/signals";

import { useApp, useT } from "../context";
import { ApiErrorText } from "./ApiErrorText";
import { useApiAction } from "./useApiAction";

export function ForgotPassword() {
  const app = useApp();
  const t = useT();
  const email = useSignal("");
  const sent = useSignal(false);
  const action = useApiAction();
  return (
    <details class="stack">
      <summary data-testid="forgot-password">{t("forgot.title")}</summary>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          sent.value = false;
          const r = await action.run(() => app.account.api.post("/api/password-reset", { email: email.value }));
          sent.value = r !== undefined || action.error.value === null;
        }}
      >
        <label class="field">
          <span class="field__label">{t("login.email")}</span>
          <input type="email" autoComplete="username" value={email.value} data-testid="forgot-email" onInput={(e) => (email.value = e.currentTarget.value)} />
        </label>
        <ApiErrorText error={action.error.value} />
        {sent.value && <p role="status">{t("forgot.sent")}</p>}
        <button type="submit" class="button" disabled={action.busy.value}>
          {t("forgot.submit")}
        </button>
      </form>
    </details>
  );
}
